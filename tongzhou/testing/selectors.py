"""Reads of the testing module: rounds in one's places, the untested list (查漏补缺) by building,
the door-knocking list of a building, and the pool advice from earlier rounds."""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from tongzhou.checkpoints.models import Pass, PassStatus
from tongzhou.checkpoints.tokens import PREFIX as PASS_PREFIX
from tongzhou.checkpoints.tokens import read_token as read_pass_token
from tongzhou.core import pii
from tongzhou.core.access import get_for_user
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.core.scope import Scope, subtree_q
from tongzhou.people.models import Person
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.places.selectors import natural_key, street_addresses
from tongzhou.testing import pooling
from tongzhou.testing.models import (
    Box,
    DoorAnswer,
    Exemption,
    ExemptReason,
    Lab,
    Notification,
    Recall,
    RecallStatus,
    Result,
    Round,
    Site,
    Slot,
    Tube,
    round_samples,
    samples_of_rounds,
)


def rounds_in(scope: Scope) -> QuerySet[Round]:
    return Round.objects.filter(scope.q("place_path")).select_related("place")


def get_round_for_user(*, user: Any, pk: Any, perm: Perm = Perm.TESTING_SAMPLE, write: bool = False) -> Round:
    return get_for_user(
        Round.objects.select_related("place"), user=user, pk=pk, perm=perm, path_field="place_path", write=write
    )


def eligible(test_round: Round) -> QuerySet[Person]:
    """Who the round is for: the residents of its area who have not moved out."""
    return Person.objects.filter(
        subtree_q(test_round.place_path, "place_path"), moved_out_on__isnull=True, merged_into__isnull=True
    )


def _building_of(path: str, buildings: dict[str, int]) -> str:
    """The building (or failing one, the nearest place) a household's place path is in."""
    probe = path
    while probe.count("/") > 2:
        if probe in buildings:
            return probe
        probe = probe[: probe.rstrip("/").rfind("/") + 1]
    return path


@dataclass(frozen=True)
class BuildingCount:
    place_id: int | None
    path: str
    address: str
    eligible: int
    sampled: int
    exempt: int
    notified: int = 0  # of the untested, those whose household was told (message or door)
    is_building: bool = False

    @property
    def untested(self) -> int:
        return self.eligible - self.sampled - self.exempt

    @property
    def not_reached(self) -> int:
        return self.untested - self.notified

    @property
    def percent(self) -> float:
        expected = self.eligible - self.exempt
        return 100.0 if expected <= 0 else round(100 * self.sampled / expected, 1)


def _sampled_ids(test_round: Round) -> set[int]:
    return set(round_samples(test_round).filter(retest=False).values_list("person_id", flat=True))


def _exempt_ids(test_round: Round) -> set[int]:
    """Exempt from the count: everyone exempt but the bedridden, who are sampled at home."""
    return set(
        Exemption.objects.filter(round=test_round)
        .exclude(reason=ExemptReason.BEDRIDDEN)
        .values_list("person_id", flat=True)
    )


