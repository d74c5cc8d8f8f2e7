"""PostgreSQL plans of the gates' hot queries over a passage log of realistic size: index scans,
and only the partitions of the months asked for (tongzhou.core.query_plans)."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongzhou.checkpoints.models import Passage
from tongzhou.checkpoints.partitions import PASSAGES
from tongzhou.checkpoints.selectors import PassageFilter, gate_figures, passages, today_bounds
from tongzhou.checkpoints.services import gate_create
from tongzhou.checkpoints.services.passages import outings_between
from tongzhou.core import partitions
from tongzhou.core.query_plans import assert_no_seq_scan, clone_rows
from tongzhou.core.scope import Scope

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BIG = ("checkpoints_passage",)


@pytest.fixture
def log(demo: Any) -> Any:
    """Six months of passages at 200 gates of 20,000 households (120,000 rows)."""
    gate = gate_create(actor=demo.taian_staff, compound=demo.places["taian_compound"], name="西门")
    now = timezone.now()
    partitions.ensure_partitions(PASSAGES, since=timezone.localdate(now - timedelta(days=190)))
    Passage.objects.create(
        scanned_at=now,
        received_at=now,
        gate=gate,
        place_path=gate.place_path,
        client_uuid=uuid.uuid4(),
        direction="out",
        allowed=True,
        reason="ok",
        household_id=demo.places["taian_compound"].pk,
    )
    clone_rows(
        "checkpoints_passage",
        120_000,
        scanned_at="now() - g * interval '2 minutes'",
        received_at="now() - g * interval '2 minutes'",
        client_uuid="md5(g::text)::uuid",
        household_id="g % 20000 + 1000000",
        gate_id=f"CASE WHEN g % 200 = 0 THEN {gate.pk} ELSE g % 200 + 1000000 END",
        place_path="t.place_path || (g % 200)::text || '.'",
    )
    return gate


def test_a_day_of_passages_reads_only_its_month(demo: Any, log: Any) -> None:
    start, end = today_bounds()
    scope = Scope.of([demo.places["taian_compound"].path])
    month = {PASSAGES.partition_name(timezone.localdate(start).replace(day=1))}
    for plan in assert_no_seq_scan(lambda: list(passages(scope, PassageFilter(start=start, end=end))[:50]), *BIG):
        assert plan.relations("checkpoints_passage") <= month
    for plan in assert_no_seq_scan(lambda: gate_figures(scope), *BIG):
        assert plan.relations("checkpoints_passage") <= month
    for plan in assert_no_seq_scan(lambda: outings_between(start, end).filter(household_id=1000005).count(), *BIG):
        assert plan.relations("checkpoints_passage") <= month


def test_a_gate_and_a_household_are_found_by_index(demo: Any, log: Any) -> None:
    scope = Scope.of([demo.places["taian_compound"].path])
    assert_no_seq_scan(lambda: list(passages(scope, PassageFilter(gate=log.pk))[:50]), *BIG)
    assert_no_seq_scan(lambda: list(passages(scope, PassageFilter(household=1000007))[:50]), *BIG)


def test_the_check_bites_on_a_query_without_an_index(demo: Any, log: Any) -> None:
    """A filter no index serves is read by sequential scans: the check above would fail on it."""
    with pytest.raises(AssertionError, match="sequential scan"):
        assert_no_seq_scan(lambda: Passage.objects.filter(reason="no-such-reason").count(), *BIG)
