"""Reads of the notices app: the message log, notices, their reach. Scoped: outside the user's
places a notice answers 404 like one that does not exist."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.core.access import get_for_user, id_or_404, scope_of
from tongzhou.core.outbox.models import OutboxMessage
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import blind_index_candidates
from tongzhou.notices.models import Audience, Notice, NoticeApproval, NoticeStatus, Reach, Texted
from tongzhou.people.models import Person
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.models import Team

# A notice for a place at this depth or above (a street, a district) needs a second person.
WIDE_KINDS = (PlaceKind.PROVINCE, PlaceKind.CITY, PlaceKind.DISTRICT, PlaceKind.STREET)


def message_scope_for_phone(phone: str) -> str:
    """Where a message to `phone` belongs in the log when its sender gave no place: the resident's
    household, else the place of the account's first role."""
    if not phone:
        return ""
    candidates = blind_index_candidates(phone)
    path = Person.objects.filter(phone_index__in=candidates).order_by("pk").values_list("place_path", flat=True).first()
    if path:
        return path
    user = User.objects.filter(phone_index__in=candidates).order_by("pk").first()
    if user is None:
        return ""
    role = user.roles.select_related("place").order_by("place__path").first()
    return role.place.path if role else ""


def messages_for_user(user: Any, *, status: str = "") -> QuerySet[OutboxMessage]:
    rows = OutboxMessage.objects.filter(scope_of(user, Perm.MESSAGES_VIEW).q("scope_path"))
    if status:
        rows = rows.filter(status=status)
    return rows.defer("to").order_by("-created_at", "-id")


def may_read_demo_outbox(user: Any, settings_demo: bool) -> bool:
    return settings_demo and not scope_of(user, Perm.MESSAGES_DEMO_OUTBOX).is_empty


def notices_for_user(user: Any) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(scope_of(user, Perm.NOTICES_SEND).q("place_path"))
        .select_related("place", "created_by", "superseded_by")
        .order_by("-created_at", "-id")
    )


def notices_to_visit(user: Any) -> QuerySet[Notice]:
    """Sent notices with households in the user's door-to-door area."""
    in_reach = Reach.objects.filter(scope_of(user, Perm.NOTICES_VISIT).q("place_path"), notice=OuterRef("pk"))
    return Notice.objects.filter(Exists(in_reach), status=NoticeStatus.SENT).order_by("-sent_at", "-id")


def get_notice_for_visitor(*, user: Any, pk: Any) -> Notice:
    """A sent notice with households in the user's door-to-door area (or placed there), else 404."""
    scope = scope_of(user, Perm.NOTICES_VISIT)
    if scope.is_empty:
        raise Http404
    in_reach = Reach.objects.filter(scope.q("place_path"), notice=OuterRef("pk"))
    notice = (
        Notice.objects.filter(Q(Exists(in_reach)) | scope.q("place_path"), pk=id_or_404(pk), status=NoticeStatus.SENT)
        .select_related("place")
        .first()
    )
    if notice is None:
        raise Http404
    return notice


# Notice places: the levels a notice is written for (not a unit: its building is the door).
NOTICE_PLACE_KINDS = (
    PlaceKind.DISTRICT,
    PlaceKind.STREET,
    PlaceKind.COMMUNITY,
    PlaceKind.GRID,
    PlaceKind.COMPOUND,
    PlaceKind.BUILDING,
)


def places_for_notices(user: Any) -> QuerySet[Place]:
    return Place.objects.filter(scope_of(user, Perm.NOTICES_SEND).q("path"), kind__in=NOTICE_PLACE_KINDS).order_by(
        "path"
    )


def teams_for_notices(user: Any) -> QuerySet[Team]:
    """Volunteer teams set up in the places where the user writes notices."""
    return Team.objects.filter(scope_of(user, Perm.NOTICES_SEND).q("place_path")).order_by("place_path", "name")


def audience_team(notice: Notice) -> Team | None:
    if notice.audience != Audience.VOLUNTEERS or not notice.audience_ref.isdigit():
        return None
    return Team.objects.filter(pk=int(notice.audience_ref)).first()


def buildings_reached(notice: Notice, limit: int = 500) -> list[Place]:
    ids = Reach.objects.filter(notice=notice).values("building_id")
    return list(Place.objects.filter(pk__in=ids).order_by("path")[:limit])


def sent_notice(pk: int) -> Notice | None:
    return Notice.objects.filter(pk=pk, status=NoticeStatus.SENT).select_related("place", "supersedes").first()


def newer_version(notice: Notice) -> Notice | None:
    return Notice.objects.filter(supersedes=notice, status=NoticeStatus.SENT).first()


