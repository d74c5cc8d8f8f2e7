"""Reads of the welfare app, scoped. Claims are health data: `get_claim_for_user` answers 404 to
anyone but the welfare officer of the claim's place and the claimant."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import RoleAssignment
from tongzhou.assistance import selectors as assistance_selectors
from tongzhou.assistance.models import Category as HelpCategory
from tongzhou.assistance.models import HelpRequest
from tongzhou.checkpoints import selectors as checkpoints_selectors
from tongzhou.core.access import get_for_user, id_or_404, scope_of
from tongzhou.core.imports.models import ImportJob
from tongzhou.core.imports.selectors import get_import_job_for_user
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.pii import mask_name
from tongzhou.core.scope import Scope, ancestor_paths, subtree_q
from tongzhou.monitoring import selectors as monitoring_selectors
from tongzhou.monitoring.models import IsolationOrder, OrderKind
from tongzhou.people.models import Organisation
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.models import ApplicationStatus, Assignment, Duty, HoursEntry, Post, Volunteer
from tongzhou.welfare.models import (
    Campaign,
    CampaignTarget,
    Claim,
    ClaimStatus,
    Coverage,
    Enrollment,
    EnrollmentSource,
    GiftRequest,
    Invoice,
    Plan,
    UnitContact,
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


# Member units' own accounts and their invoices ---------------------------------------------------


def unit_contacts_of(user: Any) -> QuerySet[UnitContact]:
    """The units `user` is the contact of, where they still hold the unit-contact role."""
    if not getattr(user, "is_authenticated", False):
        return UnitContact.objects.none()
    scope = scope_of(user, Perm.WELFARE_UNIT)
    if scope.is_empty:
        return UnitContact.objects.none()
    return UnitContact.objects.filter(user_id=user.pk).select_related("organisation").order_by("organisation__name")


def get_unit_for_user(*, user: Any, pk: Any) -> Organisation:
    """The organisation `pk` if `user` is its contact; 404 otherwise, as for no such unit."""
    pk = id_or_404(pk)
    contact = unit_contacts_of(user).filter(organisation_id=pk).first()
    if contact is None:
        raise Http404
    return contact.organisation


def unit_plans(user: Any) -> QuerySet[Plan]:
    """The plans a unit contact may enroll into: at the places of their role, not over yet."""
    scope = scope_of(user, Perm.WELFARE_UNIT)
    if scope.is_empty:
        return Plan.objects.none()
    return plans(scope).filter(ends_on__gte=timezone.localdate())


def unit_enrollments(user: Any, organisation: Organisation) -> QuerySet[Enrollment]:
    """The unit's members' enrollments in the plans of the contact's places (no claims, ever)."""
    return (
        Enrollment.objects.filter(scope_of(user, Perm.WELFARE_UNIT).q("place_path"), organisation=organisation)
        .select_related("plan")
        .order_by("-created_at", "-id")
    )


def _unit_q(user: Any) -> Q:
    """Rows (with `organisation` and `place_path`) of the units `user` is the contact of."""
    organisations = list(unit_contacts_of(user).values_list("organisation_id", flat=True))
    if not organisations:
        return Q(pk__in=[])
    return Q(organisation_id__in=organisations) & scope_of(user, Perm.WELFARE_UNIT).q("place_path")


def unit_invoices(user: Any, organisation: Organisation) -> QuerySet[Invoice]:
    return Invoice.objects.filter(_unit_q(user), organisation=organisation).select_related("plan")


def plan_units(plan: Plan) -> list[dict[str, Any]]:
    """Per member unit with members in the plan: enrolled (gifted places aside) and not yet billed.
    One query."""
    rows = (
        Enrollment.objects.filter(plan=plan, organisation__isnull=False)
        .exclude(source=EnrollmentSource.GIFT)
        .values("organisation_id", "organisation__name")
        .annotate(members=Count("id"), unbilled=Count("id", filter=Q(invoice_line__isnull=True)))
        .order_by("organisation__name")
    )
    return [
        {
            "organisation_id": r["organisation_id"],
            "name": r["organisation__name"],
            "members": r["members"],
            "unbilled": r["unbilled"],
            "due": plan.contribution * r["unbilled"],
        }
        for r in rows
    ]


def plan_invoices(plan: Plan) -> QuerySet[Invoice]:
    return plan.invoices.select_related("organisation").order_by("-created_at", "-id")


def unit_contacts_in(scope: Scope) -> QuerySet[UnitContact]:
    return UnitContact.objects.filter(scope.q("place_path")).select_related("organisation", "user")


def get_invoice_for_user(*, user: Any, pk: Any, write: bool = False) -> Invoice:
    """The invoice for the welfare officer of its plan's place, or for its unit's contact; 404
    otherwise. `write` asks the officer's access."""
    pk = id_or_404(pk)
    if not getattr(user, "is_authenticated", False):
        raise Http404
    visible = scope_of(user, Perm.WELFARE_MANAGE).q("place_path")
    if not write:
        visible |= _unit_q(user)
    invoice = Invoice.objects.filter(visible, pk=pk).select_related("plan__sponsor", "organisation").first()
    if invoice is None:
        raise Http404
    return invoice


UNIT_IMPORTER = "welfare_unit_enrollments"  # importers.UnitEnrollmentImporter.name


def unit_place(contact: UnitContact) -> Place:
    """The place of the contact's role: their files are imported into it."""
    return Place.objects.get(path=contact.place_path)


def get_unit_job_for_user(*, user: Any, pk: Any) -> ImportJob:
    """A unit contact's own upload: the importer's permission at its place, and uploaded by them
    (two units' contacts share a place, never each other's staff lists); 404 otherwise."""
    job = get_import_job_for_user(user=user, pk=pk, importer=UNIT_IMPORTER)
    if job.created_by_id != user.pk:
        raise Http404
    return job


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
