"""Donors and donations (in kind, received into a store through the ledger; or money)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.places.models import Place
from tongzhou.supplies.audit import SuppliesAudit
from tongzhou.supplies.models import (
    Donation,
    DonationKind,
    DonationLine,
    Donor,
    DonorKind,
    EntryKind,
    Item,
    Lot,
    Store,
)
from tongzhou.supplies.services.ledger import _move
from tongzhou.supplies.services.quantities import quantity_parse


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
