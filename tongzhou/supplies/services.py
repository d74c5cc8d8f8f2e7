"""Every write of supplies: the catalogue, stores and minimum levels, and every movement of stock.

A movement appends ledger entries and changes their running balances in one transaction: a
decrease is a conditional UPDATE (`quantity >= n`), so two keepers issuing the last masks at once
cannot both succeed and stock never goes below zero (a CHECK constraint backs it). Entries are
never changed: a mistake is undone by `entry_reverse`, which writes the opposite entries.
Bad input raises ValidationError naming the field, and nothing is written.
"""

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import users_with_perm_over
from tongzhou.alerts.services import NewAlert, alert_raise, alerts_raise
from tongzhou.core import transitions
from tongzhou.core.access import require, scope_of
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.places.models import Place
from tongzhou.supplies.alert_kinds import SUBJECT, Kind
from tongzhou.supplies.audit import SuppliesAudit
from tongzhou.supplies.models import (
    AdjustReason,
    Balance,
    Donation,
    DonationKind,
    DonationLine,
    Donor,
    DonorKind,
    Entry,
    EntryKind,
    HandOut,
    HandOutTally,
    Item,
    Lot,
    MinimumLevel,
    Requisition,
    RequisitionApproval,
    RequisitionLine,
    RequisitionStatus,
    Store,
    StoreKind,
    TallyBy,
)
from tongzhou.volunteers.models import Team

MAX_QUANTITY = Decimal("100000000")
# What counts as used in the public ledger: issued, less what came back.
USED = (EntryKind.ISSUED, EntryKind.RETURNED)


def quantity_parse(item: Item, raw: Any, *, field_name: str = "quantity") -> Decimal:
    """A positive quantity of `item`: whole units for a counted item, at most 3 decimals for a
    measured one. ValidationError naming `field_name` otherwise."""
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field_name: _("Enter a number.")}) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({field_name: _("Enter a quantity greater than zero.")})
    if value >= MAX_QUANTITY:
        raise ValidationError({field_name: _("This quantity is too large.")})
    if item.counted and value != value.to_integral_value():
        raise ValidationError(
            {field_name: _("%(item)s is counted in whole %(unit)s.") % {"item": item.name, "unit": item.unit}}
        )
    if value != value.quantize(Decimal("0.001")):
        raise ValidationError({field_name: _("At most 3 decimal places.")})
    return value


def _require_somewhere(actor: Any, perm: Perm) -> None:
    if scope_of(actor, perm).is_empty:
        raise PermissionDenied


# The catalogue, stores and levels ------------------------------------------------------------


@transaction.atomic
def item_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    unit: str,
    pack_size: int = 1,
    counted: bool = True,
    expiry_matters: bool = False,
) -> Item:
    """Add an item to the street's catalogue (shared by every store). Needs SUPPLIES_MANAGE."""
    if actor is not None:
        _require_somewhere(actor, Perm.SUPPLIES_MANAGE)
    item = Item(
        name=name.strip(),
        kind=kind,
        unit=unit.strip(),
        pack_size=pack_size,
        counted=counted,
        expiry_matters=expiry_matters,
    )
    item.full_clean()
    item.save()
    audit_log(action=SuppliesAudit.ITEM_CREATED, actor=actor, obj=item)
    return item


@transaction.atomic
def store_create(*, actor: User | None, place: Place, name: str, kind: str) -> Store:
    """A store at `place`. Needs SUPPLIES_MANAGE there."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_MANAGE, place.path)
    if kind not in StoreKind.values:
        raise ValidationError({"kind": _("Choose a kind of store.")})
    store = Store(place=place, place_path=place.path, name=name.strip(), kind=kind)
    store.full_clean()
    store.save()
    audit_log(action=SuppliesAudit.STORE_CREATED, actor=actor, obj=store, place_path=place.path)
    return store


@transaction.atomic
def minimum_set(*, actor: User | None, store: Store, item: Item, quantity: Any) -> MinimumLevel:
    """Set (or change) the minimum level of `item` in `store`; checks for a shortage at once."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_MANAGE, store.place_path)
    value = quantity_parse(item, quantity)
    level, _created = MinimumLevel.objects.update_or_create(store=store, item=item, defaults={"quantity": value})
    audit_log(
        action=SuppliesAudit.MINIMUM_SET,
        actor=actor,
        obj=store,
        place_path=store.place_path,
        details={"item": item.pk, "minimum": str(value)},
    )
    _shortage_check(store=store, item=item, actor=actor)
    return level


