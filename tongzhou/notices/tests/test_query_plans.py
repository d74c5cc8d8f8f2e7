"""PostgreSQL plan of the reach report among many notices (tongzhou.core.query_plans): one
notice's households are counted by index, not by reading every notice's."""

from typing import Any

import pytest

from tongzhou.core.query_plans import assert_no_seq_scan, clone_rows
from tongzhou.notices.models import Notice
from tongzhou.notices.selectors import reach_report
from tongzhou.notices.services import notice_create, notice_send
from tongzhou.notices.tests.test_notices import building, draft
from tongzhou.places.models import Household

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def notice(demo: Any) -> Notice:
    """One sent notice for a building, and 300 other notices each reaching every household."""
    sent = notice_send(
        actor=demo.taian_staff, notice=notice_create(actor=demo.taian_staff, draft=draft(building(demo)))
    )
    households = list(Household.objects.values_list("pk", flat=True))
    others = 300
    clone_rows("notices_notice", others)
    clone_rows(
        "notices_reach",
        others * len(households),
        notice_id=f"{sent.pk} + 1 + g % {others}",
        household_id=f"(ARRAY{households})[g / {others} % {len(households)} + 1]",
    )
    return sent


def test_the_reach_report_reads_one_notice_by_index(notice: Notice) -> None:
    assert_no_seq_scan(lambda: reach_report(notice), "notices_reach")