def untested_by_building(round_: Round) -> list[BuildingCount]:
    """Eligible, sampled, exempt and untested per building of the round's area, in address order
    (natural: 2栋 before 10栋).
    Counted in the database per household place (three grouped queries), then summed per building:
    a fixed number of queries, and rows to read in the hundreds, at any size."""
    buildings = dict(
        Place.objects.filter(subtree_q(round_.place_path), kind=PlaceKind.BUILDING).values_list("path", "pk")
    )
    people = eligible(round_)
    sampled = round_samples(round_).filter(retest=False, person__in=people)
    exempt = (
        Exemption.objects.filter(round=round_, person__in=people)
        .exclude(reason=ExemptReason.BEDRIDDEN)
        .exclude(person__in=sampled.values("person_id"))
    )
    told = Notification.objects.filter(round=round_).filter(Q(messaged_at__isnull=False) | Q(door=DoorAnswer.NOTIFIED))
    untested_told = (
        people.exclude(pk__in=sampled.values("person_id"))
        .exclude(pk__in=exempt.values("person_id"))
        .filter(household_id__in=told.values("household_id"))
    )
    counts: dict[str, Counter[str]] = {}
    for key, rows in (
        ("eligible", people.values("place_path")),
        ("sampled", sampled.values(place=F("person__place_path"))),
        ("exempt", exempt.values(place=F("person__place_path"))),
        ("notified", untested_told.values("place_path")),
    ):
        field = "place_path" if key in ("eligible", "notified") else "place"
        for path, n in rows.order_by().annotate(n=Count("pk")).values_list(field, "n"):
            counts.setdefault(_building_of(path, buildings), Counter())[key] += n
    addresses = street_addresses(counts)
    others = set(counts) - set(buildings)
    ids = dict(buildings)
    ids.update(Place.objects.filter(path__in=others).values_list("path", "pk"))
    rows_out = [
        BuildingCount(
            ids.get(path),
            path,
            addresses.get(path) or path,
            c["eligible"],
            c["sampled"],
            c["exempt"],
            c["notified"],
            path in buildings,
        )
        for path, c in counts.items()
    ]
    return sorted(rows_out, key=lambda r: natural_key(r.address))


@dataclass(frozen=True)
class Untested:
    person_id: int
    name: str  # masked
    room: str
    address: str
    recalled: bool
    household_id: int = 0
    messaged: bool = False
    door: str = ""  # DoorAnswer value, or "" when nobody knocked yet


def untested_people(test_round: Round, place_path: str) -> list[Untested]:
    """The door-knocking list for one building (or any place in the round): who is neither sampled
    nor exempt, household by household, names masked."""
    sampled, exempt = _sampled_ids(test_round), _exempt_ids(test_round)
    people = list(eligible(test_round).filter(subtree_q(place_path, "place_path")).select_related("household"))
    addresses = street_addresses(p.place_path for p in people)
    people.sort(key=lambda p: (natural_key(addresses.get(p.place_path, "")), natural_key(p.household.room), p.name))
    recalled = recalled_ids(test_round)
    told = {
        n.household_id: n
        for n in Notification.objects.filter(round=test_round, household_id__in={p.household_id for p in people})
    }
    return [
        Untested(
            p.pk,
            mask_name(p.name),
            p.household.room,
            addresses.get(p.place_path, ""),
            p.pk in recalled,
            household_id=p.household_id,
            messaged=p.household_id in told and told[p.household_id].messaged_at is not None,
            door=told[p.household_id].door if p.household_id in told else "",
        )
        for p in people
        if p.pk not in sampled and p.pk not in exempt
    ]


def recalled_ids(test_round: Round) -> set[int]:
    return set(Recall.objects.filter(round=test_round, status=RecallStatus.OPEN).values_list("person_id", flat=True))


def open_recalls(test_round: Round) -> QuerySet[Recall]:
    return Recall.objects.filter(round=test_round, status=RecallStatus.OPEN).select_related("person", "household")


def tube_counts(test_round: Round) -> dict[str, int]:
    counts = Counter(Tube.objects.filter(round=test_round).values_list("result", flat=True))
    return {str(result): counts.get(result, 0) for result in Result}


@dataclass(frozen=True)
class PoolAdvice:
    best: int
    choices: list[pooling.Choice]
    prevalence: float
    from_history: bool
    tubes_seen: int


def pool_advice(test_round: Round, people: int) -> PoolAdvice:
    """From the results of earlier rounds' pooled tubes in the round's area (or a default rate
    when there are none), the pool size that needs the fewest tests per person."""
    history = list(
        Tube.objects.filter(
            Q(place_path__startswith=test_round.place_path) | Q(place_path__in=_ancestors(test_round.place_path)),
            retest=False,
            result__in=[Result.NEGATIVE, Result.POSITIVE],
        )
        .exclude(round=test_round)
        .values_list("filled", "result")
    )
    estimate = pooling.prevalence_from_tubes((filled, result == Result.POSITIVE) for filled, result in history)
    prevalence = estimate if estimate is not None else settings.TONGZHOU_TESTING_DEFAULT_POSITIVE_RATE
    best, choices = pooling.advise(people, prevalence)
    return PoolAdvice(best, choices, prevalence, estimate is not None, len(history))