def lot_for(*, item: Item, code: str, expires_on: date | None) -> Lot:
    """The lot `code` of `item`, made on first receipt; a known lot keeps its expiry date (a
    different date for the same code is an error naming the field)."""
    code = code.strip() or (expires_on.isoformat() if expires_on else "-")
    if item.expiry_matters and expires_on is None:
        raise ValidationError({"expires_on": _("%(item)s needs an expiry date.") % {"item": item.name}})
    lot, _created = Lot.objects.get_or_create(item=item, code=code, defaults={"expires_on": expires_on})
    if expires_on is not None and lot.expires_on != expires_on:
        raise ValidationError(
            {"expires_on": _("Lot %(code)s expires on %(date)s.") % {"code": code, "date": lot.expires_on}}
        )
    return lot


# Moving stock --------------------------------------------------------------------------------


def _move(
    *,
    actor: User | None,
    store: Store,
    lot: Lot,
    kind: str,
    quantity: Decimal,
    batch: uuid.UUID,
    in_transit: bool = False,
    reason: str = "",
    note: str = "",
    reverses: Entry | None = None,
    arrives: Entry | None = None,
) -> Entry:
    """Append one entry and change its balance by the same signed quantity, in the caller's
    transaction. A decrease beyond the balance is a ValidationError on `quantity`."""
    key = {"store": store, "item_id": lot.item_id, "lot": lot, "in_transit": in_transit}
    sums: dict[str, Any] = {"quantity": F("quantity") + quantity}
    if kind == EntryKind.RECEIVED:
        sums["received"] = F("received") + quantity
    elif kind in USED:
        sums["used"] = F("used") - quantity
    if quantity > 0:
        balance, _created = Balance.objects.get_or_create(**key, defaults={"place_path": store.place_path})
        Balance.objects.filter(pk=balance.pk).update(**sums)
    else:
        changed = Balance.objects.filter(**key, quantity__gte=-quantity).update(**sums)
        if not changed:
            on_hand = Balance.objects.filter(**key).values_list("quantity", flat=True).first() or Decimal(0)
            raise ValidationError(
                {
                    "quantity": _("Only %(n)s %(unit)s of %(item)s (lot %(lot)s) in %(store)s.")
                    % {
                        "n": plain_quantity(on_hand),
                        "unit": lot.item.unit,
                        "item": lot.item.name,
                        "lot": lot.code,
                        "store": store.name,
                    }
                }
            )
    entry = Entry(
        store=store,
        place_path=store.place_path,
        item_id=lot.item_id,
        lot=lot,
        kind=kind,
        quantity=quantity,
        in_transit=in_transit,
        reason=reason,
        note=note[:200],
        batch=batch,
        reverses=reverses,
        arrives=arrives,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    entry.save(force_insert=True)
    return entry


def plain_quantity(value: Decimal) -> str:
    """3.000 -> 3, 2.500 -> 2.5."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _not_expired(lot: Lot, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if lot.expires_on is not None and lot.expires_on < today:
        raise ValidationError(
            {
                "lot": _("Lot %(code)s expired on %(date)s: adjust it out as expired.")
                % {"code": lot.code, "date": lot.expires_on}
            }
        )


@transaction.atomic
def stock_receive(
    *,
    actor: User | None,
    store: Store,
    item: Item,
    quantity: Any,
    lot_code: str = "",
    expires_on: date | None = None,
    note: str = "",
) -> Entry:
    """Goods arrive in `store` (a donation, a purchase). Needs SUPPLIES_KEEP over the store."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, store.place_path)
    value = quantity_parse(item, quantity)
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("This lot has expired already.")})
    lot = lot_for(item=item, code=lot_code, expires_on=expires_on)
    return _move(
        actor=actor, store=store, lot=lot, kind=EntryKind.RECEIVED, quantity=value, batch=uuid.uuid4(), note=note
    )


def _lots_to_take(*, store: Store, item: Item, lot: Lot | None, quantity: Decimal) -> list[tuple[Lot, Decimal]]:
    """Which lots to take `quantity` from: the named lot, or first-expiring-first-out across the
    store's unexpired lots. Raises on an expired lot or too little stock (naming what there is)."""
    if lot is not None:
        if lot.item_id != item.pk:
            raise ValidationError({"lot": _("This lot is of another item.")})
        _not_expired(lot)
        return [(lot, quantity)]
    today = timezone.localdate()
    balances = (
        Balance.objects.filter(store=store, item=item, in_transit=False, quantity__gt=0)
        .select_related("lot", "lot__item")
        .order_by(F("lot__expires_on").asc(nulls_last=True), "lot__pk")
    )
    taken: list[tuple[Lot, Decimal]] = []
    left = quantity
    for balance in balances:
        if balance.lot.expires_on is not None and balance.lot.expires_on < today:
            continue
        take = min(left, balance.quantity)
        taken.append((balance.lot, take))
        left -= take
        if left <= 0:
            return taken
    usable = quantity - left
    raise ValidationError(
        {
            "quantity": _("Only %(n)s %(unit)s of %(item)s usable in %(store)s.")
            % {"n": plain_quantity(usable), "unit": item.unit, "item": item.name, "store": store.name}
        }
    )


