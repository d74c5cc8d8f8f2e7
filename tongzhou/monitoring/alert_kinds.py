"""The monitoring module's alerts in the shared inbox: an abnormal daily check, a check overdue
(for community staff, then for the health officer) and an order at its planned end. Registered in
MonitoringConfig.ready(). The keys are the ones the module's own alerts always had."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from tongzhou.alerts.kinds import AlertKind, Severity, register
from tongzhou.core.permissions import Perm, Role
from tongzhou.monitoring.models import AlertKind as Kind

SUBJECT = "monitoring.isolationorder"
OTHER = ("other", _("Other"))


def slot_key(kind: str, order_id: int, slot: datetime) -> str:
    """At most one alert per order, kind and check time: the scheduled task may run any number
    of times."""
    return f"{kind}:{order_id}:{slot.astimezone(UTC).isoformat()}"


def _abnormal(details: Mapping[str, Any]) -> str:
    return f"{details['temperature']} °C" if details.get("temperature") else ""


def _slot(details: Mapping[str, Any]) -> str:
    return str(details.get("slot_local", ""))


OVERDUE_OUTCOMES = (("checked", _("Check done")), ("visited", _("Not reachable: visited")), OTHER)

KINDS = (
    AlertKind(
        key=Kind.ABNORMAL,
        label=Kind.ABNORMAL.label,
        outcomes=(
            ("rechecked_normal", _("Rechecked: normal")),
            ("tested", _("Sent for a test")),
            ("hospital", _("Taken to a fever clinic")),
            ("followed_up", _("Followed up at home")),
            OTHER,
        ),
        view_perm=Perm.HEALTH_VIEW,
        close_perm=Perm.ISOLATION_ORDER,
        assignee_roles=(Role.HEALTH_OFFICER,),
        severity=Severity.HIGH,
        subject_url="monitoring:order",
        describe=_abnormal,
    ),
    AlertKind(
        key=Kind.OVERDUE_STAFF,
        label=Kind.OVERDUE_STAFF.label,
        outcomes=OVERDUE_OUTCOMES,
        view_perm=Perm.HEALTH_VIEW,
        close_perm=Perm.HEALTH_CHECK,
        assignee_roles=(Role.COMMUNITY_STAFF,),
        subject_url="monitoring:order",
        describe=_slot,
    ),
    AlertKind(
        key=Kind.OVERDUE_HEALTH,
        label=Kind.OVERDUE_HEALTH.label,
        outcomes=OVERDUE_OUTCOMES,
        view_perm=Perm.HEALTH_VIEW,
        close_perm=Perm.HEALTH_CHECK,
        assignee_roles=(Role.HEALTH_OFFICER,),
        severity=Severity.HIGH,
        subject_url="monitoring:order",
        describe=_slot,
    ),
    AlertKind(
        key=Kind.RELEASE_DUE,
        label=Kind.RELEASE_DUE.label,
        # The order's own end closes it with the end's action as the outcome.
        outcomes=(
            ("released", _("Released")),
            ("extended", _("Extended")),
            ("transferred", _("Transferred")),
            ("lost", _("Lost to follow-up")),
            OTHER,
        ),
        view_perm=Perm.HEALTH_VIEW,
        close_perm=Perm.ISOLATION_ORDER,
        assignee_roles=(Role.HEALTH_OFFICER,),
        severity=Severity.LOW,
        subject_url="monitoring:order",
    ),
)


def register_kinds() -> None:
    register(*KINDS)
