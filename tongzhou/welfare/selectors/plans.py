"""Plans and enrollments (and the plans open to a member unit's contact), the gifted-enrollment
requests, the proposal lists (front-line hours, grid workers and building leads), the places and
organisations a plan may cover, and the dashboard's welfare figures."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from tongzhou.accounts.models import RoleAssignment
from tongzhou.checkpoints import selectors as checkpoints_selectors
from tongzhou.core.access import get_for_user, id_or_404, scope_of
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.scope import Scope, ancestor_paths, subtree_q
from tongzhou.people.models import Organisation
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.models import Duty, HoursEntry, Post, Volunteer
from tongzhou.welfare.models import (
    Claim,
    ClaimStatus,
    Enrollment,
    EnrollmentSource,
    GiftRequest,
    Plan,
    Visit,
)
from tongzhou.welfare.selectors.units import _unit_q

# The posts where front-line work happens: the proposal list counts hours there only.
KEY_DUTIES = (Duty.GATE, Duty.SEALED_BUILDING, Duty.TESTING_ORDER)


def plans(scope: Scope) -> QuerySet[Plan]:
    return Plan.objects.filter(scope.q("place_path")).select_related("sponsor", "place").order_by("-starts_on", "id")


def get_plan_for_user(*, user: Any, pk: Any, perm: Perm = Perm.WELFARE_MANAGE, write: bool = False) -> Plan:
    return get_for_user(
        Plan.objects.select_related("sponsor", "place"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="place_path",
        write=write,
    )


def plan_enrollments(plan: Plan) -> QuerySet[Enrollment]:
    return plan.enrollments.select_related("organisation").order_by("-created_at", "-id")


def my_enrollments(user: Any) -> QuerySet[Enrollment]:
    """The user's own enrollments: theirs by log-in, nobody else's."""
    if not getattr(user, "is_authenticated", False):
        return Enrollment.objects.none()
    return Enrollment.objects.filter(user=user).select_related("plan__sponsor").order_by("-created_at")


def get_enrollment_for_user(*, user: Any, pk: Any) -> Enrollment:
    """One's own enrollment, any in the places where the user manages welfare, or a member of a
    unit the user is the contact of; else 404."""
    pk = id_or_404(pk)
    rows = Enrollment.objects.select_related("plan__sponsor", "volunteer")
    own = Q(user_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    scope = scope_of(user, Perm.WELFARE_MANAGE)
    visible = own | scope.q("place_path") if not scope.is_empty else own
    if getattr(user, "is_authenticated", False) and not scope_of(user, Perm.WELFARE_UNIT).is_empty:
        visible |= _unit_q(user)  # a member unit's contact: the unit's own members (to print certificates)
    enrollment = rows.filter(visible, pk=pk).first()
    if enrollment is None:
        raise Http404
    return enrollment


@dataclass
class Proposal:
    volunteer: Volunteer
    hours: Decimal
    posts: list[str]
    enrolled: bool

    @property
    def posts_label(self) -> str:
        """The posts as one text (escaped once on the page, not once per post)."""
        return "、".join(self.posts)


def proposals(scope: Scope, plan: Plan, *, min_hours: Decimal, days: int, limit: int = 500) -> list[Proposal]:
    """Volunteers and guards of the scope with at least `min_hours` on the hours ledger at gate,
    sealed-building or testing-site posts in the last `days` days, most hours first, with the
    posts they served and whether the plan has them already. Five queries at any size: the key
    posts of the scope; the sums, one range of the ledger's (post, shift start) covering index
    with no join; the posts of those shown; the volunteers; who is enrolled."""
    since = timezone.now() - timedelta(days=days)
    post_names = dict(Post.objects.filter(scope.q("place_path"), duty__in=KEY_DUTIES).values_list("id", "name"))
    if not post_names:
        return []
    entries = HoursEntry.objects.filter(post_id__in=list(post_names), shift_start__gte=since)
    sums = list(
        entries.values("volunteer_id")
        .annotate(total=Sum("hours"))
        .filter(total__gte=min_hours)
        .order_by("-total", "volunteer_id")[:limit]
    )
    if not sums:
        return []
    ids = [row["volunteer_id"] for row in sums]
    posts: dict[int, set[str]] = {}
    for volunteer_id, post_id in entries.filter(volunteer_id__in=ids).values_list("volunteer_id", "post_id").distinct():
        posts.setdefault(volunteer_id, set()).add(post_names[post_id])
    # The encrypted phone and ID number are not read: decrypting 500 of each is a third of the time.
    volunteers = Volunteer.objects.select_related("organisation").defer("phone", "id_number").in_bulk(ids)
    enrolled = set(Enrollment.objects.filter(plan=plan, volunteer_id__in=ids).values_list("volunteer_id", flat=True))
    return [
        Proposal(
            volunteer=volunteers[row["volunteer_id"]],
            hours=row["total"],
            posts=sorted(posts.get(row["volunteer_id"], ())),
            enrolled=row["volunteer_id"] in enrolled,
        )
        for row in sums
        if row["volunteer_id"] in volunteers
    ]


def get_gift_for_user(*, user: Any, pk: Any) -> GiftRequest:
    """The gifted-enrollment request for its picker (WELFARE_MANAGE) or an approver (WELFARE_APPROVE)."""
    for perm in (Perm.WELFARE_MANAGE, Perm.WELFARE_APPROVE):
        try:
            return get_for_user(
                GiftRequest.objects.select_related("plan", "requested_by", "decided_by"),
                user=user,
                pk=pk,
                perm=perm,
                path_field="place_path",
            )
        except Http404:
            continue
    raise Http404


def figures(scope: Scope) -> dict[str, Any]:
    """The dashboard's welfare figures for the scope: people covered by plan, by post and by
    organisation; claims by status with the amount paid; visits done and due. Five queries."""
    enrollments = Enrollment.objects.filter(scope.q("place_path"))
    by_plan = list(enrollments.values_list("plan__name").annotate(n=Count("id")).order_by("-n"))
    by_post = list(
        enrollments.exclude(post_label="").values_list("post_label").annotate(n=Count("id")).order_by("-n")[:20]
    )
    by_org = list(
        enrollments.filter(organisation__isnull=False)
        .values_list("organisation__name")
        .annotate(n=Count("id"))
        .order_by("-n")[:20]
    )
    claim_rows = {
        row["status"]: row
        for row in Claim.objects.filter(scope.q("place_path"))
        .values("status")
        .annotate(n=Count("id"), amount=Sum("amount"))
    }
    visits = Visit.objects.filter(scope.q("campaign__place_path")).aggregate(
        done=Count("id", filter=Q(visited_at__isnull=False)), due=Count("id", filter=Q(visited_at__isnull=True))
    )
    return {
        "covered": sum(n for _name, n in by_plan),
        "by_plan": by_plan,
        "by_post": by_post,
        "by_organisation": by_org,
        "claims": [(label, claim_rows.get(value, {}).get("n", 0)) for value, label in ClaimStatus.choices],
        "paid": claim_rows.get(ClaimStatus.PAID, {}).get("amount") or Decimal(0),
        "visits_done": visits["done"],
        "visits_due": visits["due"],
    }


def organisations_for(scope: Scope) -> QuerySet[Organisation]:
    """Organisations at the scope's places, below them, or above them (a community's officer picks
    the street's union)."""
    above = {path for root in scope.roots for path in ancestor_paths(root)}
    return Organisation.objects.filter(scope.q("place_path") | Q(place_path__in=above)).order_by("name", "id")