def _ancestors(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]


@dataclass(frozen=True)
class Match:
    person_id: int
    name: str  # masked
    room: str
    address: str
    sampled: bool
    recalled: bool


def sampling_matches(test_round: Round, scope: Scope, query: str, *, limit: int = 20) -> list[Match]:
    """Residents of the round's area within `scope` whose name starts with or contains `query`, or
    whose phone ends in it (4 digits), for the sampling page: masked, with whether each was sampled
    already or is recalled for a retest."""
    query = query.strip()
    if not query:
        return []
    people = eligible(test_round).filter(scope.q("place_path"))
    compact = "".join(query.split())
    if compact.startswith(PASS_PREFIX):
        # A pass scanned: the members of its household.
        nonce = read_pass_token(compact)
        households = Pass.objects.filter(nonce=nonce or "-", status=PassStatus.ACTIVE).values("household_id")
        people = people.filter(household_id__in=households)
    elif re.fullmatch(r"\d{17}[\dXx]|\d{15}", compact):
        people = people.filter(id_index__in=pii.blind_index_candidates(compact.upper()))
    elif query.isdigit():
        people = people.filter(phone_last4=query[-4:]) if len(query) >= 4 else people.none()
    else:
        people = people.filter(name__contains=query)
    found = list(people.select_related("household").order_by("place_path", "name")[:limit])
    ids = [p.pk for p in found]
    sampled = set(round_samples(test_round).filter(person_id__in=ids, retest=False).values_list("person_id", flat=True))
    recalled = set(
        Recall.objects.filter(round=test_round, person_id__in=ids, status=RecallStatus.OPEN).values_list(
            "person_id", flat=True
        )
    )
    addresses = street_addresses(p.place_path for p in found)
    return [
        Match(
            p.pk,
            mask_name(p.name),
            p.household.room,
            addresses.get(p.place_path, ""),
            p.pk in sampled,
            p.pk in recalled,
        )
        for p in found
    ]


def building_matches(test_round: Round, place: Place) -> list[Match]:
    """A place's residents not yet sampled (the place found through `place_in_round`, so within
    one's places), for door-to-door sampling from a list: masked, in address order."""
    return [
        Match(u.person_id, u.name, u.room, u.address, False, u.recalled)
        for u in untested_people(test_round, place.path)
    ]


def round_chart(rows: list[BuildingCount]) -> dict[str, Any]:
    """ECharts option: % sampled per building (horizontal bars, so long addresses fit a phone)."""
    return {
        "grid": {"left": 8, "right": 48, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "inverse": True, "data": [r.address for r in rows]},
        "series": [
            {
                "type": "bar",
                "data": [r.percent for r in rows],
                "label": {"show": True, "position": "right", "formatter": "{c}%"},
            }
        ],
        "tooltip": {"trigger": "axis"},
    }


@dataclass(frozen=True)
class MyRound:
    round: Round
    slot: Slot | None
    sampled_at: Any  # datetime | None
    result: str  # Result value of the person's latest tube, "" when not sampled
    recalled: bool