@transaction.atomic
def stock_issue(
    *,
    actor: User | None,
    store: Store,
    item: Item,
    quantity: Any,
    lot: Lot | None = None,
    note: str = "",
    batch: uuid.UUID | None = None,
    perm: Perm = Perm.SUPPLIES_KEEP,
) -> list[Entry]:
    """Issue `quantity` of `item` out of `store` (from `lot`, or first-expiring-first-out): one
    entry per lot taken. Never below zero, never from an expired lot. Needs `perm` over the store:
    SUPPLIES_KEEP for a keeper; another module that hands goods over on its own authority names
    its own (a welfare officer's gift at a condolence visit: WELFARE_MANAGE)."""
    if actor is not None:
        require(actor, perm, store.place_path)
    value = quantity_parse(item, quantity)
    batch = batch or uuid.uuid4()
    entries = [
        _move(actor=actor, store=store, lot=taken_lot, kind=EntryKind.ISSUED, quantity=-take, batch=batch, note=note)
        for taken_lot, take in _lots_to_take(store=store, item=item, lot=lot, quantity=value)
    ]
    _shortage_check(store=store, item=item, actor=actor)
    return entries


@transaction.atomic
def stock_return(*, actor: User | None, store: Store, lot: Lot, quantity: Any, note: str = "") -> Entry:
    """Issued goods come back unused into `store`."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, store.place_path)
    value = quantity_parse(lot.item, quantity)
    return _move(
        actor=actor, store=store, lot=lot, kind=EntryKind.RETURNED, quantity=value, batch=uuid.uuid4(), note=note
    )


@transaction.atomic
def stock_adjust(
    *, actor: User | None, store: Store, lot: Lot, quantity: Any, reason: str, decrease: bool, note: str = ""
) -> Entry:
    """Correct the stock of a lot with a reason (damaged, expired, found, a count difference).
    Found goods increase it; the others may go either way for a count, down otherwise."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, store.place_path)
    if reason not in AdjustReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if reason == AdjustReason.FOUND and decrease:
        raise ValidationError({"reason": _("Found goods increase the stock.")})
    if reason in (AdjustReason.DAMAGED, AdjustReason.EXPIRED) and not decrease:
        raise ValidationError({"reason": _("Damaged or expired goods decrease the stock.")})
    value = quantity_parse(lot.item, quantity)
    entry = _move(
        actor=actor,
        store=store,
        lot=lot,
        kind=EntryKind.ADJUSTED,
        quantity=-value if decrease else value,
        batch=uuid.uuid4(),
        reason=reason,
        note=note,
    )
    audit_log(
        action=SuppliesAudit.STOCK_ADJUSTED,
        actor=actor,
        obj=store,
        place_path=store.place_path,
        details={"entry": entry.pk, "reason": reason, "quantity": str(entry.quantity)},
    )
    if decrease:
        _shortage_check(store=store, item=lot.item, actor=actor)
    return entry


@transaction.atomic
def stock_transfer(
    *,
    actor: User | None,
    source: Store,
    destination: Store,
    item: Item,
    quantity: Any,
    lot: Lot | None = None,
    note: str = "",
) -> list[Entry]:
    """Send goods from `source` to `destination`: per lot, an out entry at the source and an
    in-transit entry at the destination, all in one transaction (nothing half-moved). The goods
    count at the destination once `transfer_arrive` confirms them. Needs SUPPLIES_KEEP at the
    source; the destination may be anywhere."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, source.place_path)
    if source.pk == destination.pk:
        raise ValidationError({"destination": _("Choose another store.")})
    value = quantity_parse(item, quantity)
    batch = uuid.uuid4()
    entries: list[Entry] = []
    for taken_lot, take in _lots_to_take(store=source, item=item, lot=lot, quantity=value):
        entries.append(
            _move(
                actor=actor,
                store=source,
                lot=taken_lot,
                kind=EntryKind.TRANSFER_OUT,
                quantity=-take,
                batch=batch,
                note=note,
            )
        )
        entries.append(
            _move(
                actor=actor,
                store=destination,
                lot=taken_lot,
                kind=EntryKind.TRANSFER_IN,
                quantity=take,
                in_transit=True,
                batch=batch,
                note=note,
            )
        )
    _shortage_check(store=source, item=item, actor=actor)
    return entries


@transaction.atomic
def transfer_arrive(*, actor: User | None, entry: Entry) -> Entry:
    """Confirm that in-transit goods arrived at their store: out of transit and on hand there, in
    one transaction. Each in-transit entry arrives once. Needs SUPPLIES_KEEP at the destination."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, entry.place_path)
    if not entry.in_transit or entry.quantity <= 0 or entry.reverses_id is not None:
        raise ValidationError(_("These goods are not in transit."))
    if Entry.objects.filter(arrives=entry).exists() or Entry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("These goods have arrived already or the transfer was reversed."))
    batch = uuid.uuid4()
    _move(
        actor=actor,
        store=entry.store,
        lot=entry.lot,
        kind=EntryKind.TRANSFER_IN,
        quantity=-entry.quantity,
        in_transit=True,
        batch=batch,
        arrives=entry,
    )
    return _move(
        actor=actor, store=entry.store, lot=entry.lot, kind=EntryKind.TRANSFER_IN, quantity=entry.quantity, batch=batch
    )


