"""Welfare as figures of the daily report (see tongzhou/core/figures.py): people covered by a
protection plan, claims filed, decided and paid (and the amount paid), and condolence visits done
and due. Each rolls up as a sum of communities: an enrollment and a claim by the insured person's
community, a visit by the visited volunteer's.

Claims are health data: their drill-down shows the masked name, the status and the amount, as the
public notice (公示) does, never what happened."""

from collections.abc import Callable

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhou.core.figures import Column, Day, Figure, register_figures
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

FILED = Figure(
    key="claims_filed",
    label=_("Claims filed"),
    doc=_("Claims filed between midnight and the cut-off."),
    model="welfare.Claim",
    path_field="place_path",
    rows=lambda d: Q(created_at__gte=d.start, created_at__lt=d.cutoff),
    columns=_CLAIM_COLUMNS,
    select_related=("enrollment",),
    order=111,
    section=_SECTION,
)

WAITING = Figure(
    key="claims_waiting",
    label=_("Claims waiting for a decision"),
    doc=_(
        "Claims filed before the cut-off that were submitted or checked, not yet approved or rejected, at the count."
    ),
    model="welfare.Claim",
    path_field="place_path",
    rows=lambda d: Q(created_at__lt=d.cutoff, status__in=(ClaimStatus.SUBMITTED, ClaimStatus.CHECKED)),
    columns=_CLAIM_COLUMNS,
    select_related=("enrollment",),
    reproducible=False,
    why_not=_("a claim keeps its status now, not the one it had on that day"),
    order=112,
    section=_SECTION,
)

_DECISION_COLUMNS = (
    Column(_("name"), lambda h: mask_name(h.claim.enrollment.name)),
    Column(_("status"), lambda h: h.claim.get_status_display()),
    Column(_("amount (yuan)"), lambda h: h.claim.amount),
    Column(_("time"), lambda h: h.created_at),
)


def _moved_to(status: str) -> Callable[[Day], Q]:
    # The claim's history is dated and kept, so a past day's decisions are rebuilt from it.
    return lambda d: Q(to_status=status, created_at__gte=d.start, created_at__lt=d.cutoff)


APPROVED = Figure(
    key="claims_approved",
    label=_("Claims approved"),
    doc=_("Claims approved between midnight and the cut-off (from the claims' history)."),
    model="welfare.ClaimHistory",
    path_field="claim__place_path",
    rows=_moved_to(ClaimStatus.APPROVED),
    columns=_DECISION_COLUMNS,
    select_related=("claim__enrollment",),
    order=113,
    section=_SECTION,
)

REJECTED = Figure(
    key="claims_rejected",
    label=_("Claims rejected"),
    doc=_("Claims rejected between midnight and the cut-off (from the claims' history)."),
    model="welfare.ClaimHistory",
    path_field="claim__place_path",
    rows=_moved_to(ClaimStatus.REJECTED),
    columns=_DECISION_COLUMNS,
    select_related=("claim__enrollment",),
    order=114,
    section=_SECTION,
)

PAID = Figure(
    key="claims_paid",
    label=_("Claims paid"),
    doc=_("Claims paid between midnight and the cut-off (from the claims' history)."),
    model="welfare.ClaimHistory",
    path_field="claim__place_path",
    rows=_moved_to(ClaimStatus.PAID),
    columns=_DECISION_COLUMNS,
    select_related=("claim__enrollment",),
    order=115,
    section=_SECTION,
)

PAID_AMOUNT = Figure(
    key="claims_paid_yuan",
    label=_("Amount paid (yuan)"),
    doc=_("The sum of the claims paid between midnight and the cut-off."),
    model="welfare.ClaimHistory",
    path_field="claim__place_path",
    rows=_moved_to(ClaimStatus.PAID),
    sum_field="claim__amount",
    columns=_DECISION_COLUMNS,
    select_related=("claim__enrollment",),
    order=116,
    section=_SECTION,
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
