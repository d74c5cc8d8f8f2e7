"""Monitoring's four-eyes request in the shared approval queue: an exception to an isolation order
(a release or shortening outside the rules). Registered in MonitoringConfig.ready()."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongzhou.core.permissions import Perm
from tongzhou.core.transitions import ApprovalKind, register_approval_kind

OVERRIDE = "override"


def _decide(*, actor: Any, obj: Any, approve: bool, note: str = "") -> Any:
    from tongzhou.monitoring.services import override_decide

    return override_decide(actor=actor, override=obj, approve=approve, note=note)


def _describe(override: Any) -> str:
    parts = [override.order.key_person.person.name, str(override.get_action_display())]
    if override.planned_end_on:
        parts.append(f"→ {override.planned_end_on:%Y-%m-%d}")
    return " · ".join([*parts, override.reason])


def _url(override: Any) -> str:
    return reverse("monitoring:order", args=[override.order_id])


KINDS = (
    ApprovalKind(
        key=OVERRIDE,
        label=_("Exception to an isolation order"),
        model="monitoring.Override",
        perm=Perm.STATUS_APPROVE,
        path_field="order__place_path",
        decide=_decide,
        describe=_describe,
        url=_url,
        select_related=("order__key_person__person",),
    ),
)


def register_kinds() -> None:
    register_approval_kind(*KINDS)