@transaction.atomic
def entry_reverse(*, actor: User | None, entry: Entry, note: str = "") -> list[Entry]:
    """Undo a mistaken movement: every entry of its batch gets an opposite entry pointing at it
    (both legs of a transfer together). Refused for a reversal, for what was reversed already,
    for an arrived transfer, and where the goods have gone since (stock would go below zero)."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, entry.place_path)
    originals = list(Entry.objects.filter(batch=entry.batch).select_related("store", "lot", "lot__item").order_by("pk"))
    if any(e.reverses_id is not None for e in originals):
        raise ValidationError(_("A reversal cannot be reversed: record the movement again."))
    if Entry.objects.filter(reverses__in=originals).exists():
        raise ValidationError(_("This movement was reversed already."))
    if Entry.objects.filter(arrives__in=originals).exists():
        raise ValidationError(_("These goods have arrived: transfer them back instead."))
    for original in originals:
        if actor is not None:
            require(actor, Perm.SUPPLIES_KEEP, original.place_path)
    batch = uuid.uuid4()
    # Increases first, so a transfer's source gets its goods back before the in-transit leg drops.
    ordered = sorted(originals, key=lambda e: e.quantity)
    reversals = [
        _move(
            actor=actor,
            store=original.store,
            lot=original.lot,
            kind=original.kind,
            quantity=-original.quantity,
            in_transit=original.in_transit,
            reason=original.reason,
            batch=batch,
            reverses=original,
            note=note,
        )
        for original in ordered
    ]
    handout = HandOut.objects.filter(batch=entry.batch).first()
    if handout is not None:
        for original in originals:
            if original.kind == EntryKind.ISSUED:
                _tally(handout, item_id=original.item_id, quantity=original.quantity)
    for original in originals:
        audit_log(
            action=SuppliesAudit.ENTRY_REVERSED,
            actor=actor,
            obj=original.store,
            place_path=original.place_path,
            details={"entry": original.pk, "note": note[:200]},
        )
    return reversals


# Shortages and the ledger check ----------------------------------------------------------------


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


def ledger_check(*, mismatches: Sequence[Mismatch] | None = None) -> CheckReport:
    """The nightly check: compare (`ledger_compare`) and raise one alert per differing balance
    (once a day each) at its store's place, for the street administrator."""
    report = ledger_compare() if mismatches is None else CheckReport(mismatches=list(mismatches))
    if not report.mismatches:
        return report
    stores = Store.objects.in_bulk({m.store_id for m in report.mismatches})
    items = Item.objects.in_bulk({m.item_id for m in report.mismatches})
    lots = Lot.objects.in_bulk({m.lot_id for m in report.mismatches})
    today = timezone.localdate().isoformat()
    new = [
        NewAlert(
            kind=Kind.LEDGER_MISMATCH,
            place_path=stores[m.store_id].place_path,
            place_id=stores[m.store_id].place_id,
            subject_type=SUBJECT,
            subject_id=m.store_id,
            subject_label=f"{stores[m.store_id].name} · {items[m.item_id].name}",
            details={
                "item": items[m.item_id].name,
                "lot": lots[m.lot_id].code,
                "in_transit": m.in_transit,
                "balance": plain_quantity(m.balance) if m.balance is not None else "-",
                "entries": plain_quantity(m.entries) if m.entries is not None else "-",
            },
            once_key=f"supplies-ledger:{m.store_id}:{m.item_id}:{m.lot_id}:{int(m.in_transit)}:{today}",
        )
        for m in report.mismatches
    ]
    with transaction.atomic():
        report.alerts = len(alerts_raise(alerts=new))
    return report


# Donors and donations --------------------------------------------------------------------------