def rooms_of(notice: Notice, building_id: int) -> list[tuple[int, str]]:
    """The households of one building the notice was sent to, by room, for the acknowledgement."""
    rows = Reach.objects.filter(notice=notice, building_id=building_id).select_related("household")
    return [(r.household_id, r.household.room) for r in rows.order_by("household__room")]


def approvals_waiting_for(user: Any) -> QuerySet[NoticeApproval]:
    return (
        NoticeApproval.objects.filter(scope_of(user, Perm.NOTICES_APPROVE).q("place_path"), status="pending")
        .exclude(requested_by=user)
        .select_related("notice", "notice__place", "requested_by")
    )


def get_notice_for_user(*, user: Any, pk: Any, perm: Perm = Perm.NOTICES_SEND, write: bool = False) -> Notice:
    return get_for_user(
        Notice.objects.select_related("place", "created_by", "supersedes", "superseded_by"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="place_path",
        write=write,
    )


def get_reach_for_user(*, user: Any, pk: Any, write: bool = False) -> Reach:
    return get_for_user(
        Reach.objects.select_related("notice", "household"),
        user=user,
        pk=pk,
        perm=Perm.NOTICES_VISIT,
        path_field="place_path",
        write=write,
    )


# The state of one household for a notice, the first that holds.
ACKNOWLEDGED = "acknowledged"
DELIVERED = "delivered"
PENDING = "pending"
FAILED = "failed"
NOT_REACHED = "not_reached"
STATES = (DELIVERED, PENDING, FAILED, NOT_REACHED, ACKNOWLEDGED)


# How far a household's texts got (`Reach.texted`, kept in step with its recipients) by state.
_BY_TEXTED: dict[int, str] = {
    Texted.SENT: DELIVERED,
    Texted.PENDING: PENDING,
    Texted.FAILED: FAILED,
    Texted.NONE: NOT_REACHED,
}


def state_of(row: Reach) -> str:
    if row.acknowledged_at or row.visited_at:
        return ACKNOWLEDGED
    return _BY_TEXTED.get(row.texted, NOT_REACHED)


def _state_expression() -> Case:
    """`state_of` in SQL, so that the database counts the households by building and state from
    the notice's Reach rows alone."""
    return Case(
        When(Q(acknowledged_at__isnull=False) | Q(visited_at__isnull=False), then=Value(ACKNOWLEDGED)),
        *(When(texted=texted, then=Value(state)) for texted, state in _BY_TEXTED.items()),
        default=Value(NOT_REACHED),
        output_field=CharField(),
    )


@dataclass
class BuildingReach:
    building: Place
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def reach_report(notice: Notice) -> tuple[list[BuildingReach], Counter[str]]:
    """Households per building by state (delivered, pending, failed, not reached, acknowledged),
    and the totals: counted by the database in one query, and the buildings' names in a second."""
    per_building: dict[int, Counter[str]] = {}
    rows = (
        Reach.objects.filter(notice=notice)
        .annotate(state=_state_expression())
        .values("building_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        per_building.setdefault(row["building_id"], Counter())[row["state"]] += row["n"]
    buildings = Place.objects.only("name", "path").in_bulk(list(per_building))
    report = [BuildingReach(buildings[pk], counts) for pk, counts in per_building.items() if pk in buildings]
    report.sort(key=lambda b: b.building.path)
    totals: Counter[str] = Counter()
    for b in report:
        totals.update(b.counts)
    return report, totals


def door_list(notice: Notice, user: Any) -> list[tuple[Any, str]]:
    """The households of the notice in the user's places (where they may visit) that no message
    reached, with those already visited or acknowledged, by address."""
    scope = scope_of(user, Perm.NOTICES_VISIT)
    rows = (
        Reach.objects.filter(scope.q("place_path"), notice=notice, texted__lt=Texted.PENDING)
        .select_related("household", "household__place", "building")
        .order_by("place_path", "household__room")
    )
    return [(r, state_of(r)) for r in rows]


def notices_of_household(household_id: int | None) -> list[Reach]:
    """The household's reach of every sent notice in effect today (valid from today or before,
    not ended), newest first, with the notice and `newer_title` (of the sent version that
    supersedes it, or None): for the resident's personal-link page."""
    if not household_id:
        return []
    today = timezone.localdate()
    rows = (
        Reach.objects.filter(
            Q(notice__valid_to__isnull=True) | Q(notice__valid_to__gte=today),
            household_id=household_id,
            notice__status=NoticeStatus.SENT,
            notice__valid_from__lte=today,
        )
        .annotate(
            newer_title=Subquery(
                Notice.objects.filter(supersedes=OuterRef("notice_id"), status=NoticeStatus.SENT).values("title")[:1]
            )
        )
        .select_related("notice")
        .order_by("-notice__sent_at", "-notice_id")
    )
    return list(rows[:50])
