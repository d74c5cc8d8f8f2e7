"""Testing's part of the gate's "may this household go out?" rule (tongzhou.people.outings): a
household with a member recalled for a single-tube retest stays at home until that retest is
negative. The gate is told only "may not leave", never that a tube was positive."""

from collections.abc import Collection
from datetime import date

from tongzhou.testing.models import Recall, RecallStatus


def households_with_recalls(household_ids: Collection[int], today: date) -> set[int]:
    return set(
        Recall.objects.filter(status=RecallStatus.OPEN, household_id__in=list(household_ids)).values_list(
            "household_id", flat=True
        )
    )
