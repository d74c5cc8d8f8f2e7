"""Reads of the welfare app, scoped. Claims are health data: `get_claim_for_user` answers 404 to
anyone but the welfare officer of the claim's place and the claimant."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import RoleAssignment
from tongzhou.checkpoints import selectors as checkpoints_selectors
from tongzhou.core.access import get_for_user, id_or_404, scope_of
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.pii import mask_name
from tongzhou.core.scope import Scope, ancestor_paths, subtree_q
from tongzhou.monitoring import selectors as monitoring_selectors
from tongzhou.people.models import Organisation
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.models import ApplicationStatus, Assignment, Duty, HoursEntry, Post, Volunteer
from tongzhou.welfare.models import (
    Campaign,
    CampaignTarget,
    Claim,
    ClaimStatus,
    Enrollment,
    GiftRequest,
    Plan,
    Visit,
)

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
    """One's own enrollment, or any in the places where the user manages welfare; else 404."""
    pk = id_or_404(pk)
    rows = Enrollment.objects.select_related("plan__sponsor", "volunteer")
    own = Q(user_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    scope = scope_of(user, Perm.WELFARE_MANAGE)
    visible = own | scope.q("place_path") if not scope.is_empty else own
    enrollment = rows.filter(visible, pk=pk).first()
    if enrollment is None:
        raise Http404
    return enrollment


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
    """What the system already knows about the claimant on a day, offered to pre-fill a claim."""

    assignments: list[Assignment]


def claim_evidence(enrollment: Enrollment, day: Any) -> Evidence:
    """The claimant's shifts that started on `day` or the day before (a night shift), with their
    check-ins: one query."""
    if enrollment.volunteer_id is None:
        return Evidence(assignments=[])
    start = timezone.make_aware(datetime.combine(day - timedelta(days=1), time.min))
    end = start + timedelta(days=2)
    rows = list(
        Assignment.objects.filter(volunteer_id=enrollment.volunteer_id, shift__start__gte=start, shift__start__lt=end)
        .select_related("shift__post")
        .order_by("-shift__start")[:10]
    )
    return Evidence(assignments=rows)


# The proposal list -------------------------------------------------------------------------------


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


def gate_duty_targets(path: str, *, days: int) -> list[tuple[Volunteer, str]]:
    """Campaign targets: volunteers assigned to a gate post under `path` in the last `days` days,
    each with why (their shifts there)."""
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
    return [
        (volunteers[vid], _("%(n)d gate shifts in the last %(days)d days") % {"n": n, "days": days})
        for vid, n in sorted(counts.items())
    ]


# Grid workers and building leads in sealed places ---------------------------------------------

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


# Campaign targets beyond gate duty -----------------------------------------------------------

NIGHT_STARTS, NIGHT_HOURS = 19, 12  # an overnight watch: 19:00 to 07:00 the next morning
NIGHTS_LOOKBACK_DAYS = 60


def isolation_targets(path: str) -> list[tuple[Volunteer, str]]:
    """Volunteers of `path` under an isolation order now (monitoring says which ID numbers, and
    nothing more about the order). Two queries."""
    volunteers = list(
        Volunteer.objects.filter(subtree_q(path, "place_path"), status=ApplicationStatus.APPROVED).exclude(
            id_index=None
        )
    )
    isolated = monitoring_selectors.under_isolation(v.id_index for v in volunteers)
    return [(v, _("Under isolation now")) for v in sorted(volunteers, key=lambda v: v.pk) if v.id_index in isolated]


def claim_paid_targets(path: str) -> list[tuple[Volunteer, str]]:
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
    return [(volunteers[vid], _("Claim paid")) for vid in sorted(counts) if vid in volunteers]


def nights_in_a_row_targets(path: str, *, nights: int) -> list[tuple[Volunteer, str]]:
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
    return [
        (volunteers[vid], _("%(n)d overnight watches in a row") % {"n": longest[vid]})
        for vid in chosen
        if vid in volunteers
    ]


def _longest_run(days: set[Any]) -> int:
    best = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best, previous = max(best, run), day
    return best


def campaign_targets(kind: str, path: str, *, number: int) -> list[tuple[Volunteer, str]]:
    """The people a campaign of this kind targets under `path`, each with why: `number` is the
    days of gate duty or the nights in a row."""
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
