"""The nightly check of the hand-out tallies: the public ledger's "N to X workers at Y posts and
Z teams" reads `HandOutTally` rows, so every tally must equal what its hand-outs' issued entries
(less their reversals) add up to. One SQL aggregate over the hand-outs, joined both ways to the
tallies; an alert (the shared inbox) for every difference. Run with the stock ledger's check by
`manage.py check_stock_ledger` and the beat task."""

import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

from tongzhou.supplies.alert_kinds import Kind
from tongzhou.supplies.services.checks import store_alerts_raise
from tongzhou.supplies.services.quantities import plain_quantity


@dataclass
class TallyMismatch:
    store_id: int
    item_id: int
    kind: str
    who: int
    tally: Decimal | None
    handouts: Decimal | None


@dataclass
class TallyReport:
    tallies: int = 0
    mismatches: list[TallyMismatch] = field(default_factory=list)
    seconds: float = 0.0
    alerts: int = 0


# What each hand-out gave, per item: its issued entries plus the entries reversing them (a
# reversal has its own batch and points at the entry it cancels). Then one row per tally key.
TALLY_SQL = """
WITH given AS (
    SELECT h.store_id, e.item_id, h.recipient_id, h.post_id, h.team_id,
           -(e.quantity + COALESCE(r.quantity, 0)) AS quantity
    FROM supplies_handout h
    JOIN supplies_entry e ON e.batch = h.batch AND e.kind = 'issued'
    LEFT JOIN supplies_entry r ON r.reverses_id = e.id
), sums AS (
    SELECT store_id, item_id, 'worker' AS kind, recipient_id AS who, SUM(quantity) AS total
    FROM given GROUP BY store_id, item_id, recipient_id
    UNION ALL
    SELECT store_id, item_id, 'post', post_id, SUM(quantity)
    FROM given WHERE post_id IS NOT NULL GROUP BY store_id, item_id, post_id
    UNION ALL
    SELECT store_id, item_id, 'team', team_id, SUM(quantity)
    FROM given WHERE team_id IS NOT NULL GROUP BY store_id, item_id, team_id
)
SELECT COALESCE(t.store_id, s.store_id), COALESCE(t.item_id, s.item_id), COALESCE(t.kind, s.kind),
       COALESCE(t.who, s.who), t.quantity, s.total
FROM supplies_handouttally t
FULL OUTER JOIN sums s
  ON t.store_id = s.store_id AND t.item_id = s.item_id AND t.kind = s.kind AND t.who = s.who
"""


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.001"))


def tally_compare() -> TallyReport:
    """Every hand-out tally against the sum of its hand-outs' entries (read only)."""
    started = time.perf_counter()
    report = TallyReport()
    with connection.cursor() as cursor:
        cursor.execute(TALLY_SQL)
        for store_id, item_id, kind, who, tally, total in cursor.fetchall():
            report.tallies += tally is not None
            if _decimal(tally) != _decimal(total):
                report.mismatches.append(
                    TallyMismatch(
                        store_id,
                        item_id,
                        kind,
                        who,
                        None if tally is None else _decimal(tally),
                        None if total is None else _decimal(total),
                    )
                )
    report.seconds = time.perf_counter() - started
    return report


def tally_check() -> TallyReport:
    """Compare, and raise one alert per differing tally (once a day each) at its store's place."""
    report = tally_compare()
    if not report.mismatches:
        return report
    report.alerts = store_alerts_raise(
        Kind.TALLY_MISMATCH,
        report.mismatches,
        details=lambda m, item: {
            "item": item.name,
            "by": m.kind,
            "who": m.who,
            "tally": plain_quantity(m.tally) if m.tally is not None else "-",
            "handouts": plain_quantity(m.handouts) if m.handouts is not None else "-",
        },
        key=lambda m: f"supplies-tally:{m.store_id}:{m.item_id}:{m.kind}:{m.who}",
    )
    return report
