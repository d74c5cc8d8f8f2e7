"""Supplies' four-eyes request in the shared approval queue: a requisition approved over the
threshold (TONGZHOU_SUPPLIES_SECOND_APPROVAL_PACKS) waits for a second manager. Registered in
SuppliesConfig.ready()."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.core.permissions import Perm
from tongzhou.core.transitions import ApprovalKind, register_approval_kind

REQUISITION = "requisition"
PURCHASE = "purchase"


def _decide(*, actor: Any, obj: Any, approve: bool, note: str = "") -> Any:
    from tongzhou.supplies.services.requisitions import requisition_second_decide

    return requisition_second_decide(actor=actor, approval=obj, approve=approve, note=note)


def _describe(approval: Any) -> str:
    requisition = approval.requisition
    return _("%(store)s asks for goods: %(reason)s") % {"store": requisition.store.name, "reason": requisition.reason}


def _url(approval: Any) -> str:
    return reverse("supplies:requisition", args=[approval.requisition_id])


def _decide_purchase(*, actor: Any, obj: Any, approve: bool, note: str = "") -> Any:
    from tongzhou.supplies.fund_services import purchase_second_decide

    return purchase_second_decide(actor=actor, approval=obj, approve=approve, note=note)


def _describe_purchase(approval: Any) -> str:
    purchase = approval.purchase
    return _("%(fund)s: %(amount)s yuan to %(supplier)s") % {
        "fund": purchase.fund.name,
        "amount": purchase.amount,
        "supplier": purchase.supplier,
    }


def _url_purchase(approval: Any) -> str:
    return reverse("supplies:purchase", args=[approval.purchase_id])


KINDS = (
    ApprovalKind(
        key=REQUISITION,
        label=gettext_lazy("Requisition of supplies over the threshold"),
        model="supplies.RequisitionApproval",
        perm=Perm.SUPPLIES_MANAGE,
        path_field="place_path",
        decide=_decide,
        describe=_describe,
        url=_url,
        select_related=("requisition", "requisition__store"),
    ),
    ApprovalKind(
        key=PURCHASE,
        label=gettext_lazy("Purchase out of a fund over the threshold"),
        model="supplies.PurchaseApproval",
        perm=Perm.SUPPLIES_MANAGE,
        path_field="place_path",
        decide=_decide_purchase,
        describe=_describe_purchase,
        url=_url_purchase,
        select_related=("purchase", "purchase__fund"),
    ),
)


def register_kinds() -> None:
    register_approval_kind(*KINDS)