def plan_places(scope: Scope) -> QuerySet[Place]:
    return Place.objects.filter(scope.q("path"), kind__in=[PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY])


def plan_counts(plan: Plan) -> dict[str, Any]:
    """The plan's places and its enrollments by source and by member unit; two queries."""
    by_source = dict(plan.enrollments.values_list("source").annotate(n=Count("id")).order_by())
    by_organisation = [
        {"organisation": name, "enrolled": n}
        for name, n in plan.enrollments.filter(organisation__isnull=False)
        .values_list("organisation__name")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation__name")[:100]
    ]
    return {
        "places_total": plan.places_total,
        "places_taken": plan.places_taken,
        "places_left": plan.places_left,
        "enrolled": sum(by_source.values()),
        "by_source": {value: by_source.get(value, 0) for value in EnrollmentSource.values},
        "by_organisation": by_organisation,
    }


KEY_ROLES = (Role.GRID_WORKER, Role.BUILDING_LEAD)


@dataclass
class RoleProposal:
    """A grid worker or building lead whose place is sealed (or holds a sealed place). They can be
    picked for a gifted place through their volunteer record, which carries the ID number an
    enrollment needs; without one the officer enrolls them on the plan page."""

    user: Any
    role: str
    place: Place
    volunteer: Volunteer | None
    hours: Decimal
    posts: list[str]
    enrolled: bool