@dataclass(frozen=True)
class GoodsLine:
    """One line of a donation in kind as entered: `item_id` may name no item (an error on the row)."""

    item_id: Any
    quantity: Any
    lot_code: str = ""
    expires_on: date | None = None


MAX_AMOUNT = Decimal("1000000000")


@transaction.atomic
def donation_record(
    *,
    actor: User | None,
    place: Place,
    donor_name: str,
    donor_kind: str,
    anonymous: bool = False,
    contact: str = "",
    kind: str,
    received_on: date | None = None,
    store: Store | None = None,
    lines: Sequence[GoodsLine] = (),
    amount: Any = None,
    purpose: str = "",
    description: str = "",
) -> Donation:
    """Record a gift at `place`: goods (every line received into `store` as its own lot, tied to
    the donation), money (amount and purpose) or a service (what was done). All or nothing: a bad
    line is a ValidationError naming the row (`lines`: "Row 2: ..."), and nothing is written.
    Needs SUPPLIES_KEEP over the place (and the store)."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, place.path)
    errors: dict[str, list[str]] = {}
    donor_name = donor_name.strip()
    if not donor_name:
        errors.setdefault("donor_name", []).append(_("Say who gave (it is kept private if anonymous)."))
    if donor_kind not in DonorKind.values:
        errors.setdefault("donor_kind", []).append(_("Choose a kind of donor."))
    if kind not in DonationKind.values:
        raise ValidationError({"kind": _("Choose what was given.")})
    value: Decimal | None = None
    checked: list[tuple[Item, Decimal, GoodsLine]] = []
    if kind == DonationKind.IN_KIND:
        if store is None:
            errors.setdefault("store", []).append(_("Choose the store the goods went into."))
        elif actor is not None:
            require(actor, Perm.SUPPLIES_KEEP, store.place_path)
        if not lines:
            errors.setdefault("lines", []).append(_("Enter at least one line of goods."))
        items = Item.objects.in_bulk([line.item_id for line in lines if str(line.item_id).isdigit()])
        for n, line in enumerate(lines, start=1):
            item = items.get(int(line.item_id)) if str(line.item_id).isdigit() else None
            if item is None:
                errors.setdefault("lines", []).append(_("Row %(n)d: choose an item from the catalogue.") % {"n": n})
                continue
            try:
                checked.append((item, quantity_parse(item, line.quantity), line))
            except ValidationError as error:
                for message in error.message_dict.get("quantity", error.messages):
                    errors.setdefault("lines", []).append(_("Row %(n)d: %(error)s") % {"n": n, "error": message})
                continue
            if item.expiry_matters and line.expires_on is None:
                errors.setdefault("lines", []).append(
                    _("Row %(n)d: %(item)s needs an expiry date.") % {"n": n, "item": item.name}
                )
            elif line.expires_on is not None and line.expires_on < timezone.localdate():
                errors.setdefault("lines", []).append(_("Row %(n)d: this lot has expired already.") % {"n": n})
    elif kind == DonationKind.MONEY:
        try:
            value = Decimal(str(amount).strip())
            if not value.is_finite() or value <= 0 or value >= MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.setdefault("amount", []).append(_("Enter an amount in yuan greater than zero, at most 2 decimals."))
        if not purpose.strip():
            errors.setdefault("purpose", []).append(_("Say what the money is for."))
    elif not description.strip():
        errors.setdefault("description", []).append(_("Say what was done or lent."))
    if errors:
        raise ValidationError(errors)
    donor = Donor.objects.create(
        place=place,
        place_path=place.path,
        kind=donor_kind,
        name=donor_name[:100],
        anonymous=anonymous,
        contact=contact.strip()[:100],
    )
    donation = Donation.objects.create(
        donor=donor,
        place=place,
        place_path=place.path,
        kind=kind,
        received_on=received_on or timezone.localdate(),
        store=store if kind == DonationKind.IN_KIND else None,
        amount=value,
        purpose=purpose.strip()[:200],
        description=description.strip()[:200],
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    assert store is not None or not checked
    for n, (item, quantity, line) in enumerate(checked, start=1):
        code = f"D{donation.pk}-{n}" + (f"-{line.lot_code.strip()[:30]}" if line.lot_code.strip() else "")
        lot = Lot.objects.create(item=item, code=code, expires_on=line.expires_on, donation=donation)
        assert store is not None
        entry = _move(
            actor=actor,
            store=store,
            lot=lot,
            kind=EntryKind.RECEIVED,
            quantity=quantity,
            batch=uuid.uuid4(),
            note=str(_("Donation from %(donor)s") % {"donor": donor.public_name})[:200],
        )
        DonationLine.objects.create(donation=donation, item=item, quantity=quantity, lot=lot, entry=entry)
    audit_log(
        action=SuppliesAudit.DONATION_RECORDED,
        actor=actor,
        obj=donation,
        place_path=place.path,
        details={"kind": kind, "lines": len(checked), "amount": str(value) if value is not None else ""},
    )
    return donation


# Hand-outs to front-line workers ---------------------------------------------------------------


@transaction.atomic
def handout_issue(
    *,
    actor: User | None,
    store: Store,
    recipient: User,
    lines: Sequence[tuple[Item, Any]],
    post: Any = None,
) -> HandOut:
    """Issue goods from `store` to a worker (a post's kit when `post` is given): one issued entry
    per lot taken (first-expiring-first-out), all in one batch with the hand-out. The recipient must
    hold a role within the store's community or street (a worker there). All or nothing; errors
    name the row. Needs SUPPLIES_KEEP over the store."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, store.place_path)
    if not lines:
        raise ValidationError({"lines": _("Enter at least one line of goods.")})
    if post is not None and actor is not None and not scope_of(actor, Perm.SUPPLIES_KEEP).contains(post.place_path):
        raise ValidationError({"post": _("This post is outside your places.")})
    batch = uuid.uuid4()
    handout = HandOut.objects.create(
        store=store,
        place_path=store.place_path,
        recipient=recipient,
        post=post,
        team=Team.objects.filter(members__user_id=recipient.pk).order_by("pk").first(),
        batch=batch,
        issued_by=actor if actor is not None and actor.is_authenticated else None,
    )
    errors: list[str] = []
    for n, (item, quantity) in enumerate(lines, start=1):
        try:
            with transaction.atomic():
                note = post.name if post is not None else ""
                entries = stock_issue(actor=actor, store=store, item=item, quantity=quantity, batch=batch, note=note)
        except ValidationError as error:
            errors += [_("Row %(n)d: %(error)s") % {"n": n, "error": m} for m in error.messages]
            continue
        _tally(handout, item_id=item.pk, quantity=-sum((e.quantity for e in entries), Decimal(0)))
    if errors:
        raise ValidationError({"lines": errors})
    return handout


def _tally(handout: HandOut, *, item_id: int, quantity: Decimal) -> None:
    """Add `quantity` (negative on a reversal) to the hand-out's worker and post tallies, in the
    caller's transaction."""
    for by, who in (
        (TallyBy.WORKER, handout.recipient_id),
        (TallyBy.POST, handout.post_id),
        (TallyBy.TEAM, handout.team_id),
    ):
        if who is None:
            continue
        key = {"store_id": handout.store_id, "item_id": item_id, "kind": by, "who": who}
        tally, _created = HandOutTally.objects.get_or_create(**key, defaults={"place_path": handout.place_path})
        HandOutTally.objects.filter(pk=tally.pk).update(quantity=F("quantity") + quantity)


def leads_team_of(*, leader: Any, member_id: int) -> bool:
    """Whether `leader` leads a volunteer team of which the account `member_id` is a member."""
    return Team.objects.filter(leader__user_id=leader.pk, members__user_id=member_id).exists()


@transaction.atomic
def handout_confirm(*, actor: User, handout: HandOut) -> HandOut:
    """The recipient confirms they got the goods (or their volunteer team's leader, or a keeper or
    staff member over the store, does for them). Once: compare-and-set."""
    if actor.pk != handout.recipient_id and not leads_team_of(leader=actor, member_id=handout.recipient_id):
        require(actor, Perm.SUPPLIES_KEEP, handout.place_path)
    done = HandOut.objects.filter(pk=handout.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), confirmed_by=actor
    )
    if not done:
        raise ValidationError(_("This hand-out was confirmed already."))
    handout.refresh_from_db()
    return handout


