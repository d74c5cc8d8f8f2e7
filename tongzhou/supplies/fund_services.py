"""Every write of funds: a fund at a place, money donations put into it, grants applied for and
answered, and purchases out of it (with the invoice's photo and the lines received into a store
through the stock ledger).

A fund's balance is never stored: it is summed from its donations, approved grants and purchases.
Spending is serialised per fund by locking the fund's row (SELECT ... FOR UPDATE on PostgreSQL;
SQLite's write transactions are serial already), then summing and refusing what would take the
balance below zero, so two purchases at once cannot both spend the same money.
Bad input raises ValidationError naming the field (or the row), and nothing is written.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import users_with_perm_over
from tongzhou.core import transitions
from tongzhou.core.access import require
from tongzhou.core.images import photo_kind, without_metadata
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import is_within
from tongzhou.core.services import audit_log
from tongzhou.places.models import Place
from tongzhou.supplies.audit import SuppliesAudit
from tongzhou.supplies.fund_selectors import fund_sums
from tongzhou.supplies.models import (
    Donation,
    DonationKind,
    EntryKind,
    Fund,
    Grant,
    GrantStatus,
    Item,
    Lot,
    Purchase,
    PurchaseApproval,
    PurchaseLine,
    PurchaseStatus,
    Store,
)
from tongzhou.supplies.services.ledger import _move
from tongzhou.supplies.services.quantities import quantity_parse

MAX_AMOUNT = Decimal("1000000000")


def amount_parse(raw: Any, *, field_name: str = "amount") -> Decimal:
    """A sum of money in yuan: greater than zero, at most 2 decimals. ValidationError naming
    `field_name` otherwise (junk, negative, zero, too many decimals, too large)."""
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field_name: _("Enter an amount in yuan greater than zero, at most 2 decimals.")}
        ) from None
    if not value.is_finite() or value <= 0 or value >= MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise ValidationError({field_name: _("Enter an amount in yuan greater than zero, at most 2 decimals.")})
    return value.quantize(Decimal("0.01"))


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


@transaction.atomic
def fund_create(*, actor: User | None, place: Place, name: str, purpose: str = "") -> Fund:
    """A fund held at `place`. Needs SUPPLIES_MANAGE there."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_MANAGE, place.path)
    if not name.strip():
        raise ValidationError({"name": _("Name the fund.")})
    if Fund.objects.filter(place=place, name=name.strip()).exists():
        raise ValidationError({"name": _("This place has a fund of this name already.")})
    fund = Fund.objects.create(
        place=place, place_path=place.path, name=name.strip()[:100], purpose=purpose.strip()[:200]
    )
    audit_log(action=SuppliesAudit.FUND_CREATED, actor=actor, obj=fund, place_path=place.path)
    return fund


@transaction.atomic
def donation_to_fund(*, actor: User | None, fund: Fund, donation: Donation) -> Donation:
    """Put a money donation into `fund`, once (a donation in a fund stays there). The donation must
    have been received at the fund's place or below it. Needs SUPPLIES_MANAGE over the fund."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_MANAGE, fund.place_path)
    if donation.kind != DonationKind.MONEY:
        raise ValidationError({"donation": _("Only a donation of money goes into a fund.")})
    if not is_within(donation.place_path, fund.place_path):
        raise ValidationError({"donation": _("This donation was received outside the fund's place.")})
    if not Donation.objects.filter(pk=donation.pk, fund__isnull=True).update(fund=fund):
        raise ValidationError({"donation": _("This donation is in a fund already.")})
    donation.fund = fund
    audit_log(
        action=SuppliesAudit.FUND_DONATION,
        actor=actor,
        obj=fund,
        place_path=fund.place_path,
        details={"donation": donation.pk, "amount": str(donation.amount)},
    )
    return donation


@transaction.atomic
def grant_apply(
    *,
    actor: User | None,
    fund: Fund,
    applicant: str,
    funder: str,
    amount: Any,
    applied_on: date | None = None,
    purpose: str = "",
) -> Grant:
    """Record an application for money into `fund` (who applied, to whom, how much). Needs
    SUPPLIES_MANAGE over the fund."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_MANAGE, fund.place_path)
    errors: dict[str, list[str]] = {}
    if not applicant.strip():
        errors.setdefault("applicant", []).append(_("Say who applied."))
    if not funder.strip():
        errors.setdefault("funder", []).append(_("Say whom the money was asked from."))
    value: Decimal | None = None
    try:
        value = amount_parse(amount, field_name="amount_asked")
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    assert value is not None
    grant = Grant.objects.create(
        fund=fund,
        place_path=fund.place_path,
        applicant=applicant.strip()[:100],
        funder=funder.strip()[:100],
        applied_on=applied_on or timezone.localdate(),
        amount_asked=value,
        purpose=purpose.strip()[:200],
        recorded_by=_user(actor),
    )
    audit_log(
        action=SuppliesAudit.GRANT_APPLIED,
        actor=actor,
        obj=grant,
        place_path=fund.place_path,
        details={"amount": str(value)},
    )
    return grant