def role_proposals(scope: Scope, plan: Plan, *, days: int) -> list[RoleProposal]:
    """Grid workers and building leads of the scope whose place is inside a sealed place or holds
    one (closed management's levels in force), with their role, their place and, when they also
    serve as volunteers, their hours at key posts in the last `days` days. At most four queries:
    the sealed places, the roles, the hours, who is enrolled."""
    sealed = checkpoints_selectors.sealed_paths(scope)
    if not sealed:
        return []
    near = Q()
    for path in sealed:
        near |= subtree_q(path, "place__path") | Q(place__path__in=ancestor_paths(path))
    roles = list(
        RoleAssignment.objects.filter(scope.q("place__path"), near, role__in=KEY_ROLES)
        .select_related("user__volunteer__organisation", "place")
        .order_by("place__path", "role", "user_id")
    )
    if not roles:
        return []
    volunteer_ids = [v.pk for ra in roles if (v := _volunteer_of(ra.user)) is not None]
    hours: dict[int, tuple[Decimal, list[str]]] = {}
    if volunteer_ids:
        since = timezone.now() - timedelta(days=days)
        rows = (
            HoursEntry.objects.filter(volunteer_id__in=volunteer_ids, shift_start__gte=since, post__duty__in=KEY_DUTIES)
            .values_list("volunteer_id", "post__name")
            .annotate(total=Sum("hours"))
            .order_by("volunteer_id", "post__name")
        )
        for volunteer_id, post_name, total in rows:
            sum_so_far, names = hours.get(volunteer_id, (Decimal(0), []))
            hours[volunteer_id] = (sum_so_far + total, [*names, post_name])
    user_ids = [ra.user_id for ra in roles]
    enrolled = set(
        Enrollment.objects.filter(Q(user_id__in=user_ids) | Q(volunteer_id__in=volunteer_ids), plan=plan)
        .values_list("user_id", "volunteer_id")
        .distinct()
    )
    enrolled_users = {u for u, _v in enrolled if u}
    enrolled_volunteers = {v for _u, v in enrolled if v}
    result = []
    for ra in roles:
        volunteer = _volunteer_of(ra.user)
        total, posts = hours.get(volunteer.pk, (Decimal(0), [])) if volunteer else (Decimal(0), [])
        result.append(
            RoleProposal(
                user=ra.user,
                role=str(Role(ra.role).label),
                place=ra.place,
                volunteer=volunteer,
                hours=total,
                posts=posts,
                enrolled=ra.user_id in enrolled_users
                or (volunteer is not None and volunteer.pk in enrolled_volunteers),
            )
        )
    return result


def _volunteer_of(user: Any) -> Volunteer | None:
    try:
        volunteer: Volunteer = user.volunteer
    except Volunteer.DoesNotExist:
        return None
    return volunteer


def unit_plans(user: Any) -> QuerySet[Plan]:
    """The plans a unit contact may enroll into: at the places of their role, not over yet."""
    scope = scope_of(user, Perm.WELFARE_UNIT)
    if scope.is_empty:
        return Plan.objects.none()
    return plans(scope).filter(ends_on__gte=timezone.localdate())