# Requisitions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AskedLine:
    """One line of a requisition as entered: `item_id` may name no item (an error on the row)."""

    item_id: Any
    quantity: Any


def warehouse_for(store: Store) -> Store | None:
    """The warehouse serving `store`: the nearest street warehouse at or above its place."""
    candidates = [
        w
        for w in Store.objects.filter(kind=StoreKind.WAREHOUSE).exclude(pk=store.pk)
        if store.place_path.startswith(w.place_path)
    ]
    return max(candidates, key=lambda w: len(w.place_path), default=None)


@transaction.atomic
def requisition_submit(
    *,
    actor: User,
    store: Store,
    reason: str,
    lines: Sequence[AskedLine],
    post: Any = None,
) -> Requisition:
    """`store` asks its street's warehouse for goods (each line an item once, a positive quantity),
    saying why. All or nothing: errors name the row. Needs SUPPLIES_VIEW over the store."""
    require(actor, Perm.SUPPLIES_VIEW, store.place_path)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors.setdefault("reason", []).append(_("Say what the goods are for."))
    source = warehouse_for(store)
    if source is None:
        errors.setdefault("store", []).append(_("No street warehouse serves this store."))
    if post is not None and not (
        post.place_path.startswith(store.place_path) or store.place_path.startswith(post.place_path)
    ):
        errors.setdefault("post", []).append(_("This post is outside the store's place."))
    if not lines:
        errors.setdefault("lines", []).append(_("Enter at least one line of goods."))
    items = Item.objects.in_bulk([line.item_id for line in lines if str(line.item_id).isdigit()])
    checked: list[tuple[Item, Decimal]] = []
    for n, line in enumerate(lines, start=1):
        item = items.get(int(line.item_id)) if str(line.item_id).isdigit() else None
        if item is None:
            errors.setdefault("lines", []).append(_("Row %(n)d: choose an item from the catalogue.") % {"n": n})
            continue
        if any(seen.pk == item.pk for seen, _q in checked):
            errors.setdefault("lines", []).append(
                _("Row %(n)d: %(item)s is asked for already.") % {"n": n, "item": item.name}
            )
            continue
        try:
            checked.append((item, quantity_parse(item, line.quantity)))
        except ValidationError as error:
            for message in error.message_dict.get("quantity", error.messages):
                errors.setdefault("lines", []).append(_("Row %(n)d: %(error)s") % {"n": n, "error": message})
    if errors:
        raise ValidationError(errors)
    assert source is not None
    requisition = Requisition.objects.create(
        store=store,
        place_path=store.place_path,
        source=source,
        source_path=source.place_path,
        post=post,
        reason=reason.strip()[:300],
        requested_by=actor,
    )
    RequisitionLine.objects.bulk_create(
        [RequisitionLine(requisition=requisition, item=item, quantity=q) for item, q in checked]
    )
    transitions.record(
        requisition, from_status="", to_status=RequisitionStatus.SUBMITTED, actor=actor, reason=requisition.reason
    )
    return requisition


