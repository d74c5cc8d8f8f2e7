"""Key persons and isolation orders: registering, ordering, changes, and overrides decided by a second person."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import users_with_perm_over
from tongzhou.alerts.services import alerts_close_for_subject
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.core.transitions import approvers_notify, decide, move, record
from tongzhou.monitoring.alert_kinds import SUBJECT
from tongzhou.monitoring.approval_kinds import OVERRIDE
from tongzhou.monitoring.audit import MonitoringAudit
from tongzhou.monitoring.models import (
    AlertKind,
    IsolationOrder,
    KeyPerson,
    OrderAction,
    OrderKind,
    OrderStatus,
    Override,
    OverrideStatus,
    Reason,
    RiskLevel,
)
from tongzhou.monitoring.schedule import first_due, parse_check_times, policy_days
from tongzhou.monitoring.services._base import _audit, _text
from tongzhou.people.audit import PeopleAudit
from tongzhou.people.models import Person


def order_view_record(*, actor: User, order: IsolationOrder, what: str, request: HttpRequest | None = None) -> None:
    """Reading someone's isolation and health data is logged on their record, where they see it."""
    audit_log(
        action=PeopleAudit.PERSON_VIEWED,
        actor=actor,
        obj=order.key_person.person,
        place_path=order.place_path,
        request=request,
        details={"order": order.pk, "viewed": what},
    )


@transaction.atomic
def key_person_register(
    *,
    actor: User,
    person: Person,
    reason: str,
    risk_level: str = RiskLevel.MEDIUM,
    risk_area: str = "",
    arrived_on: date | None = None,
    evidence: str = "",
    request: HttpRequest | None = None,
) -> KeyPerson:
    require(actor, Perm.KEY_PERSON_REGISTER, person.place_path)
    errors: dict[str, str] = {}
    if reason not in Reason.values:
        errors["reason"] = _("Choose a reason.")
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = _("Choose a risk level.")
    if reason == Reason.RISK_AREA and not risk_area.strip():
        errors["risk_area"] = _("Name the risk area.")
    if len(risk_area) > 100:
        errors["risk_area"] = _("At most %(n)d characters.") % {"n": 100}
    if arrived_on is not None and arrived_on > timezone.localdate():
        errors["arrived_on"] = _("This date is in the future.")
    if person.merged_into_id or person.moved_out_on:
        errors["person"] = _("This record was merged or the resident moved out; choose the current one.")
    if errors:
        raise ValidationError(errors)
    key_person = KeyPerson.objects.create(
        person=person,
        place_path=person.place_path,
        reason=reason,
        risk_level=risk_level,
        risk_area=risk_area.strip(),
        arrived_on=arrived_on,
        evidence=_text(evidence, "evidence"),
        registered_by=actor,
    )
    audit_log(
        action=MonitoringAudit.KEY_PERSON_REGISTERED,
        actor=actor,
        obj=person,
        place_path=person.place_path,
        request=request,
        details={"key_person": key_person.pk, "reason": reason},
    )
    return key_person


@transaction.atomic
def order_create(
    *,
    actor: User,
    key_person: KeyPerson,
    kind: str,
    starts_on: date | None = None,
    facility: str = "",
    check_times: list[str] | None = None,
    reason: str = "",
    evidence: str = "",
    request: HttpRequest | None = None,
) -> IsolationOrder:
    """Order isolation for a key person; the planned end comes from the policy for the kind."""
    require(actor, Perm.ISOLATION_ORDER, key_person.place_path)
    if kind not in OrderKind.values:
        raise ValidationError({"kind": _("Choose a kind of order.")})
    if kind == OrderKind.CENTRALIZED and not facility.strip():
        raise ValidationError({"facility": _("Name the isolation facility.")})
    if IsolationOrder.objects.filter(key_person__person=key_person.person, status=OrderStatus.ACTIVE).exists():
        raise ValidationError(_("This resident is already under an active order: extend or end it instead."))
    days, follow_up = policy_days().get(kind, (14, 0))
    today = timezone.localdate()
    starts_on = starts_on or today
    if starts_on < today - timedelta(days=days):
        raise ValidationError({"starts_on": _("This start is so long ago that the order would already be over.")})
    times = parse_check_times(check_times or settings.TONGZHOU_CHECK_TIMES)
    order = IsolationOrder.objects.create(
        key_person=key_person,
        place_path=key_person.place_path,
        kind=kind,
        facility=facility.strip()[:100],
        starts_on=starts_on,
        planned_end_on=starts_on + timedelta(days=days),
        follow_up_days=follow_up,
        check_times=[t.strftime("%H:%M") for t in times],
        next_due_at=first_due(starts_on, times, timezone.now()),
        ordered_by=actor,
    )
    record(
        order,
        from_status="",
        to_status=order.status,
        actor=actor,
        action=OrderAction.ORDERED,
        reason=_text(reason, "reason") or str(Reason(key_person.reason).label),
        evidence=_text(evidence, "evidence"),
        planned_end_on=order.planned_end_on,
    )
    _audit(order, OrderAction.ORDERED, actor, request)
    return order


def _locked(order: IsolationOrder) -> IsolationOrder:
    order = IsolationOrder.objects.select_for_update().select_related("key_person__person").get(pk=order.pk)
    if order.status != OrderStatus.ACTIVE:
        raise ValidationError(_("This order has ended."))
    return order


@dataclass
class Change:
    """What a health officer asks: a new planned end, or an end of the order."""

    action: str
    reason: str
    evidence: str = ""
    planned_end_on: date | None = None
    facility: str = ""


def _needs_override(order: IsolationOrder, change: Change) -> bool:
    today = timezone.localdate()
    if change.action == OrderAction.RELEASED:
        return today < order.planned_end_on
    return change.action == OrderAction.SHORTENED


