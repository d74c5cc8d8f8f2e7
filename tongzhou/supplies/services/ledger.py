"""Moving stock: every movement appends ledger entries and changes their running balances in one
transaction (receive, issue, return, adjust, transfer and its arrival, reversal). A decrease is a
conditional UPDATE (`quantity >= n`), so stock never goes below zero. Hand-out tallies follow
their entries here."""

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.supplies.audit import SuppliesAudit
from tongzhou.supplies.models import (
    AdjustReason,
    Balance,
    ClaimKind,
    Entry,
    EntryClaim,
    EntryKind,
    HandOut,
    HandOutTally,
    Item,
    Lot,
    Store,
    TallyBy,
)
from tongzhou.supplies.services.catalogue import lot_for
from tongzhou.supplies.services.checks import _shortage_check
from tongzhou.supplies.services.quantities import USED, plain_quantity, quantity_parse


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
    if reverses is not None:
        _claim(ClaimKind.REVERSAL, reverses, entry, _("This movement was reversed already."))
    if arrives is not None:
        _claim(ClaimKind.ARRIVAL, arrives, entry, _("These goods have arrived already or the transfer was reversed."))
    return entry


def _claim(kind: str, original: Entry, by: Entry, refused: str) -> None:
    """The unique key behind "reversed once" / "arrives once", in the entry's transaction: a
    second claim (two people at once, past the services' checks) is refused with the check's
    message, and the caller's transaction writes nothing."""
    try:
        with transaction.atomic():
            EntryClaim.objects.create(kind=kind, entry=original, by=by)
    except IntegrityError as error:
        raise ValidationError(refused) from error


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