def requisition_packs(lines: Sequence[RequisitionLine]) -> Decimal:
    """The approved quantity in packs, summed over the lines: what the threshold compares."""
    return sum((Decimal(line.approved or 0) / line.item.pack_size for line in lines), Decimal(0))


@transaction.atomic
def requisition_approve(
    *, actor: User, requisition: Requisition, approved: Mapping[int, Any], note: str = ""
) -> Requisition:
    """The street approves all or part of each line (`approved`: line pk -> quantity, 0 for none,
    at most what was asked). Over TONGZHOU_SUPPLIES_SECOND_APPROVAL_PACKS packs the requisition
    waits for a second person (a RequisitionApproval in the shared queue); otherwise it is approved.
    Needs SUPPLIES_MANAGE over the warehouse; never one's own requisition."""
    require(actor, Perm.SUPPLIES_MANAGE, requisition.source_path)
    if requisition.requested_by_id == actor.pk:
        raise transitions.OwnRequest(_("A second person must decide a request you made."))
    lines = list(requisition.lines.select_related("item"))
    errors: list[str] = []
    for n, line in enumerate(lines, start=1):
        raw = approved.get(line.pk, "")
        if str(raw).strip() in ("", "0"):
            line.approved = Decimal(0)
            continue
        try:
            value = quantity_parse(line.item, raw)
        except ValidationError as error:
            errors += [_("Row %(n)d: %(error)s") % {"n": n, "error": m} for m in error.messages]
            continue
        if value > line.quantity:
            errors.append(
                _("Row %(n)d: at most the %(asked)s asked for.") % {"n": n, "asked": plain_quantity(line.quantity)}
            )
        line.approved = value
    if not errors and not any(line.approved for line in lines):
        errors.append(_("Approve at least one line, or reject the requisition."))
    if errors:
        raise ValidationError({"lines": errors})
    RequisitionLine.objects.bulk_update(lines, ["approved"])
    packs = requisition_packs(lines)
    second = packs > settings.TONGZHOU_SUPPLIES_SECOND_APPROVAL_PACKS
    to = RequisitionStatus.SECOND if second else RequisitionStatus.APPROVED
    if requisition.status != RequisitionStatus.SUBMITTED:
        raise transitions.AlreadyDecided(_("This was decided already."))
    transitions.move(requisition, to=to, actor=actor, reason=note, changes={"approved_by": actor})
    audit_log(
        action=SuppliesAudit.REQUISITION_DECIDED,
        actor=actor,
        obj=requisition,
        place_path=requisition.place_path,
        details={"decision": to, "packs": str(packs.quantize(Decimal("0.1")))},
    )
    if second:
        approval = RequisitionApproval.objects.create(
            requisition=requisition, place_path=requisition.source_path, requested_by=actor
        )
        users = [u for u in users_with_perm_over(requisition.source_path, Perm.SUPPLIES_MANAGE) if u.pk != actor.pk]
        transaction.on_commit(
            lambda: transitions.approvers_notify(
                request_obj=approval,
                kind_key="requisition",
                users=users,
                text=gettext_lazy("A requisition from %(store)s waits for your second approval."),
                params={"store": requisition.store.name},
            )
        )
    return requisition


