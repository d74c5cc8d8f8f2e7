"""Every write of the monitoring module: registering key persons, isolation orders and their status
changes (with the four-eyes override), daily checks, alerts, escalation and the health-data purge.

Rules: an order is released by a health officer on or after its planned end; releasing earlier or
shortening it skips the policy and becomes an `Override` that changes nothing until a second
person approves it (`core.transitions.decide`). Every change of status is an `OrderEvent` (who, why,
evidence, approver), written by `core.transitions.move`, and an audit event on the resident's
record, which the resident reads through their personal link.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import users_with_perm_over
from tongzhou.alerts.services import NewAlert, alerts_close_for_subject, alerts_raise, alerts_scrub
from tongzhou.core.access import require
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.pii import mask_name
from tongzhou.core.services import audit_log
from tongzhou.core.transitions import decide, move, record
from tongzhou.monitoring.alert_kinds import SUBJECT, slot_key
from tongzhou.monitoring.audit import MonitoringAudit
from tongzhou.monitoring.models import (
    AlertKind,
    CheckMethod,
    HealthCheck,
    IsolationOrder,
    KeyPerson,
    Need,
    OrderAction,
    OrderKind,
    OrderStatus,
    Override,
    OverrideStatus,
    Reason,
    RiskLevel,
    Symptom,
)
from tongzhou.monitoring.schedule import due_after_check, first_due, parse_check_times, policy_days
from tongzhou.people.audit import PeopleAudit
from tongzhou.people.models import Person

MAX_TEXT = 2000
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))


def _text(value: str, field_name: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError({field_name: _("This is required.")})
    if len(value) > MAX_TEXT:
        raise ValidationError({field_name: _("At most %(n)d characters.") % {"n": MAX_TEXT}})
    return value


def _notify(users: list[User], text: Any, **params: object) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        message = str(text) % {key: str(value) for key, value in params.items()}
        for user in users:
            if user.phone:
                send_message(to=user.phone, text=message)


def _audit(order: IsolationOrder, action: str, actor: User | None, request: HttpRequest | None = None) -> None:
    audit_log(
        action=MonitoringAudit.ISOLATION_CHANGED,
        actor=actor,
        actor_name="" if actor else "system",
        obj=order.key_person.person,
        place_path=order.place_path,
        request=request,
        details={"order": order.pk, "action": action},
    )


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
        _notify(
            [u for u in users_with_perm_over(order.place_path, Perm.STATUS_APPROVE) if u.pk != actor.pk],
            gettext_lazy("An exception for a key person's isolation waits for your approval (order #%(n)s)."),
            n=order.pk,
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


@dataclass
class CheckData:
    temperature: str | Decimal
    symptoms: list[str] = field(default_factory=list)
    household_unwell: bool = False
    household_notes: str = ""
    needs: list[str] = field(default_factory=list)
    notes: str = ""


def _clean_check(data: CheckData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    try:
        temperature = Decimal(str(data.temperature)).quantize(Decimal("0.1"))
        if not TEMPERATURE_RANGE[0] <= temperature <= TEMPERATURE_RANGE[1]:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["temperature"] = _("A body temperature between 34.0 and 43.0 °C.")
        temperature = Decimal(0)
    if set(data.symptoms) - set(Symptom.values):
        errors["symptoms"] = _("Unknown symptom.")
    if set(data.needs) - set(Need.values):
        errors["needs"] = _("Unknown need.")
    values: dict[str, Any] = {}
    for name in ("household_notes", "notes"):
        try:
            values[name] = _text(getattr(data, name), name)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return {
        "temperature": temperature,
        "symptoms": sorted(set(data.symptoms)),
        "needs": sorted(set(data.needs)),
        "household_unwell": data.household_unwell,
        **values,
    }


@transaction.atomic
def check_record(
    *,
    actor: User | None,
    order: IsolationOrder,
    data: CheckData,
    method: str,
    person: Person | None = None,
    request: HttpRequest | None = None,
) -> HealthCheck:
    """Record a daily check: by staff (phone or visit) or by the resident through their link
    (`actor` None, `person` theirs). Abnormal: fever, a symptom, or an unwell household member —
    an alert for the health officer. Needs become help requests, linked back to the check."""
    if actor is not None:
        require(actor, Perm.HEALTH_CHECK, order.place_path)
    elif person is None or order.key_person.person_id != person.pk or method != CheckMethod.SELF:
        raise PermissionDenied
    if method not in CheckMethod.values:
        raise ValidationError({"method": _("Choose how the check was done.")})
    values = _clean_check(data)
    order = _locked(order)
    now = timezone.now()
    values["abnormal"] = bool(
        values["temperature"] >= Decimal(str(settings.TONGZHOU_FEVER_CELSIUS))
        or values["symptoms"]
        or values["household_unwell"]
    )
    check = HealthCheck.objects.create(order=order, done_at=now, method=method, checked_by=actor, **values)
    order.last_check_at = now
    order.next_due_at = due_after_check(now, parse_check_times(order.check_times))
    order.save(update_fields=["last_check_at", "next_due_at", "updated_at"])
    if check.abnormal:
        alerts_raise(
            alerts=[
                NewAlert(
                    kind=AlertKind.ABNORMAL,
                    place_path=order.place_path,
                    subject_type=SUBJECT,
                    subject_id=order.pk,
                    subject_label=mask_name(order.key_person.person.name),
                    details={"health_check": check.pk, "temperature": str(check.temperature)},
                    raised_by_id=actor.pk if actor else None,
                    once_key=f"{AlertKind.ABNORMAL}:{check.pk}",
                )
            ]
        )
        _notify(
            users_with_perm_over(order.place_path, Perm.ISOLATION_ORDER),
            gettext_lazy("Abnormal health check of a key person (order #%(n)s): please follow up."),
            n=order.pk,
        )
    if values["needs"]:
        _needs_to_help_requests(check, order)
    return check


def _needs_to_help_requests(check: HealthCheck, order: IsolationOrder) -> None:
    """The link point to the assistance module: one help request per need, marked as coming from
    this check (`source_ref`)."""
    from tongzhou.assistance.models import Category, Source, Urgency
    from tongzhou.assistance.services import HelpData, help_request_create

    person = order.key_person.person
    summaries = {
        Need.GROCERIES: (Category.GROCERIES, _("Groceries for a resident under isolation")),
        Need.MEDICINE: (Category.MEDICINE, _("Medicine for a resident under isolation")),
        Need.PAPERWORK: (Category.PAPERWORK, _("Paperwork for a resident under isolation")),
    }
    for need in check.needs:
        category, summary = summaries[need]
        help_request_create(
            actor=None,
            data=HelpData(
                category=category,
                urgency=Urgency.URGENT if need == Need.MEDICINE else Urgency.NORMAL,
                summary=f"{summary}. {check.notes}".strip(),
                person=person,
            ),
            source=Source.HEALTH_CHECK,
            source_ref=f"monitoring.healthcheck:{check.pk}",
        )


def _raise_alerts(kind: str, orders: Any, recipients_perm: Perm, roles: list[str] | None) -> int:
    """Create the missing alerts of `kind` for `orders` (annotated with their `slot`; idempotent
    on the order, kind and slot) and tell the recipients, one message per person with the count."""
    rows = list(orders.values("pk", "place_path", "slot", "key_person__person__name"))
    new = [
        NewAlert(
            kind=kind,
            place_path=o["place_path"],
            subject_type=SUBJECT,
            subject_id=o["pk"],
            subject_label=mask_name(o["key_person__person__name"]),
            details={"slot_local": f"{timezone.localtime(o['slot']):%m-%d %H:%M}"},
            once_key=slot_key(kind, o["pk"], o["slot"]),
        )
        for o in rows
    ]
    raised = {a.subject_id for a in alerts_raise(alerts=new)}
    candidates = [o for o in rows if o["pk"] in raised]
    per_user: dict[int, tuple[User, int]] = {}
    by_place: dict[str, int] = defaultdict(int)
    for o in candidates:
        by_place[o["place_path"]] += 1
    for path, count in by_place.items():
        for user in users_with_perm_over(path, recipients_perm, roles):
            per_user[user.pk] = (user, per_user.get(user.pk, (user, 0))[1] + count)
    with translation.override(settings.LANGUAGE_CODE):
        for user, count in per_user.values():
            if user.phone:
                send_message(
                    to=user.phone,
                    text=str(AlertKind(kind).label) + _(": %(n)d key persons.") % {"n": count},
                )
    return len(candidates)


def monitoring_escalate(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduled task: overdue checks alert community staff after TONGZHOU_ESCALATE_STAFF_HOURS
    and the health officer after TONGZHOU_ESCALATE_HEALTH_HOURS; orders at their planned end alert
    the health officer to release or extend. Safe to run any number of times."""
    from django.db.models import F

    now = now or timezone.now()
    active = IsolationOrder.objects.filter(status=OrderStatus.ACTIVE)
    report = {
        AlertKind.OVERDUE_STAFF: _raise_alerts(
            AlertKind.OVERDUE_STAFF,
            active.filter(next_due_at__lte=now - timedelta(hours=settings.TONGZHOU_ESCALATE_STAFF_HOURS)).annotate(
                slot=F("next_due_at")
            ),
            Perm.HEALTH_CHECK,
            [Role.COMMUNITY_STAFF],
        ),
        AlertKind.OVERDUE_HEALTH: _raise_alerts(
            AlertKind.OVERDUE_HEALTH,
            active.filter(next_due_at__lte=now - timedelta(hours=settings.TONGZHOU_ESCALATE_HEALTH_HOURS)).annotate(
                slot=F("next_due_at")
            ),
            Perm.ISOLATION_ORDER,
            None,
        ),
    }
    today = timezone.localdate(now)
    due = list(
        active.filter(planned_end_on__lte=today).values_list(
            "pk", "place_path", "planned_end_on", "key_person__person__name"
        )
    )
    reminders = []
    for pk, path, end, name in due:
        slot = timezone.make_aware(datetime.combine(end, datetime.min.time()))
        reminders.append(
            NewAlert(
                kind=AlertKind.RELEASE_DUE,
                place_path=path,
                subject_type=SUBJECT,
                subject_id=pk,
                subject_label=mask_name(name),
                details={"planned_end_on": end.isoformat()},
                once_key=slot_key(AlertKind.RELEASE_DUE, pk, slot),
            )
        )
    report[AlertKind.RELEASE_DUE] = len(alerts_raise(alerts=reminders))
    if report[AlertKind.RELEASE_DUE]:
        for path in {path for _pk, path, _end, _name in due}:
            _notify(
                users_with_perm_over(path, Perm.ISOLATION_ORDER),
                gettext_lazy("Isolation orders have reached their planned end: release or extend them."),
            )
    return {str(k): v for k, v in report.items()}


