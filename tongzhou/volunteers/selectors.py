from collections.abc import Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongzhou.accounts.models import User
from tongzhou.core.access import get_for_user, scope_of
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope, subtree_q
from tongzhou.people.models import Organisation
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.models import (
    ApplicationStatus,
    Assignment,
    ChangeRequest,
    HoursEntry,
    Post,
    Roster,
    Shift,
    Team,
    Volunteer,
)

COMMUNITY_MATCHES = 20


def applications(scope: Scope, status: str = ApplicationStatus.PENDING) -> QuerySet[Volunteer]:
    """Sign-ups of the area, oldest first, each flagged when the same ID number signed up before
    (anywhere): the vetting staff see it, the public form never says it."""
    earlier = Volunteer.objects.filter(id_index=OuterRef("id_index"), pk__lt=OuterRef("pk")).exclude(
        status=ApplicationStatus.REJECTED
    )
    return (
        Volunteer.objects.filter(scope.q("place_path"), status=status)
        .annotate(seen_before=Exists(earlier))
        .select_related("community", "vetted_by", "user", "organisation")
        .order_by("created_at", "id")
    )


def communities_matching(text: str) -> list[Place]:
    """Communities named like `text`, or with exactly that code, for the public sign-up."""
    text = text.strip()
    if len(text) < 2:
        return []
    queryset = Place.objects.filter(kind=PlaceKind.COMMUNITY)
    queryset = queryset.filter(code=text) if text.isdigit() else queryset.filter(name__contains=text)
    return list(queryset.select_related("parent__parent").order_by("path")[:COMMUNITY_MATCHES])


def teams(scope: Scope) -> QuerySet[Team]:
    return (
        Team.objects.filter(scope.q("place_path"))
        .select_related("place", "leader")
        .annotate(size=Count("members"))
        .order_by("place__path", "name")
    )


def approved_volunteers(scope: Scope) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(scope.q("place_path"), status=ApplicationStatus.APPROVED).order_by("name", "id")


def own_profile(user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).select_related("community").first()


def teams_of(volunteer: Volunteer) -> QuerySet[Team]:
    return volunteer.teams.select_related("place", "leader").order_by("name")


# Where teams, posts and rosters may be set up, in path order.
TEAM_PLACE_KINDS = [PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND]
POST_PLACE_KINDS = [PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING]
ROSTER_PLACE_KINDS = [PlaceKind.STREET, PlaceKind.COMMUNITY]


def _places_in_scope(scope: Scope, kinds: list[PlaceKind]) -> QuerySet[Place]:
    return Place.objects.filter(scope.q(), kind__in=kinds).order_by("path")


def team_places(scope: Scope) -> QuerySet[Place]:
    return _places_in_scope(scope, TEAM_PLACE_KINDS)


def post_places(scope: Scope) -> QuerySet[Place]:
    return _places_in_scope(scope, POST_PLACE_KINDS)


def roster_places(scope: Scope) -> QuerySet[Place]:
    return _places_in_scope(scope, ROSTER_PLACE_KINDS)


def posts(scope: Scope) -> QuerySet[Post]:
    return Post.objects.filter(scope.q("place_path")).select_related("place").order_by("place_path", "name")


def rosters(scope: Scope) -> QuerySet[Roster]:
    return Roster.objects.filter(scope.q("place_path")).select_related("place").order_by("-created_at")


def roster_shifts(roster: Roster) -> QuerySet[Shift]:
    first = timezone.make_aware(datetime.combine(roster.starts_on, time(0)))
    last = timezone.make_aware(datetime.combine(roster.ends_on + timedelta(days=1), time(0)))
    return (
        Shift.objects.filter(subtree_q(roster.place_path, "place_path"), start__gte=first, start__lt=last)
        .select_related("post")
        .prefetch_related(Prefetch("assignments", Assignment.objects.select_related("volunteer")))
        .order_by("start", "post__name")
    )


def my_shifts(volunteer: Volunteer, now: datetime | None = None) -> QuerySet[Assignment]:
    now = now or timezone.now()
    return (
        Assignment.objects.filter(volunteer=volunteer, shift__published=True, shift__end__gte=now - timedelta(hours=12))
        .select_related("shift__post")
        .order_by("shift__start")
    )


def open_slots(volunteer: Volunteer, now: datetime | None = None, limit: int = 50) -> Sequence[Shift]:
    """Published future shifts of the volunteer's community with a free place and no skill they lack."""
    now = now or timezone.now()
    shifts = (
        Shift.objects.filter(subtree_q(volunteer.place_path, "place_path"), published=True, start__gt=now)
        .exclude(assignments__volunteer=volunteer)
        .annotate(taken=Count("assignments"))
        .filter(taken__lt=F("max_people"))
        .select_related("post")
        .order_by("start")[: limit * 2]
    )
    return [s for s in shifts if set(s.post.skills) <= set(volunteer.skills)][:limit]


