"""Volunteers' four-eyes request in the shared approval queue: a volunteer asks to drop or swap a
shift, a coordinator decides. Registered in VolunteersConfig.ready()."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongzhou.core.permissions import Perm
from tongzhou.core.transitions import ApprovalKind, register_approval_kind

SHIFT_CHANGE = "shift-change"


def _decide(*, actor: Any, obj: Any, approve: bool, note: str = "") -> Any:
    from tongzhou.volunteers.services import change_request_decide

    return change_request_decide(actor=actor, request_obj=obj, approve=approve)


def _describe(change: Any) -> str:
    parts = [change.assignment.volunteer.name, str(change.assignment.shift), str(change.get_kind_display())]
    if change.swap_with_id:
        parts.append(change.swap_with.name)
    return " · ".join([*parts, change.reason])


def _url(change: Any) -> str:
    return reverse("volunteers:attendance")


KINDS = (
    ApprovalKind(
        key=SHIFT_CHANGE,
        label=_("Shift drop or swap"),
        model="volunteers.ChangeRequest",
        perm=Perm.VOLUNTEERS_MANAGE,
        path_field="assignment__shift__place_path",
        decide=_decide,
        describe=_describe,
        url=_url,
        select_related=("assignment__volunteer", "assignment__shift__post", "swap_with"),
    ),
)


def register_kinds() -> None:
    register_approval_kind(*KINDS)
