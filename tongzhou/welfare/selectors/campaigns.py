"""Condolence campaigns, their visits and the people they target."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tongzhou.core.access import get_for_user, id_or_404
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope, subtree_q
from tongzhou.monitoring import selectors as monitoring_selectors
from tongzhou.volunteers.models import ApplicationStatus, Assignment, Duty, Volunteer
from tongzhou.welfare.models import (
    Campaign,
    CampaignTarget,
    Claim,
    ClaimStatus,
    Visit,
)


def campaigns(scope: Scope) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(scope.q("place_path"))
        .select_related("organisation")
        .annotate(targets=Count("visits"), done=Count("visits", filter=Q(visits__visited_at__isnull=False)))
        .order_by("-created_at")
    )


def get_campaign_for_user(*, user: Any, pk: Any) -> Campaign:
    return get_for_user(
        Campaign.objects.select_related("organisation"),
        user=user,
        pk=pk,
        perm=Perm.WELFARE_MANAGE,
        path_field="place_path",
    )


def campaign_visits(campaign: Campaign) -> QuerySet[Visit]:
    return campaign.visits.select_related("volunteer").order_by("visited_at", "volunteer__name")


def gate_duty_targets(path: str, *, days: int) -> list[tuple[Volunteer, int]]:
    """Campaign targets: volunteers assigned to a gate post under `path` in the last `days` days,
    each with their number of shifts there."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        Assignment.objects.filter(
            subtree_q(path, "shift__place_path"), shift__start__gte=since, shift__post__duty=Duty.GATE
        )
        .values("volunteer_id")
        .annotate(n=Count("id"))
    )
    counts = {row["volunteer_id"]: row["n"] for row in rows}
    volunteers = Volunteer.objects.in_bulk(list(counts))
    return [(volunteers[vid], n) for vid, n in sorted(counts.items())]


NIGHT_STARTS, NIGHT_HOURS = 19, 12  # an overnight watch: 19:00 to 07:00 the next morning
NIGHTS_LOOKBACK_DAYS = 60


def isolation_targets(path: str) -> list[tuple[Volunteer, int]]:
    """Volunteers of `path` under an isolation order now (monitoring says which ID numbers, and
    nothing more about the order). Two queries."""
    volunteers = list(
        Volunteer.objects.filter(subtree_q(path, "place_path"), status=ApplicationStatus.APPROVED).exclude(
            id_index=None
        )
    )
    isolated = monitoring_selectors.under_isolation(v.id_index for v in volunteers)
    return [(v, 0) for v in sorted(volunteers, key=lambda v: v.pk) if v.id_index in isolated]


def claim_paid_targets(path: str) -> list[tuple[Volunteer, int]]:
    """Volunteers with a claim paid at a plan of `path` (the claim's place). Two queries."""
    paid = (
        Claim.objects.filter(
            subtree_q(path, "place_path"), status=ClaimStatus.PAID, enrollment__volunteer__isnull=False
        )
        .values("enrollment__volunteer_id")
        .annotate(n=Count("id"))
    )
    counts = {row["enrollment__volunteer_id"]: row["n"] for row in paid}
    volunteers = Volunteer.objects.in_bulk(list(counts))
    return [(volunteers[vid], 0) for vid in sorted(counts) if vid in volunteers]


def nights_in_a_row_targets(path: str, *, nights: int) -> list[tuple[Volunteer, int]]:
    """Volunteers who checked in for at least `nights` overnight sealed-building watches (19:00 to
    07:00) on consecutive nights, in the last 60 days, at posts under `path`. Two queries; the run
    of nights is counted in local time."""
    since = timezone.now() - timedelta(days=NIGHTS_LOOKBACK_DAYS)
    rows = Assignment.objects.filter(
        subtree_q(path, "shift__place_path"),
        shift__start__gte=since,
        shift__post__duty=Duty.SEALED_BUILDING,
        checked_in_at__isnull=False,
    ).values_list("volunteer_id", "shift__start", "shift__end")
    nights_of: dict[int, set[Any]] = {}
    for volunteer_id, start, end in rows:
        local = timezone.localtime(start)
        if local.hour == NIGHT_STARTS and end - start == timedelta(hours=NIGHT_HOURS):
            nights_of.setdefault(volunteer_id, set()).add(local.date())
    longest = {vid: _longest_run(days) for vid, days in nights_of.items()}
    chosen = sorted(vid for vid, run in longest.items() if run >= nights)
    volunteers = Volunteer.objects.in_bulk(chosen)
    return [(volunteers[vid], longest[vid]) for vid in chosen if vid in volunteers]


def _longest_run(days: set[Any]) -> int:
    best = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best, previous = max(best, run), day
    return best


def campaign_targets(kind: str, path: str, *, number: int) -> list[tuple[Volunteer, int]]:
    """The people a campaign of this kind targets under `path`, each with the count that says why
    (gate shifts, nights in a row; 0 for the kinds that say it themselves; Campaign.why words it):
    `number` is the days of gate duty or the nights in a row."""
    if kind == CampaignTarget.UNDER_ISOLATION:
        return isolation_targets(path)
    if kind == CampaignTarget.CLAIM_PAID:
        return claim_paid_targets(path)
    if kind == CampaignTarget.NIGHTS_IN_A_ROW:
        return nights_in_a_row_targets(path, nights=number)
    return gate_duty_targets(path, days=number)


def get_visit_photo(campaign: Campaign, pk: Any) -> Visit:
    """A visit of this campaign that has a photo; else 404."""
    visit = campaign.visits.filter(pk=id_or_404(pk)).exclude(photo="").first()
    if visit is None:
        raise Http404
    return visit
