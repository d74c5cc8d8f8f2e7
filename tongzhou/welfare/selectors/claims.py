"""Claims: scoped reads (health data: 404 to anyone but the welfare officer of the claim's place and
the claimant), the public notice, and the evidence a claim may cite."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.assistance import selectors as assistance_selectors
from tongzhou.assistance.models import Category as HelpCategory
from tongzhou.assistance.models import HelpRequest
from tongzhou.core.access import id_or_404, scope_of
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.core.scope import Scope
from tongzhou.monitoring import selectors as monitoring_selectors
from tongzhou.monitoring.models import IsolationOrder, OrderKind
from tongzhou.volunteers.models import Assignment
from tongzhou.welfare.models import (
    Claim,
    ClaimStatus,
    Coverage,
    Enrollment,
    Plan,
)


def get_claim_for_user(*, user: Any, pk: Any, write: bool = False) -> Claim:
    """The claim if the user filed it for themself (their enrollment) or is the welfare officer of
    its place (WELFARE_CLAIMS); otherwise 404, the same as a claim that does not exist."""
    pk = id_or_404(pk)
    if not getattr(user, "is_authenticated", False):
        raise Http404
    scope = scope_of(user, Perm.WELFARE_CLAIMS)
    visible = Q(enrollment__user_id=user.pk)
    if not scope.is_empty:
        visible |= scope.q("place_path")
    rows = Claim.objects.filter(visible)
    if write:
        rows = rows.select_for_update(of=("self",))
    claim = (
        rows.select_related(
            "enrollment__plan",
            "enrollment__volunteer",
            "assignment__shift__post",
            "isolation_order",
            "help_request",
        )
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise Http404
    return claim


def claims(scope: Scope, status: str = "") -> QuerySet[Claim]:
    rows = Claim.objects.filter(scope.q("place_path")).select_related("enrollment__plan")
    return rows.filter(status=status) if status else rows


def my_claims(user: Any) -> QuerySet[Claim]:
    return Claim.objects.filter(enrollment__user=user).select_related("enrollment__plan").order_by("-created_at")


def public_notice(scope: Scope) -> list[dict[str, Any]]:
    """The 公示 list: approved claims marked for it, the name masked (张*), the post, the amount;
    never the illness or what happened."""
    rows = (
        Claim.objects.filter(scope.q("place_path"), public_notice=True, status=ClaimStatus.APPROVED)
        .select_related("enrollment__plan")
        .order_by("-updated_at")[:200]
    )
    return [
        {
            "name": mask_name(c.enrollment.name),
            "post": c.enrollment.post_label,
            "plan": c.enrollment.plan.name,
            "amount": c.amount,
        }
        for c in rows
    ]


@dataclass
class Evidence:
    """What the system already knows about the claimant, offered to pre-fill a claim: their shifts
    on the day (with check-ins), their isolation orders and their help requests."""

    assignments: list[Assignment]
    orders: list[IsolationOrder] = field(default_factory=list)
    help_requests: list[HelpRequest] = field(default_factory=list)


def claim_evidence(enrollment: Enrollment, day: Any) -> Evidence:
    """The claimant's shifts that started on `day` or the day before (a night shift), with their
    check-ins; the isolation orders and help requests of the resident with the enrollment's ID
    number (monitoring's and assistance's own selectors). Three queries."""
    assignments: list[Assignment] = []
    if enrollment.volunteer_id is not None:
        start = timezone.make_aware(datetime.combine(day - timedelta(days=1), time.min))
        end = start + timedelta(days=2)
        assignments = list(
            Assignment.objects.filter(
                volunteer_id=enrollment.volunteer_id, shift__start__gte=start, shift__start__lt=end
            )
            .select_related("shift__post")
            .order_by("-shift__start")[:10]
        )
    return Evidence(
        assignments=assignments,
        orders=monitoring_selectors.orders_of_id_number(enrollment.id_number),
        help_requests=assistance_selectors.requests_of_id_number(enrollment.id_number),
    )


SOURCE_KINDS = ("shift", "order", "help")


def parse_source(value: str) -> tuple[str, int] | None:
    """`order-12` -> ("order", 12); "" -> None; anything else raises ValueError (a 400)."""
    if not value:
        return None
    kind, _sep, pk = value.partition("-")
    if kind not in SOURCE_KINDS or not pk.isdigit() or len(pk) > 12:
        raise ValueError(value)
    return kind, int(pk)


def claim_prefill(plan: Plan, evidence: Evidence, source: tuple[str, int] | None, day: Any) -> dict[str, Any]:
    """The claim form's initial values from the fact chosen (`source`), or from the day's first
    shift when none was chosen. Raises LookupError when the chosen fact is not among the
    claimant's own (a 404: someone else's order looks like no order)."""
    initial: dict[str, Any] = {"event_on": day}
    covered = set(plan.benefits.values_list("coverage", flat=True))

    def cover(preferred: str) -> None:
        if preferred in covered:
            initial["coverage"] = preferred

    if source is None:
        if not evidence.assignments:
            return initial
        source = ("shift", evidence.assignments[0].pk)
    kind, pk = source
    if kind == "shift":
        shift = next((a for a in evidence.assignments if a.pk == pk), None)
        if shift is None:
            raise LookupError(pk)
        initial["assignment"] = shift.pk
        initial["description"] = _("On duty at %(post)s, shift from %(start)s.") % {
            "post": shift.shift.post.name,
            "start": timezone.localtime(shift.shift.start).strftime("%Y-%m-%d %H:%M"),
        }
    elif kind == "order":
        order = next((o for o in evidence.orders if o.pk == pk), None)
        if order is None:
            raise LookupError(pk)
        initial["isolation_order"] = order.pk
        initial["event_on"] = order.starts_on
        cover(Coverage.HOSPITALISATION if order.kind == OrderKind.CENTRALIZED else Coverage.INFECTION_ON_DUTY)
        initial["description"] = _("%(kind)s from %(start)s to %(end)s.") % {
            "kind": order.get_kind_display(),
            "start": order.starts_on.isoformat(),
            "end": order.planned_end_on.isoformat(),
        }
    else:
        help_request = next((h for h in evidence.help_requests if h.pk == pk), None)
        if help_request is None:
            raise LookupError(pk)
        initial["help_request"] = help_request.pk
        initial["event_on"] = timezone.localtime(help_request.created_at).date()
        if help_request.category in (HelpCategory.MEDICINE, HelpCategory.MEDICAL_VISIT):
            cover(Coverage.HOSPITALISATION)
        initial["description"] = _("Help asked on %(date)s: %(category)s.") % {
            "date": initial["event_on"].isoformat(),
            "category": help_request.get_category_display(),
        }
    return initial


@dataclass
class EvidenceLink:
    label: str
    text: str
    url: str | None


def evidence_links(user: Any, claim: Claim) -> list[EvidenceLink]:
    """The claim's evidence as the reviewer (or the claimant) reads it: each fact in words, with a
    link only where `user` may open the fact's own page (the shift's attendance for the welfare
    officer, the order for HEALTH_VIEW there, the help request for whoever may see it)."""
    links = []
    if claim.assignment is not None:
        a = claim.assignment
        start, end = timezone.localtime(a.shift.start), timezone.localtime(a.shift.end)
        text = f"{a.shift.post.name} {start:%Y-%m-%d %H:%M}–{end:%H:%M}"
        text += (
            f" · {_('checked in')} {timezone.localtime(a.checked_in_at):%H:%M}"
            if a.checked_in_at
            else f" · {_('no check-in')}"
        )
        # The attendance page asks VOLUNTEERS_MANAGE; a welfare officer alone does not hold it.
        may = scope_of(user, Perm.VOLUNTEERS_MANAGE).contains(a.shift.place_path)
        links.append(EvidenceLink(_("Shift"), text, reverse("volunteers:attendance") if may else None))
    if claim.isolation_order is not None:
        order = claim.isolation_order
        text = f"{order.get_kind_display()} {order.starts_on:%Y-%m-%d}–{order.planned_end_on:%Y-%m-%d}"
        url = reverse("monitoring:order", args=[order.pk]) if monitoring_selectors.may_open_order(user, order) else None
        links.append(EvidenceLink(_("Isolation order"), text, url))
    if claim.help_request is not None:
        help_request = claim.help_request
        text = f"{help_request.get_category_display()} {timezone.localtime(help_request.created_at):%Y-%m-%d}"
        url = (
            reverse("assistance:detail", args=[help_request.pk])
            if assistance_selectors.may_open_request(user, help_request)
            else None
        )
        links.append(EvidenceLink(_("Help request"), text, url))
    return links