def health_data_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Remove the detailed health data of orders ended more than TONGZHOU_HEALTH_RETENTION_DAYS
    ago: their daily checks are deleted and their alerts' outcomes blanked. The order, its status
    history and the key-person record stay (the legal record of the restriction). Returns what it
    removed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TONGZHOU_HEALTH_RETENTION_DAYS)
    report = {"orders": 0, "checks": 0, "alerts": 0}
    orders = list(
        IsolationOrder.objects.filter(ended_at__lt=cutoff, purged_at__isnull=True)
        .exclude(status=OrderStatus.ACTIVE)
        .values_list("pk", flat=True)
    )
    for pk in orders:
        with transaction.atomic():
            checks, _detail = HealthCheck.objects.filter(order_id=pk).delete()
            alerts = alerts_scrub(subject_type=SUBJECT, subject_id=pk)
            IsolationOrder.objects.filter(pk=pk).update(purged_at=now)
            order = IsolationOrder.objects.get(pk=pk)
            record(
                order,
                from_status=order.status,
                to_status=order.status,
                actor=None,
                action=OrderAction.PURGED,
                reason=f"{checks} checks removed, {alerts} alert outcomes blanked",
            )
        report["orders"] += 1
        report["checks"] += checks
        report["alerts"] += alerts
    return report
