"""Scheduled work: escalation of overdue checks and due releases, and the purge of health data after its retention."""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import users_with_perm_over
from tongzhou.alerts.services import NewAlert, alerts_raise, alerts_scrub
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.pii import mask_name
from tongzhou.core.transitions import record
from tongzhou.monitoring.alert_kinds import SUBJECT, slot_key
from tongzhou.monitoring.models import (
    AlertKind,
    HealthCheck,
    IsolationOrder,
    OrderAction,
    OrderStatus,
)
from tongzhou.monitoring.services._base import _notify


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
