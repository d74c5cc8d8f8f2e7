"""Gifted enrollment in the shared approval queue: the welfare officer picks front-line workers, a
second person (another officer, or the street's administrator) approves. Registered in
WelfareConfig.ready()."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongzhou.core.permissions import Perm
from tongzhou.core.transitions import ApprovalKind, register_approval_kind

GIFTED_ENROLLMENT = "welfare-gift"


def _decide(*, actor: Any, obj: Any, approve: bool, note: str = "") -> Any:
    from tongzhou.welfare.services.plans import gift_request_decide

    return gift_request_decide(actor=actor, gift=obj, approve=approve, note=note)


def _describe(gift: Any) -> str:
    names = "、".join(str(fact.get("name", "")) for fact in (gift.facts or {}).values())
    return f"{gift.plan.name} · {names}"


def _url(gift: Any) -> str:
    return reverse("welfare:gift", args=[gift.pk])


KINDS = (
    ApprovalKind(
        key=GIFTED_ENROLLMENT,
        label=_("Gifted enrollment in a protection plan"),
        model="welfare.GiftRequest",
        perm=Perm.WELFARE_APPROVE,
        path_field="place_path",
        decide=_decide,
        describe=_describe,
        url=_url,
        select_related=("plan",),
    ),
)


def register_kinds() -> None:
    register_approval_kind(*KINDS)
