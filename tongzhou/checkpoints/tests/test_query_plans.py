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
from tongzhou.checkpoints.services import gate_create, parse_item, pass_token, passage_record_one, passes_issue
from tongzhou.checkpoints.services import passages as scan
from tongzhou.checkpoints.services.passages import outings_between
from tongzhou.checkpoints.tests.conftest import item
from tongzhou.core import partitions
from tongzhou.core.query_plans import assert_no_seq_scan, assert_no_seq_scan_in, clone_rows, plan, plans_of
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
    for one in assert_no_seq_scan(lambda: list(passages(scope, PassageFilter(start=start, end=end))[:50]), *BIG):
        assert one.relations("checkpoints_passage") <= month
    for one in assert_no_seq_scan(lambda: gate_figures(scope), *BIG):
        assert one.relations("checkpoints_passage") <= month
    for one in assert_no_seq_scan(lambda: outings_between(start, end).filter(household_id=1000005).count(), *BIG):
        assert one.relations("checkpoints_passage") <= month


def test_a_gate_and_a_household_are_found_by_index(demo: Any, log: Any) -> None:
    scope = Scope.of([demo.places["taian_compound"].path])
    assert_no_seq_scan(lambda: list(passages(scope, PassageFilter(gate=log.pk))[:50]), *BIG)
    assert_no_seq_scan(lambda: list(passages(scope, PassageFilter(household=1000007))[:50]), *BIG)


def test_the_check_bites_on_a_query_without_an_index(demo: Any, log: Any) -> None:
    """A filter no index serves is read by sequential scans: the check above would fail on it."""
    with pytest.raises(AssertionError, match="sequential scan"):
        assert_no_seq_scan(lambda: Passage.objects.filter(reason="no-such-reason").count(), *BIG)


def test_a_scan_finds_its_pass_and_counts_outings_by_index(demo: Any, log: Any, monkeypatch: Any) -> None:
    """The gate's hot path, as `passage_record_one` runs it: its own prepared statements (the
    pass with the level over it) and the ORM's (the day's outings), among 100,000 passes."""

    passes = passes_issue(actor=demo.taian_staff, place=demo.places["taian_compound"])
    clone_rows(
        "checkpoints_pass",
        100_000,
        nonce="md5('n' || g)",
        digest="md5('d' || g) || md5('e' || g)",
        status="'revoked'",
        place_path="'/99/' || (g % 5000) || '/'",
    )
    prepared: list[tuple[str, Any]] = []
    original = scan._fetch_one_prepared

    def recording(sql: str, params: Any) -> Any:
        prepared.append((sql, list(params)))
        return original(sql, params)

    monkeypatch.setattr(scan, "_fetch_one_prepared", recording)
    scanned = parse_item(item(pass_token(passes[0]), direction="out"))
    orm = plans_of(lambda: passage_record_one(gate=log, item=scanned, actor=demo.guard), touching=("SELECT",))
    selects = [plan(sql, params) for sql, params in prepared if sql.lstrip().upper().startswith("SELECT")]
    assert selects, "the scan read no pass"
    assert_no_seq_scan_in(selects + orm, "checkpoints_pass", *BIG)
