"""Shortage alerts below a store's minimum level, and the check of the ledger's balances against
its entries."""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.alerts.services import NewAlert, alert_raise, alerts_raise
from tongzhou.supplies.alert_kinds import SUBJECT, Kind
from tongzhou.supplies.models import (
    Balance,
    Item,
    Lot,
    MinimumLevel,
    Store,
)
from tongzhou.supplies.services.quantities import plain_quantity


def _shortage_check(*, store: Store, item: Item, actor: User | None) -> None:
    """A shortage alert (once a day per store and item) when on hand is below the minimum."""
    minimum = MinimumLevel.objects.filter(store=store, item=item).values_list("quantity", flat=True).first()
    if minimum is None:
        return
    on_hand = Balance.objects.filter(store=store, item=item, in_transit=False).aggregate(n=Sum("quantity"))["n"] or 0
    if on_hand >= minimum:
        return
    alert_raise(
        kind=Kind.SHORTAGE,
        place=store.place,
        subject_type=SUBJECT,
        subject_id=store.pk,
        subject_label=f"{store.name} · {item.name}",
        raised_by=actor if actor is not None and actor.is_authenticated else None,
        details={
            "item": item.name,
            "unit": item.unit,
            "on_hand": plain_quantity(Decimal(on_hand)),
            "minimum": plain_quantity(minimum),
        },
        once_key=f"supplies-shortage:{store.pk}:{item.pk}:{timezone.localdate().isoformat()}",
    )


@dataclass
class Mismatch:
    store_id: int
    item_id: int
    lot_id: int
    in_transit: bool
    balance: Decimal | None
    entries: Decimal | None


@dataclass
class CheckReport:
    entries: int = 0
    balances: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    seconds: float = 0.0
    alerts: int = 0


# One aggregate over every entry, joined both ways to the balances: a balance without entries, entries
# without a balance and a balance whose quantity, received or used sum differs from its entries' all
# show. Rounded to the column's 3 decimals because SQLite sums decimals as floating point.
CHECK_SQL = """
SELECT COALESCE(b.store_id, e.store_id), COALESCE(b.item_id, e.item_id), COALESCE(b.lot_id, e.lot_id),
       COALESCE(b.in_transit, e.in_transit), b.quantity, e.total, e.n, b.received, e.received, b.used, e.used
FROM supplies_balance b
FULL OUTER JOIN (
    SELECT store_id, item_id, lot_id, in_transit, SUM(quantity) AS total, COUNT(*) AS n,
           SUM(CASE WHEN kind = 'received' THEN quantity ELSE 0 END) AS received,
           -SUM(CASE WHEN kind IN ('issued', 'returned') THEN quantity ELSE 0 END) AS used
    FROM supplies_entry GROUP BY store_id, item_id, lot_id, in_transit
) e ON b.store_id = e.store_id AND b.item_id = e.item_id AND b.lot_id = e.lot_id AND b.in_transit = e.in_transit
"""


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.001"))


def ledger_compare() -> CheckReport:
    """Every running balance against the sum of its entries, in one SQL aggregate (read only)."""
    started = time.perf_counter()
    report = CheckReport()
    with connection.cursor() as cursor:
        cursor.execute(CHECK_SQL)
        for store_id, item_id, lot_id, in_transit, balance, total, n, b_in, e_in, b_used, e_used in cursor.fetchall():
            report.entries += n or 0
            report.balances += balance is not None
            b, t = _decimal(balance), _decimal(total)
            sums_differ = (_decimal(b_in) or 0) != (_decimal(e_in) or 0) or (_decimal(b_used) or 0) != (
                _decimal(e_used) or 0
            )
            if (b or 0) != (t or 0) or sums_differ:
                report.mismatches.append(Mismatch(store_id, item_id, lot_id, bool(in_transit), b, t))
    report.seconds = time.perf_counter() - started
    return report


def store_alerts_raise(
    kind: str, rows: Sequence[Any], *, details: Callable[[Any, Item], dict[str, Any]], key: Callable[[Any], str]
) -> int:
    """One alert of `kind` per row (each with a store_id and an item_id) at its store's place, for
    the street administrator, once a day each (`key` names the row within the day). The nightly
    checks' shared end: the ledger's balances and the hand-out tallies. Returns how many were new."""
    stores = Store.objects.in_bulk({row.store_id for row in rows})
    items = Item.objects.in_bulk({row.item_id for row in rows})
    today = timezone.localdate().isoformat()
    new = [
        NewAlert(
            kind=kind,
            place_path=stores[row.store_id].place_path,
            place_id=stores[row.store_id].place_id,
            subject_type=SUBJECT,
            subject_id=row.store_id,
            subject_label=f"{stores[row.store_id].name} · {items[row.item_id].name}",
            details=details(row, items[row.item_id]),
            once_key=f"{key(row)}:{today}",
        )
        for row in rows
    ]
    with transaction.atomic():
        return len(alerts_raise(alerts=new))


def ledger_check(*, mismatches: Sequence[Mismatch] | None = None) -> CheckReport:
    """The nightly check: compare (`ledger_compare`) and raise one alert per differing balance
    (once a day each) at its store's place, for the street administrator."""
    report = ledger_compare() if mismatches is None else CheckReport(mismatches=list(mismatches))
    if not report.mismatches:
        return report
    lots = Lot.objects.in_bulk({m.lot_id for m in report.mismatches})
    report.alerts = store_alerts_raise(
        Kind.LEDGER_MISMATCH,
        report.mismatches,
        details=lambda m, item: {
            "item": item.name,
            "lot": lots[m.lot_id].code,
            "in_transit": m.in_transit,
            "balance": plain_quantity(m.balance) if m.balance is not None else "-",
            "entries": plain_quantity(m.entries) if m.entries is not None else "-",
        },
        key=lambda m: f"supplies-ledger:{m.store_id}:{m.item_id}:{m.lot_id}:{int(m.in_transit)}",
    )
    return report