def rounds_of_person(person: Person, *, days: int = 14) -> list[MyRound]:
    """The resident's own view: the rounds of their area planned, open or ended in the last
    `days` days; whether they were sampled, their latest tube's result, whether they are recalled."""
    since = timezone.localdate() - timedelta(days=days)
    ancestors = [*_ancestors(person.place_path), person.place_path]
    rounds = list(Round.objects.filter(place_path__in=ancestors, ends_on__gte=since).select_related("place")[:10])
    samples = {
        s.round_id: s
        for s in samples_of_rounds(rounds).filter(person=person).select_related("tube").order_by("taken_at")
    }
    recalled = set(
        Recall.objects.filter(round__in=rounds, person=person, status=RecallStatus.OPEN).values_list(
            "round_id", flat=True
        )
    )
    return [
        MyRound(
            round=r,
            slot=slot_of_person(r, person),
            sampled_at=samples[r.pk].taken_at if r.pk in samples else None,
            result=samples[r.pk].tube.result if r.pk in samples else "",
            recalled=r.pk in recalled,
        )
        for r in rounds
    ]


@dataclass
class LabDay:
    lab: str
    day: Any  # date
    boxes: int = 0
    sealed: int = 0
    received: int = 0
    not_received: int = 0
    count_differs: list[str] = field(default_factory=list)
    resulted: int = 0
    waiting_too_long: int = 0
    stamped_before_receipt: int = 0


@dataclass(frozen=True)
class Reconciliation:
    days: list[LabDay]
    results_never_received: int


def reconciliation(round_: Round) -> Reconciliation:
    """Per lab and day of sealing: tubes sealed, received and resulted; boxes whose count differs;
    results waiting longer than TONGZHOU_TESTING_RESULT_HOURS after receipt; results stamped
    before receipt. And results for tubes no lab received. Three queries."""
    boxes = list(Box.objects.filter(round=round_).select_related("lab").order_by("sealed_at"))
    late = timezone.now() - timedelta(hours=settings.TONGZHOU_TESTING_RESULT_HOURS)
    stats = {
        row["box_id"]: row
        for row in Tube.objects.filter(round=round_, box__isnull=False)
        .values("box_id")
        .order_by()
        .annotate(
            resulted=Count("pk", filter=~Q(result=Result.PENDING)),
            early=Count("pk", filter=Q(result_at__lt=F("box__received_at"))),
            waiting=Count("pk", filter=Q(result=Result.PENDING, box__received_at__lt=late)),
        )
    }
    days: dict[tuple[str, Any], LabDay] = {}
    for box in boxes:
        day = timezone.localtime(box.sealed_at).date()
        row = days.setdefault((box.lab.name, day), LabDay(box.lab.name, day))
        row.boxes += 1
        row.sealed += box.tube_count
        if box.received_at is None:
            row.not_received += 1
        else:
            row.received += box.received_count or 0
        if box.count_differs:
            row.count_differs.append(box.code)
        s = stats.get(box.pk, {})
        row.resulted += s.get("resulted", 0)
        row.stamped_before_receipt += s.get("early", 0)
        row.waiting_too_long += s.get("waiting", 0)
    never = 0
    if boxes:
        never = (
            Tube.objects.filter(round=round_)
            .exclude(result=Result.PENDING)
            .filter(Q(box__isnull=True) | Q(box__received_at__isnull=True))
            .count()
        )
    return Reconciliation(sorted(days.values(), key=lambda d: (d.day, d.lab)), never)


def labs_for(round_: Round) -> QuerySet[Lab]:
    """Laboratories serving the round's area (a lab of the district serves its streets)."""
    return Lab.objects.filter(place_path__in=[*_ancestors(round_.place_path), round_.place_path])


def boxes_of(round_: Round) -> QuerySet[Box]:
    return Box.objects.filter(round=round_).select_related("lab").order_by("-sealed_at", "-id")


def sites_of(round_: Round) -> QuerySet[Site]:
    return Site.objects.filter(round=round_).select_related("place").prefetch_related("slots__building")


def buildings_to_plan(round_: Round) -> list[tuple[Place, int]]:
    """The round's buildings with the people expected from each (eligible, not exempt), in
    address order, for planning a site's slots."""
    counts = [b for b in untested_by_building(round_) if b.place_id is not None]
    places = Place.objects.in_bulk([b.place_id for b in counts])
    return [(places[b.place_id], b.eligible - b.exempt) for b in counts if b.place_id in places]


