"""Welfare as figures of the daily report (see tongzhou/core/figures.py): people covered by a
protection plan, claims filed, decided and paid (and the amount paid), and condolence visits done
and due. Each rolls up as a sum of communities: an enrollment and a claim by the insured person's
community, a visit by the visited volunteer's.

Claims are health data: their drill-down shows the masked name, the status and the amount, as the
public notice (公示) does, never what happened."""

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhou.core.figures import Column, Day, Figure, Label, register_figures
from tongzhou.core.pii import mask_name
from tongzhou.welfare.models import ClaimStatus

_SECTION = _("Welfare")


def _covered(d: Day) -> Q:
    return Q(
        created_at__lt=d.cutoff,
        covered_from__lte=d.day,
        plan__starts_on__lte=d.day,
        plan__ends_on__gte=d.day,
    )


COVERED = Figure(
    key="welfare_covered",
    label=_("People covered by a protection plan"),
    doc=_(
        "People enrolled before the cut-off in a plan running on the day, whose waiting period had ended by the day."
    ),
    model="welfare.Enrollment",
    path_field="place_path",
    rows=_covered,
    columns=(
        Column(_("name"), lambda e: mask_name(e.name)),
        Column(_("plan"), lambda e: e.plan.name),
        Column(_("covered from"), lambda e: e.covered_from),
    ),
    select_related=("plan",),
    order=110,
    section=_SECTION,
)

_CLAIM_COLUMNS = (
    Column(_("name"), lambda c: mask_name(c.enrollment.name)),
    Column(_("status"), lambda c: c.get_status_display()),
    Column(_("amount (yuan)"), lambda c: c.amount),
    Column(_("filed"), lambda c: c.created_at),
)

_DECISION_COLUMNS = (
    Column(_("name"), lambda h: mask_name(h.claim.enrollment.name)),
    Column(_("status"), lambda h: h.claim.get_status_display()),
    Column(_("amount (yuan)"), lambda h: h.claim.amount),
    Column(_("time"), lambda h: h.created_at),
)


def _claims(key: str, label: Label, doc: Label, rows: Callable[[Day], Q], **more: Any) -> Figure:
    """A figure counting claims, each drilled down to its masked name, status and amount."""
    return Figure(
        key=key,
        label=label,
        doc=doc,
        model="welfare.Claim",
        path_field="place_path",
        rows=rows,
        columns=_CLAIM_COLUMNS,
        select_related=("enrollment",),
        section=_SECTION,
        **more,
    )


def _decisions(key: str, label: Label, doc: Label, status: str, **more: Any) -> Figure:
    """A figure of the claims that moved to `status` between midnight and the cut-off: the
    claim's history is dated and kept, so a past day's decisions are rebuilt from it."""
    return Figure(
        key=key,
        label=label,
        doc=doc,
        model="welfare.ClaimHistory",
        path_field="claim__place_path",
        rows=lambda d: Q(to_status=status, created_at__gte=d.start, created_at__lt=d.cutoff),
        columns=_DECISION_COLUMNS,
        select_related=("claim__enrollment",),
        section=_SECTION,
        **more,
    )


FILED = _claims(
    "claims_filed",
    _("Claims filed"),
    _("Claims filed between midnight and the cut-off."),
    lambda d: Q(created_at__gte=d.start, created_at__lt=d.cutoff),
    order=111,
)

WAITING = _claims(
    "claims_waiting",
    _("Claims waiting for a decision"),
    _("Claims filed before the cut-off that were submitted or checked, not yet approved or rejected, at the count."),
    lambda d: Q(created_at__lt=d.cutoff, status__in=(ClaimStatus.SUBMITTED, ClaimStatus.CHECKED)),
    reproducible=False,
    why_not=_("a claim keeps its status now, not the one it had on that day"),
    order=112,
)

APPROVED = _decisions(
    "claims_approved",
    _("Claims approved"),
    _("Claims approved between midnight and the cut-off (from the claims' history)."),
    ClaimStatus.APPROVED,
    order=113,
)

REJECTED = _decisions(
    "claims_rejected",
    _("Claims rejected"),
    _("Claims rejected between midnight and the cut-off (from the claims' history)."),
    ClaimStatus.REJECTED,
    order=114,
)

PAID = _decisions(
    "claims_paid",
    _("Claims paid"),
    _("Claims paid between midnight and the cut-off (from the claims' history)."),
    ClaimStatus.PAID,
    order=115,
)

PAID_AMOUNT = _decisions(
    "claims_paid_yuan",
    _("Amount paid (yuan)"),
    _("The sum of the claims paid between midnight and the cut-off."),
    ClaimStatus.PAID,
    sum_field="claim__amount",
    order=116,
)

_VISIT_COLUMNS = (
    Column(_("name"), lambda v: mask_name(v.volunteer.name)),
    Column(_("campaign"), lambda v: v.campaign.name),
    Column(_("visited at"), lambda v: v.visited_at or ""),
)

VISITS_DONE = Figure(
    key="visits_done",
    label=_("Condolence visits done"),
    doc=_("Visits of a campaign recorded as done between midnight and the cut-off, by the volunteer's community."),
    model="welfare.Visit",
    path_field="volunteer__place_path",
    rows=lambda d: Q(visited_at__gte=d.start, visited_at__lt=d.cutoff),
    columns=_VISIT_COLUMNS,
    select_related=("volunteer", "campaign"),
    order=117,
    section=_SECTION,
)

VISITS_DUE = Figure(
    key="visits_due",
    label=_("Condolence visits due"),
    doc=_("People a campaign targeted before the cut-off and not visited by then, by the volunteer's community."),
    model="welfare.Visit",
    path_field="volunteer__place_path",
    rows=lambda d: Q(created_at__lt=d.cutoff) & (Q(visited_at__isnull=True) | Q(visited_at__gte=d.cutoff)),
    columns=_VISIT_COLUMNS,
    select_related=("volunteer", "campaign"),
    order=118,
    section=_SECTION,
)

register_figures(COVERED, FILED, WAITING, APPROVED, REJECTED, PAID, PAID_AMOUNT, VISITS_DONE, VISITS_DUE)
