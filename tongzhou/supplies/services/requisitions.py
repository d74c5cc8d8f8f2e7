"""Requisitions: a store asks its warehouse for goods; approved (with a second approval over the
threshold), issued and received through the ledger."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import users_with_perm_over
from tongzhou.core import transitions
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.supplies.audit import SuppliesAudit
from tongzhou.supplies.models import (
    Entry,
    Item,
    Requisition,
    RequisitionApproval,
    RequisitionLine,
    RequisitionStatus,
    Store,
    StoreKind,
)
from tongzhou.supplies.services.ledger import stock_transfer, transfer_arrive
from tongzhou.supplies.services.quantities import plain_quantity, quantity_parse


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
        arrivals__isnull=True,
        reversals__isnull=True,
    ).select_related("store", "lot", "lot__item")
    for entry in waiting:
        transfer_arrive(actor=actor, entry=entry)
    return requisition