@transaction.atomic
def grant_answer(
    *,
    actor: User | None,
    grant: Grant,
    approve: bool,
    amount: Any = None,
    answered_on: date | None = None,
    note: str = "",
) -> Grant:
    """Record the funder's answer: approved for `amount` (at most what was asked; the money joins
    the fund) or refused. Once: compare-and-set on the status. Needs SUPPLIES_MANAGE over the fund."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_MANAGE, grant.place_path)
    value: Decimal | None = None
    if approve:
        value = amount_parse(amount, field_name="amount_approved")
        if value > grant.amount_asked:
            raise ValidationError(
                {"amount_approved": _("At most the %(asked)s yuan asked for.") % {"asked": grant.amount_asked}}
            )
    elif not note.strip():
        raise ValidationError({"note": _("Say why (the funder's reason).")})
    done = Grant.objects.filter(pk=grant.pk, status=GrantStatus.ASKED).update(
        status=GrantStatus.APPROVED if approve else GrantStatus.REFUSED,
        amount_approved=value,
        answered_on=answered_on or timezone.localdate(),
        decision_note=note.strip()[:200],
        decided_by=_user(actor),
        decided_at=timezone.now(),
    )
    if not done:
        raise ValidationError({"status": _("This application was answered already.")})
    grant.refresh_from_db()
    audit_log(
        action=SuppliesAudit.GRANT_ANSWERED,
        actor=actor,
        obj=grant,
        place_path=grant.place_path,
        details={"status": grant.status, "amount": str(value or "")},
    )
    return grant


# Purchases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoughtLine:
    """One line of a purchase as entered: `item_id` may name no item (an error on the row)."""

    item_id: Any
    quantity: Any
    lot_code: str = ""
    expires_on: date | None = None


def _lines_checked(lines: Sequence[BoughtLine]) -> tuple[list[tuple[Item, Decimal, BoughtLine]], list[str]]:
    errors: list[str] = []
    checked: list[tuple[Item, Decimal, BoughtLine]] = []
    if not lines:
        errors.append(_("Enter at least one line of goods."))
    items = Item.objects.in_bulk([line.item_id for line in lines if str(line.item_id).isdigit()])
    today = timezone.localdate()
    for n, line in enumerate(lines, start=1):
        item = items.get(int(line.item_id)) if str(line.item_id).isdigit() else None
        if item is None:
            errors.append(_("Row %(n)d: choose an item from the catalogue.") % {"n": n})
            continue
        try:
            checked.append((item, quantity_parse(item, line.quantity), line))
        except ValidationError as error:
            errors += [_("Row %(n)d: %(error)s") % {"n": n, "error": m} for m in error.messages]
            continue
        if item.expiry_matters and line.expires_on is None:
            errors.append(_("Row %(n)d: %(item)s needs an expiry date.") % {"n": n, "item": item.name})
        elif line.expires_on is not None and line.expires_on < today:
            errors.append(_("Row %(n)d: this lot has expired already.") % {"n": n})
    return checked, errors


def _receive(purchase: Purchase, actor: User | None) -> None:
    """Receive every line of `purchase` into its store: one lot per line (coded P<purchase>-<n>),
    one received entry each, all in one batch, in the caller's transaction."""
    batch = uuid.uuid4()
    note = str(_("Bought from %(supplier)s") % {"supplier": purchase.supplier})[:200]
    for n, line in enumerate(purchase.lines.select_related("item").order_by("pk"), start=1):
        code = f"P{purchase.pk}-{n}" + (f"-{line.lot_code}" if line.lot_code else "")
        lot = Lot.objects.create(item=line.item, code=code, expires_on=line.expires_on)
        line.lot = lot
        line.entry = _move(
            actor=actor,
            store=purchase.store,
            lot=lot,
            kind=EntryKind.RECEIVED,
            quantity=line.quantity,
            batch=batch,
            note=note,
        )
        line.save(update_fields=["lot", "entry"])
    purchase.batch = batch
    purchase.status = PurchaseStatus.DONE
    purchase.save(update_fields=["batch", "status", "updated_at"])