@transaction.atomic
def requisition_reject(*, actor: User, requisition: Requisition, note: str) -> Requisition:
    """The street refuses the requisition, saying why. Needs SUPPLIES_MANAGE over the warehouse."""
    require(actor, Perm.SUPPLIES_MANAGE, requisition.source_path)
    if requisition.requested_by_id == actor.pk:
        raise transitions.OwnRequest(_("A second person must decide a request you made."))
    if not note.strip():
        raise ValidationError({"note": _("Say why.")})
    transitions.move(requisition, to=RequisitionStatus.REJECTED, actor=actor, reason=note.strip())
    audit_log(
        action=SuppliesAudit.REQUISITION_DECIDED,
        actor=actor,
        obj=requisition,
        place_path=requisition.place_path,
        details={"decision": RequisitionStatus.REJECTED},
    )
    return requisition


def requisition_second_decide(
    *, actor: User, approval: RequisitionApproval, approve: bool, note: str = ""
) -> RequisitionApproval:
    """The second approval (core.transitions.decide: locked, once, never the first approver's),
    refused to the requisition's asker too. Approving moves the requisition to approved; a
    refusal, to rejected."""
    requisition = approval.requisition

    def not_the_asker(locked: RequisitionApproval) -> None:
        if requisition.requested_by_id == actor.pk:
            raise transitions.OwnRequest(_("A second person must decide a request you made."))

    def approved(locked: RequisitionApproval) -> None:
        transitions.move(requisition, to=RequisitionStatus.APPROVED, actor=actor, reason=note)

    with transaction.atomic():
        decided = transitions.decide(
            approval,
            actor=actor,
            approve=approve,
            perm=Perm.SUPPLIES_MANAGE,
            path=approval.place_path,
            note=note,
            apply=approved,
            check=not_the_asker,
            audit_action=SuppliesAudit.REQUISITION_SECOND,
            audit_obj=requisition,
        )
        if not approve:
            transitions.move(requisition, to=RequisitionStatus.REJECTED, actor=actor, reason=note)
    return decided


@transaction.atomic
def requisition_issue(*, actor: User | None, requisition: Requisition) -> Requisition:
    """The warehouse sends the approved lines to the asking store: one transfer per line (the
    existing `stock_transfer`, in transit until the store confirms). All or nothing; errors name
    the row. Needs SUPPLIES_KEEP over the warehouse."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, requisition.source_path)
    transitions.move(requisition, to=RequisitionStatus.ISSUED, actor=actor)
    lines = list(requisition.lines.select_related("item").filter(approved__gt=0))
    errors: list[str] = []
    note = str(_("Requisition %(n)s") % {"n": requisition.pk})
    for n, line in enumerate(lines, start=1):
        try:
            with transaction.atomic():
                entries = stock_transfer(
                    actor=actor,
                    source=requisition.source,
                    destination=requisition.store,
                    item=line.item,
                    quantity=line.approved,
                    note=note,
                )
        except ValidationError as error:
            errors += [_("Row %(n)d: %(error)s") % {"n": n, "error": m} for m in error.messages]
            continue
        line.batch = entries[0].batch
    if errors:
        raise ValidationError({"lines": errors})
    RequisitionLine.objects.bulk_update(lines, ["batch"])
    return requisition


@transaction.atomic
def requisition_receive(*, actor: User | None, requisition: Requisition) -> Requisition:
    """The asking store confirms the goods arrived: every in-transit entry of the requisition's
    transfers arrives (`transfer_arrive`; those confirmed already on the store page are skipped),
    and the requisition is delivered. Needs SUPPLIES_KEEP over the asking store."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, requisition.place_path)
    batches = [b for b in requisition.lines.values_list("batch", flat=True) if b is not None]
    transitions.move(requisition, to=RequisitionStatus.DELIVERED, actor=actor)
    waiting = Entry.objects.filter(
        batch__in=batches,
        store=requisition.store,
        in_transit=True,
        quantity__gt=0,
        arrival__isnull=True,
        reversed_by__isnull=True,
    ).select_related("store", "lot", "lot__item")
    for entry in waiting:
        transfer_arrive(actor=actor, entry=entry)
    return requisition