def late_and_absent(scope: Scope, now: datetime | None = None, days: int = 14) -> dict[str, list[Assignment]]:
    """Late (checked in more than 10 minutes after the start) and no-shows (the shift is over, no
    check-in) over the last `days` days."""
    now = now or timezone.now()
    recent = (
        Assignment.objects.filter(
            scope.q("shift__place_path"), shift__published=True, shift__start__gte=now - timedelta(days=days)
        )
        .select_related("shift__post", "volunteer")
        .order_by("-shift__start")
    )
    return {
        "late": [a for a in recent.filter(checked_in_at__gt=F("shift__start") + timedelta(minutes=10))[:200]],
        "absent": [a for a in recent.filter(checked_in_at__isnull=True, shift__end__lt=now)[:200]],
    }


def pending_changes(scope: Scope) -> QuerySet[ChangeRequest]:
    return (
        ChangeRequest.objects.filter(scope.q("assignment__shift__place_path"), status=ApplicationStatus.PENDING)
        .select_related("assignment__shift__post", "assignment__volunteer", "swap_with")
        .order_by("created_at")
    )


def organisation_hours(organisation: Organisation) -> tuple[int, Decimal]:
    """How many of the organisation's people served, and how many hours: one query over the ledger."""
    row = HoursEntry.objects.filter(volunteer__organisation=organisation).aggregate(
        staff=Count("volunteer", distinct=True), total=Sum("hours")
    )
    return row["staff"], row["total"] or Decimal(0)


def hours_totals(scope: Scope) -> dict[str, list[tuple[str, Decimal]]]:
    """Hours by person, by team and by organization, largest first."""
    entries = HoursEntry.objects.filter(scope.q("volunteer__place_path"))
    by_person = [
        (row["volunteer__name"], row["total"])
        for row in entries.values("volunteer__name", "volunteer_id")
        .annotate(total=Sum("hours"))
        .order_by("-total")[:100]
    ]
    by_team = [
        (row["volunteer__teams__name"], row["total"])
        for row in entries.filter(volunteer__teams__isnull=False)
        .values("volunteer__teams__name")
        .annotate(total=Sum("hours"))
        .order_by("-total")[:50]
    ]
    # One query: each organisation's staff who served and their hours ("the union's 11 staff, 640 h").
    by_org = [
        (
            _("%(organisation)s (%(staff)d people)")
            % {"organisation": row["volunteer__organisation__name"], "staff": row["staff"]},
            row["total"],
        )
        for row in entries.filter(volunteer__organisation__isnull=False)
        .values("volunteer__organisation__name", "volunteer__organisation_id")
        .annotate(total=Sum("hours"), staff=Count("volunteer", distinct=True))
        .order_by("-total")[:50]
    ]
    return {"person": by_person, "team": by_team, "organization": by_org}


def hours_of(volunteer: Volunteer) -> Decimal:
    return volunteer.hours.aggregate(total=Sum("hours"))["total"] or Decimal(0)


def to_mark_by_leader(leader: Volunteer, now: datetime | None = None) -> QuerySet[Assignment]:
    """Shifts of the leader's team members from the last day that nobody checked in for."""
    now = now or timezone.now()
    return (
        Assignment.objects.filter(
            volunteer__teams__leader=leader,
            checked_in_at__isnull=True,
            shift__published=True,
            shift__start__lte=now,
            shift__start__gte=now - timedelta(days=1),
        )
        .exclude(volunteer=leader)
        .select_related("shift__post", "volunteer")
        .distinct()
        .order_by("shift__start")
    )


# Accessors: 404 outside the user's places exactly as for a record that does not exist.


def get_volunteer_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Volunteer:
    return get_for_user(Volunteer.objects.all(), user=user, pk=pk, perm=perm, path_field="place_path", write=write)