def _apply(order: IsolationOrder, change: Change, actor: User, approver: User | None) -> IsolationOrder:
    now = timezone.now()
    history: dict[str, Any] = {"action": change.action, "approved_by": approver}
    if change.action in (OrderAction.EXTENDED, OrderAction.SHORTENED):
        order = move(
            order,
            to=order.status,
            allow_stay=True,
            actor=actor,
            reason=change.reason,
            evidence=change.evidence,
            changes={"planned_end_on": change.planned_end_on},
            planned_end_on=change.planned_end_on,
            **history,
        )
    else:
        ends: dict[str, str] = {
            OrderAction.RELEASED: OrderStatus.RELEASED,
            OrderAction.TRANSFERRED: OrderStatus.TRANSFERRED,
            OrderAction.LOST: OrderStatus.LOST,
        }
        changes: dict[str, Any] = {"ended_at": now, "end_reason": change.reason, "next_due_at": None}
        if change.facility:
            changes["facility"] = change.facility[:100]
        order = move(
            order,
            to=ends[change.action],
            actor=actor,
            reason=change.reason,
            evidence=change.evidence,
            changes=changes,
            planned_end_on=order.planned_end_on,
            **history,
        )
        # The planned end's reminder is answered by the end itself.
        alerts_close_for_subject(
            kind=AlertKind.RELEASE_DUE,
            subject_type=SUBJECT,
            subject_id=order.pk,
            closed_by=actor,
            outcome=change.action,
            now=now,
        )
    _audit(order, change.action, actor)
    if change.action == OrderAction.RELEASED and order.follow_up_days:
        follow = IsolationOrder.objects.create(
            key_person=order.key_person,
            place_path=order.place_path,
            kind=OrderKind.HOME_MONITORING,
            starts_on=timezone.localdate(),
            planned_end_on=timezone.localdate() + timedelta(days=order.follow_up_days),
            check_times=order.check_times,
            next_due_at=first_due(timezone.localdate(), parse_check_times(order.check_times), timezone.now()),
            ordered_by=actor,
        )
        record(
            follow,
            from_status="",
            to_status=follow.status,
            actor=actor,
            action=OrderAction.ORDERED,
            reason=_("Follow-up monitoring after %(kind)s") % {"kind": order.get_kind_display()},
            planned_end_on=follow.planned_end_on,
        )
    return order


@transaction.atomic
def order_change(*, actor: User, order: IsolationOrder, change: Change) -> IsolationOrder | Override:
    """Extend, shorten, release, transfer or mark lost. Within the rules it takes effect at once;
    otherwise it becomes an override waiting for a second approver, and nothing changes yet."""
    require(actor, Perm.ISOLATION_ORDER, order.place_path)
    order = _locked(order)
    if change.action not in (
        OrderAction.EXTENDED,
        OrderAction.SHORTENED,
        OrderAction.RELEASED,
        OrderAction.TRANSFERRED,
        OrderAction.LOST,
    ):
        raise ValidationError({"action": _("Unknown change.")})
    change.reason = _text(change.reason, "reason", required=True)
    change.evidence = _text(change.evidence, "evidence")
    if change.action in (OrderAction.EXTENDED, OrderAction.SHORTENED):
        if change.planned_end_on is None:
            raise ValidationError({"planned_end_on": _("Give the new planned end.")})
        if change.action == OrderAction.EXTENDED and change.planned_end_on <= order.planned_end_on:
            raise ValidationError({"planned_end_on": _("An extension ends after the current planned end.")})
        if change.action == OrderAction.SHORTENED and not (
            order.starts_on < change.planned_end_on < order.planned_end_on
        ):
            raise ValidationError({"planned_end_on": _("A shorter order ends after its start and before its end.")})
    if change.action == OrderAction.TRANSFERRED and not change.facility.strip():
        raise ValidationError({"facility": _("Say where to (hospital or facility).")})
    if _needs_override(order, change):
        if not change.evidence:
            raise ValidationError({"evidence": _("An exception to the rules needs its evidence.")})
        if Override.objects.filter(order=order, status=OverrideStatus.PENDING).exists():
            raise ValidationError(_("Another exception for this order is waiting for approval."))
        override = Override.objects.create(
            order=order,
            action=change.action,
            planned_end_on=change.planned_end_on,
            reason=change.reason,
            evidence=change.evidence,
            requested_by=actor,
        )
        approvers_notify(
            request_obj=override,
            kind_key=OVERRIDE,
            users=users_with_perm_over(order.place_path, Perm.STATUS_APPROVE),
            text=gettext_lazy("An exception for a key person's isolation waits for your approval:"),
        )
        return override
    return _apply(order, change, actor, approver=None)


@transaction.atomic
def override_decide(*, actor: User, override: Override, approve: bool, note: str = "") -> Override:
    """The second person approves or rejects an exception (`core.transitions.decide`: locked,
    decided once, never by the requester); an approval applies it, in the requester's name."""
    order = override.order

    def apply(decided: Override) -> None:
        _apply(
            _locked(order),
            Change(
                action=decided.action,
                reason=decided.reason + (f" ({note.strip()})" if note.strip() else ""),
                evidence=decided.evidence,
                planned_end_on=decided.planned_end_on,
            ),
            decided.requested_by,
            approver=actor,
        )

    return decide(
        override,
        actor=actor,
        approve=approve,
        note=note,
        perm=Perm.STATUS_APPROVE,
        path=order.place_path,
        apply=apply,
        audit_action=MonitoringAudit.ISOLATION_CHANGED,
        audit_obj=order.key_person.person,
        audit_details={"order": order.pk, "action": override.action},
    )