def slot_of_person(round_: Round, person: Person) -> Slot | None:
    """The slot of the resident's building in the round, if one is planned."""
    ancestors = [*_ancestors(person.place_path), person.place_path]
    return (
        Slot.objects.filter(site__round=round_, building__path__in=ancestors)
        .select_related("site", "site__place")
        .order_by("day", "starts")
        .first()
    )


def slot_in_round(round_: Round, pk: int) -> Slot | None:
    return Slot.objects.filter(site__round=round_, pk=pk).select_related("site").first()


def eligible_person(round_: Round, scope: Scope, pk: int) -> Person | None:
    """A resident of the round's area within `scope`, by id (None otherwise, as for no such id)."""
    return eligible(round_).filter(scope.q("place_path"), pk=pk).select_related("household").first()


def place_in_round(round_: Round, scope: Scope, pk: int) -> Place | None:
    return Place.objects.filter(scope.q(), subtree_q(round_.place_path), pk=pk).first()


def site_places(round_: Round) -> QuerySet[Place]:
    """Where a sampling site of the round may be: its area's communities, grids and compounds."""
    return Place.objects.filter(
        subtree_q(round_.place_path), kind__in=[PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND]
    ).order_by("path")


def slot_finder(round_: Round) -> Any:
    """A function from a resident's place path to their building's slot in the round (or None),
    after one query for all the round's slots."""
    slots: dict[str, Slot] = {}
    for slot in Slot.objects.filter(site__round=round_).select_related("site", "building").order_by("day", "starts"):
        slots.setdefault(slot.building.path, slot)

    def find(place_path: str) -> Slot | None:
        for path in [place_path, *reversed(_ancestors(place_path))]:
            if path in slots:
                return slots[path]
        return None

    return find


def household_in_round(round_: Round, scope: Scope, pk: int) -> Household | None:
    return (
        Household.objects.filter(scope.q("place__path"), subtree_q(round_.place_path, "place__path"), pk=pk)
        .select_related("place")
        .first()
    )


@dataclass(frozen=True)
class RecallBuilding:
    place: Place
    address: str
    recalled: int


def recall_buildings(round_: Round) -> list[RecallBuilding]:
    """The buildings with residents recalled for a retest (open recalls), for asking 管控."""
    buildings = dict(
        Place.objects.filter(subtree_q(round_.place_path), kind=PlaceKind.BUILDING).values_list("path", "pk")
    )
    counts: Counter[str] = Counter()
    for path in Recall.objects.filter(round=round_, status=RecallStatus.OPEN).values_list("place_path", flat=True):
        building = _building_of(path, buildings)
        if building in buildings:
            counts[building] += 1
    places = Place.objects.in_bulk([buildings[p] for p in counts])
    addresses = street_addresses(counts)
    rows = [RecallBuilding(places[buildings[p]], addresses.get(p, p), n) for p, n in counts.items()]
    return sorted(rows, key=lambda r: natural_key(r.address))


def building_in_round(round_: Round, scope: Scope | None, pk: int) -> Place | None:
    """A building of the round's area (within `scope` when given), by id."""
    found = Place.objects.filter(subtree_q(round_.place_path), kind=PlaceKind.BUILDING, pk=pk)
    if scope is not None:
        found = found.filter(scope.q())
    return found.first()


def building_slots(round_: Round, building: Place) -> list[Slot]:
    """The building's slots in the round, by day and time (a slot planned for a place above the
    building counts for it)."""
    return list(
        Slot.objects.filter(site__round=round_, building__path__in=[*_ancestors(building.path), building.path])
        .select_related("site", "site__place")
        .order_by("day", "starts")
    )


def duty_phone(place: Place) -> str:
    """The nearest committee's duty phone above (or at) a place, printed on its notices."""
    found = (
        Place.objects.filter(path__in=[*_ancestors(place.path), place.path])
        .exclude(phone="")
        .order_by("-path")
        .values_list("phone", flat=True)
        .first()
    )
    return found or ""