def get_team_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Team:
    return get_for_user(
        Team.objects.select_related("place", "leader"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="place_path",
        write=write,
    )


def get_post_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Post:
    return get_for_user(
        Post.objects.select_related("place"), user=user, pk=pk, perm=perm, path_field="place_path", write=write
    )


def get_roster_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Roster:
    return get_for_user(
        Roster.objects.select_related("place"), user=user, pk=pk, perm=perm, path_field="place_path", write=write
    )


def get_shift_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Shift:
    return get_for_user(Shift.objects.all(), user=user, pk=pk, perm=perm, path_field="place_path", write=write)


def get_assignment_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Assignment:
    return get_for_user(
        Assignment.objects.select_related("shift", "volunteer"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="shift__place_path",
        write=write,
    )


def get_change_request_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> ChangeRequest:
    return get_for_user(
        ChangeRequest.objects.select_related("assignment__shift"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="assignment__shift__place_path",
        write=write,
    )


def get_assignment_for_leader(*, user: Any, pk: Any) -> Assignment:
    """An assignment of a member of a team `user` leads, else 404. A leader's reach is the team,
    not a place: a street's team takes volunteers of several communities."""
    led = Team.objects.filter(leader__user=user, members=OuterRef("volunteer"))
    try:
        return Assignment.objects.select_related("shift", "volunteer").filter(Exists(led)).get(pk=pk)
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_own_assignment(*, user: Any, pk: Any) -> Assignment:
    """One of the volunteer's own assignments (wherever the shift is), else 404."""
    try:
        return Assignment.objects.select_related("shift", "volunteer").get(pk=pk, volunteer__user=user)
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_post_by_token_for_user(*, user: Any, token: str) -> Post:
    """The post a check-in link names, for someone who may check in there: a volunteer with a
    shift at it, one whose community holds the post or lies under it, or staff of its place.
    Anyone else gets 404 exactly as for a token that does not exist."""
    post = Post.objects.filter(check_token=token).select_related("place").first()
    if post is None:
        raise Http404
    path = post.place_path
    if Assignment.objects.filter(volunteer__user=user, shift__post=post).exists():
        return post
    for home in Volunteer.objects.filter(user=user).values_list("place_path", flat=True):
        if home.startswith(path) or path.startswith(home):
            return post
    if scope_of(user, Perm.VOLUNTEERS_MANAGE).contains(path):
        return post
    raise Http404


def span_in_words(start: datetime, end: datetime) -> str:
    """A shift's time in local words: "Nov 30 07:00–19:00", "11月30日 07:00–19:00"."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    day = date_format(start, pgettext("month and day of a shift", "M j"))
    return f"{day} {start:%H:%M}–{end:%H:%M}"


def roster_overview(roster: Roster, shifts: Sequence[Shift]) -> dict[str, Any]:
    """The roster page's summary, from the shifts as they are now (with their assignments
    prefetched), so a place someone has taken since the solve is no longer listed: the uncovered
    shifts in local words with the solver's reason, the hours per volunteer (those the solver
    counted, at 0 h too, and anyone on a shift since) as an ECharts option, and their spread."""
    result = roster.result or {}
    reasons = {u["shift"]: u["reason"] for u in result.get("uncovered", [])}
    hours: dict[str, float] = dict.fromkeys(result.get("hours", {}), 0.0)
    names: dict[str, str] = {}
    uncovered = []
    for s in shifts:
        people = list(s.assignments.all())
        for a in people:
            key = str(a.volunteer_id)
            hours[key] = hours.get(key, 0.0) + (s.end - s.start).total_seconds() / 3600
            names[key] = a.volunteer.name
        if len(people) < s.min_people:
            uncovered.append(
                {
                    "when": span_in_words(s.start, s.end),
                    "post": s.post.name,
                    "missing": s.min_people - len(people),
                    "reason": reasons.get(str(s.pk), ""),
                }
            )
    unnamed = [int(k) for k in hours if k not in names]
    names.update({str(pk): name for pk, name in Volunteer.objects.filter(pk__in=unnamed).values_list("pk", "name")})
    ranked = sorted(hours.items(), key=lambda item: (-item[1], names.get(item[0], "")))
    chart = {
        "grid": {"left": 40, "right": 10, "top": 10, "bottom": 80},
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "category",
            "data": [names.get(k, k) for k, _h in ranked],
            "axisLabel": {"rotate": 60, "fontSize": 10},
        },
        "yAxis": {"type": "value", "name": str(_("hours"))},
        "series": [{"type": "bar", "data": [round(h, 1) for _k, h in ranked], "itemStyle": {"color": "#c0392b"}}],
    }
    spread = (ranked[0][1] - ranked[-1][1]) if ranked else 0.0
    return {"uncovered": uncovered, "chart": chart, "spread_hours": round(spread, 1), "hours": dict(ranked)}


def volunteer_figures(scope: Scope, now: datetime | None = None) -> dict[str, Any]:
    """The dashboard's volunteer figures for the area, three queries: volunteers on duty now
    (checked in, not yet out, on a shift that has not ended), hours logged this week (from Monday,
    corrections included), and the shifts of the next 7 days with fewer people than they need
    (with the number of people missing)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    on_duty = (
        Assignment.objects.filter(
            scope.q("shift__place_path"),
            checked_in_at__isnull=False,
            checked_out_at__isnull=True,
            shift__end__gt=now,
        )
        .values("volunteer_id")
        .distinct()
        .count()
    )
    hours = HoursEntry.objects.filter(scope.q("volunteer__place_path"), created_at__gte=monday).aggregate(
        total=Sum("hours")
    )["total"]
    short = (
        Shift.objects.filter(scope.q("place_path"), start__gte=now, start__lt=now + timedelta(days=7))
        .annotate(people=Count("assignments"))
        .filter(people__lt=F("min_people"))
        .values_list("min_people", "people")
    )
    missing = [need - have for need, have in short]
    return {
        "on_duty": on_duty,
        "hours_week": hours or Decimal(0),
        "uncovered_shifts": len(missing),
        "missing_people": sum(missing),
    }
