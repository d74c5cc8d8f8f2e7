from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from tongzhou.accounts.models import User
from tongzhou.core.scope import Scope
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.models import ApplicationStatus, Team, Volunteer

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
        .select_related("community", "vetted_by")
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


def team_counts(scope: Scope) -> dict[str, int]:
    return Volunteer.objects.filter(scope.q("place_path")).aggregate(
        pending=Count("id", filter=Q(status=ApplicationStatus.PENDING)),
        approved=Count("id", filter=Q(status=ApplicationStatus.APPROVED)),
    )
