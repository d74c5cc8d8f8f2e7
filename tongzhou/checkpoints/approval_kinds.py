"""Closed management's four-eyes request in the shared approval queue: sealing or unsealing a
place. Registered in CheckpointsConfig.ready()."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongzhou.core.permissions import Perm
from tongzhou.core.transitions import ApprovalKind, register_approval_kind

CONTROL = "control"


def _decide(*, actor: Any, obj: Any, approve: bool, note: str = "") -> Any:
    from tongzhou.checkpoints.services import control_decide

    return control_decide(actor=actor, change=obj, approve=approve, note=note)


def _describe(change: Any) -> str:
    return (
        f"{change.place.name}：{change.get_previous_level_display()} → {change.get_level_display()} · {change.reason}"
    )


def _url(change: Any) -> str:
    return f"{reverse('checkpoints:levels')}?place={change.place_id}"


KINDS = (
    ApprovalKind(
        key=CONTROL,
        label=_("Control level (sealing or lifting a seal)"),
        model="checkpoints.ControlChange",
        perm=Perm.CONTROL_APPROVE,
        path_field="place_path",
        decide=_decide,
        describe=_describe,
        url=_url,
        select_related=("place",),
    ),
)


def register_kinds() -> None:
    register_approval_kind(*KINDS)