@transaction.atomic
def purchase_record(
    *,
    actor: User | None,
    fund: Fund,
    store: Store | None,
    supplier: str,
    amount: Any,
    lines: Sequence[BoughtLine],
    bought_on: date | None = None,
    invoice: UploadedFile | None = None,
    note: str = "",
) -> Purchase:
    """Spend `amount` of `fund` on goods from `supplier`, received into `store` (at the fund's
    place or below it). Refused when the fund's balance (less what waiting purchases hold) is
    smaller than the amount. Up to TONGZHOU_SUPPLIES_PURCHASE_SECOND_APPROVAL yuan the lines are
    received at once; above it the purchase waits for a second person (a PurchaseApproval in the
    shared queue) and holds its amount meanwhile. All or nothing; errors name the field or row.
    Needs SUPPLIES_MANAGE over the fund."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_MANAGE, fund.place_path)
    errors: dict[str, list[str]] = {}
    if not supplier.strip():
        errors.setdefault("supplier", []).append(_("Name the supplier."))
    if store is None:
        errors.setdefault("store", []).append(_("Choose the store the goods went into."))
    elif not is_within(store.place_path, fund.place_path):
        errors.setdefault("store", []).append(_("This store is outside the fund's place."))
    value: Decimal | None = None
    try:
        value = amount_parse(amount)
    except ValidationError as error:
        errors.update(error.message_dict)
    checked, line_errors = _lines_checked(lines)
    if line_errors:
        errors["lines"] = line_errors
    extension = content_type = ""
    if invoice is not None:
        try:
            extension, content_type = photo_kind(invoice, field="invoice")
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    assert store is not None and value is not None
    # Serialise spending of this fund: the second of two purchases at once waits here, then sums.
    locked = Fund.objects.select_for_update().get(pk=fund.pk)
    available = fund_sums(locked).balance
    if value > available:
        raise ValidationError(
            {"amount": _("The fund has only %(n)s yuan left.") % {"n": available.quantize(Decimal("0.01"))}}
        )
    purchase = Purchase(
        fund=locked,
        place_path=locked.place_path,
        store=store,
        supplier=supplier.strip()[:100],
        bought_on=bought_on or timezone.localdate(),
        amount=value,
        note=note.strip()[:200],
        invoice_extension=extension,
        invoice_type=content_type,
        status=PurchaseStatus.WAITING,
        recorded_by=_user(actor),
    )
    if invoice is not None:
        purchase.invoice.save("invoice", without_metadata(invoice), save=False)
    purchase.save()
    PurchaseLine.objects.bulk_create(
        [
            PurchaseLine(
                purchase=purchase,
                item=item,
                quantity=quantity,
                lot_code=line.lot_code.strip()[:20],
                expires_on=line.expires_on,
            )
            for item, quantity, line in checked
        ]
    )
    second = value > settings.TONGZHOU_SUPPLIES_PURCHASE_SECOND_APPROVAL
    audit_log(
        action=SuppliesAudit.PURCHASE_RECORDED,
        actor=actor,
        obj=purchase,
        place_path=purchase.place_path,
        details={"amount": str(value), "lines": len(checked), "second": second},
    )
    if not second:
        _receive(purchase, actor)
        return purchase
    if actor is None:
        raise ValidationError({"amount": _("A purchase over the threshold needs a person to record it.")})
    approval = PurchaseApproval.objects.create(purchase=purchase, place_path=purchase.place_path, requested_by=actor)
    users = [u for u in users_with_perm_over(purchase.place_path, Perm.SUPPLIES_MANAGE) if u.pk != actor.pk]
    transaction.on_commit(
        lambda: transitions.approvers_notify(
            request_obj=approval,
            kind_key="purchase",
            users=users,
            text=gettext_lazy("A purchase from %(supplier)s waits for your second approval."),
            params={"supplier": purchase.supplier},
        )
    )
    return purchase


def purchase_second_decide(
    *, actor: User, approval: PurchaseApproval, approve: bool, note: str = ""
) -> PurchaseApproval:
    """The second approval (core.transitions.decide: locked, once, never the recorder's). Approving
    receives the lines into the store; refusing releases the amount it held."""
    purchase = approval.purchase

    def received(locked: PurchaseApproval) -> None:
        fresh = Purchase.objects.select_for_update().get(pk=purchase.pk)
        if fresh.status != PurchaseStatus.WAITING:
            raise transitions.AlreadyDecided(_("This was decided already."))
        _receive(fresh, actor)

    with transaction.atomic():
        decided = transitions.decide(
            approval,
            actor=actor,
            approve=approve,
            perm=Perm.SUPPLIES_MANAGE,
            path=approval.place_path,
            note=note,
            apply=received,
            audit_action=SuppliesAudit.PURCHASE_SECOND,
            audit_obj=purchase,
        )
        if not approve:
            Purchase.objects.filter(pk=purchase.pk, status=PurchaseStatus.WAITING).update(
                status=PurchaseStatus.REFUSED, updated_at=timezone.now()
            )
    return decided
