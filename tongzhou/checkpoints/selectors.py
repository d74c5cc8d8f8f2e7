"""Reads of closed management: the gate's pass cache and look-up, levels down the tree, the
passage log with its hourly counts, open fever alerts."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from tongzhou.alerts.selectors import open_alert_count
from tongzhou.checkpoints.alert_kinds import FEVER
from tongzhou.checkpoints.models import (
    LEVEL_RANK,
    ChangeStatus,
    ControlChange,
    ControlLevel,
    Direction,
    Gate,
    Pass,
    Passage,
    PassStatus,
    PlaceControl,
)
from tongzhou.checkpoints.services import effective_levels
from tongzhou.core.access import get_for_user
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.core.scope import Scope, ancestor_paths, subtree_q
from tongzhou.people.models import Person
from tongzhou.people.outings import households_kept_home
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.places.selectors import tree_sorted

REVOKED_KEPT_DAYS = 90


def in_gates(scope: Scope) -> Q:
    """Passages at the gates in `scope`: the log is read through (gate_id, scanned_at), the index
    it has, rather than by place path."""
    return Q(gate_id__in=Gate.objects.filter(scope.q("place_path")).values("pk"))


def today_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    day = timezone.localdate(now or timezone.now())
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def gate_pass_cache(gate: Gate) -> dict[str, Any]:
    """What the scan page keeps for offline work: the compound's passes as digests of their tokens
    (never the tokens), masked labels, the level in force, today's outings per household and
    whether the household may go out at all (`kept_home`: only that, never why)."""
    start, end = today_bounds()
    passes = list(
        Pass.objects.filter(subtree_q(gate.place_path, "place_path"))
        .filter(Q(status=PassStatus.ACTIVE) | Q(revoked_at__gte=timezone.now() - timedelta(days=REVOKED_KEPT_DAYS)))
        .values("id", "digest", "label", "status", "valid_until", "household_id", "place_path")
    )
    levels = effective_levels({p["place_path"] for p in passes})
    kept_home = households_kept_home({p["household_id"] for p in passes})
    outings = dict(
        Passage.objects.filter(
            in_gates(Scope.of([gate.place_path])),
            scanned_at__gte=start,
            scanned_at__lt=end,
            direction=Direction.OUT,
            allowed=True,
            visitor=False,
        )
        .values("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    return {
        "gate": {"id": gate.pk, "name": gate.name, "compound": gate.place.name},
        "generated_at": timezone.now().isoformat(),
        "day": timezone.localdate().isoformat(),
        "fever_from": settings.TONGZHOU_FEVER_CELSIUS,
        "outings_per_day": settings.TONGZHOU_OUTINGS_PER_DAY,
        "passes": [
            {
                "digest": p["digest"],
                "pass_id": p["id"],
                "label": p["label"],
                "level": levels.get(p["place_path"], ControlLevel.NONE),
                "status": p["status"],
                "valid_until": p["valid_until"].isoformat() if p["valid_until"] else None,
                "outings_today": outings.get(p["household_id"], 0),
                "kept_home": p["household_id"] in kept_home,
            }
            for p in passes
        ],
    }


def pass_search(gate: Gate, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Residents of the gate's compound by name (start) or the last four digits of the phone,
    answered with their household's valid pass; names masked."""
    query = query.strip()
    if not query:
        return []
    people = Person.objects.filter(
        subtree_q(gate.place_path, "place_path"), moved_out_on__isnull=True, merged_into__isnull=True
    )
    if query.isdigit():
        if len(query) < 4:
            return []
        people = people.filter(phone_last4=query[-4:])
    else:
        people = people.filter(name__startswith=query)
    found = list(people.order_by("place_path", "name").values("name", "household_id")[: limit * 2])
    passes = {
        p.household_id: p
        for p in Pass.objects.filter(
            household_id__in={f["household_id"] for f in found}, status=PassStatus.ACTIVE, person__isnull=True
        )
    }
    out = []
    for person in found:
        pass_ = passes.get(person["household_id"])
        if pass_ is not None:
            out.append({"pass_id": pass_.pk, "label": f"{pass_.label.split(' · ')[0]} · {mask_name(person['name'])}"})
    return out[:limit]


def gates_in_scope(scope: Scope) -> QuerySet[Gate]:
    return Gate.objects.filter(scope.q("place_path")).select_related("place", "post").order_by("place_path", "name")


def compounds_in_scope(scope: Scope) -> QuerySet[Place]:
    """The compounds a gate may be added to, in path order."""
    return Place.objects.filter(scope.q("path"), kind=PlaceKind.COMPOUND).order_by("path")


def passes_under(place: Place) -> QuerySet[Pass]:
    """Every pass of the households under `place` (revoked ones too), in address order, newest
    first for one label."""
    return Pass.objects.filter(subtree_q(place.path, "place_path")).order_by("place_path", "label", "-id")


def active_passes_under(place: Place) -> QuerySet[Pass]:
    """The valid passes under `place`, in address order: the cards to print."""
    return Pass.objects.filter(subtree_q(place.path, "place_path"), status=PassStatus.ACTIVE).order_by(
        "place_path", "label"
    )


def household_count_under(place: Place) -> int:
    return Household.objects.filter(subtree_q(place.path, "place__path")).count()


def gate_households(gate: Gate) -> QuerySet[Household]:
    """The households of the gate's compound, in address order, with their building and compound
    for their names: whom a visitor may be calling on."""
    return (
        Household.objects.filter(subtree_q(gate.place_path, "place__path"))
        .select_related("place__parent")
        .order_by("place__path", "room")
    )


def households_matching(scope: Scope, text: str, limit: int = 200) -> list[int]:
    """Ids of the households in scope with a resident whose name starts with `text` (up to `limit`)
    and of those whose room is `text` (up to `limit` more): the passage log's search."""
    by_name = Person.objects.filter(scope.q("place_path"), name__startswith=text).values_list("household_id", flat=True)
    by_room = Household.objects.filter(scope.q("place__path"), room=text).values_list("pk", flat=True)
    return list(by_name[:limit]) + list(by_room[:limit])


def active_pass_counts(places: Sequence[Place]) -> dict[int, int]:
    """`{place id: active passes in its subtree}` for a page of places, in one query."""
    if not places:
        return {}
    counts = Pass.objects.filter(Scope.of(p.path for p in places).q("place_path"), status=PassStatus.ACTIVE).aggregate(
        **{f"p{p.pk}": Count("pk", filter=subtree_q(p.path, "place_path")) for p in places}
    )
    return {p.pk: counts[f"p{p.pk}"] for p in places}


@dataclass(frozen=True)
class LevelRow:
    place: Place
    own: str
    effective: str
    since: datetime | None
    planned_end: datetime | None

    @property
    def own_label(self) -> str:
        return str(ControlLevel(self.own).label)

    @property
    def effective_label(self) -> str:
        return str(ControlLevel(self.effective).label)


def levels_tree(root: Place, scope: Scope, *, depth: int = 3) -> list[LevelRow]:
    """The places under `root` down to `depth` levels (buildings at most), each with the level set
    on it and the level in force; for the list and the overview."""
    places = tree_sorted(
        Place.objects.filter(subtree_q(root.path), depth__lte=root.depth + depth)
        .filter(scope.q("path"))
        .exclude(kind=PlaceKind.UNIT)
    )
    controls = {c.place_path: c for c in PlaceControl.objects.filter(place_path__in=[p.path for p in places])}
    levels = effective_levels(p.path for p in places)
    return [
        LevelRow(
            place=p,
            own=controls[p.path].level if p.path in controls else ControlLevel.NONE,
            effective=levels[p.path],
            since=controls[p.path].since if p.path in controls else None,
            planned_end=controls[p.path].planned_end if p.path in controls else None,
        )
        for p in places
    ]


def _parent_path(path: str) -> str:
    return path[: path.rstrip("/").rfind("/") + 1]


def level_area_counts(scope: Scope) -> dict[str, int]:
    """`{level: areas}` for the three levels above normal: the one count of 防范区, 管控区 and
    封控区 (the dashboard and the levels page both read it). An area is counted once, at its top
    place: a place whose level in force differs from its parent's (or a root of `scope` under a
    level), so the buildings of a sealed compound, or a compound set to the level its community is
    at already, are not counted again. Two queries."""
    candidates = set(PlaceControl.objects.filter(scope.q("place_path")).values_list("place_path", flat=True))
    candidates |= set(scope.roots)
    levels = effective_levels(candidates | {_parent_path(p) for p in candidates if _parent_path(p)})
    counts = {level: 0 for level in ControlLevel.values[1:]}
    for path in candidates:
        level = levels[path]
        if level != ControlLevel.NONE and (path in scope.roots or levels.get(_parent_path(path)) != level):
            counts[level] += 1
    return counts


def treemap_data(rows: list[LevelRow]) -> list[dict[str, Any]]:
    """The ECharts treemap: nested places, each tile coloured by the strictest level in force
    anywhere inside it (a street with one sealed compound is not shown as normal)."""
    nodes: dict[str, dict[str, Any]] = {}
    top: list[dict[str, Any]] = []
    for row in rows:
        node = {
            "name": row.place.name,
            "value": 1,
            "level": row.effective,
            "strictest": row.effective,
            "rank": LEVEL_RANK[ControlLevel(row.effective)],
        }
        nodes[row.place.path] = node
        parent = nodes.get(_parent_path(row.place.path))
        if parent is None:
            top.append(node)
        else:
            parent.setdefault("children", []).append(node)
    for row in reversed(rows):  # children before their parents
        node = nodes[row.place.path]
        parent = nodes.get(_parent_path(row.place.path))
        if parent is not None and node["rank"] > parent["rank"]:
            parent["strictest"], parent["rank"] = node["strictest"], node["rank"]
    return top


def control_history(scope: Scope, *, under: Place | None = None) -> QuerySet[ControlChange]:
    """Level changes in scope (only those under `under` when given), newest first."""
    rows = ControlChange.objects.filter(scope.q("place_path"))
    if under is not None:
        rows = rows.filter(subtree_q(under.path, "place_path"))
    return rows.select_related("place", "requested_by", "decided_by").order_by("-created_at", "-id")


def pending_changes(scope: Scope) -> QuerySet[ControlChange]:
    return control_history(scope).filter(status=ChangeStatus.PENDING)


@dataclass(frozen=True)
class PassageFilter:
    gate: int | None = None
    household: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    result: str = ""  # "", "allowed", "refused" or a reason code
    households: list[int] | None = None


def passages(scope: Scope, f: PassageFilter) -> QuerySet[Passage]:
    rows = Passage.objects.filter(in_gates(scope))
    if f.gate:
        rows = rows.filter(gate_id=f.gate)
    if f.household:
        rows = rows.filter(household_id=f.household)
    if f.households is not None:
        rows = rows.filter(household_id__in=f.households)
    if f.start:
        rows = rows.filter(scanned_at__gte=f.start)
    if f.end:
        rows = rows.filter(scanned_at__lt=f.end)
    if f.result == "allowed":
        rows = rows.filter(allowed=True)
    elif f.result == "refused":
        rows = rows.filter(allowed=False)
    elif f.result:
        rows = rows.filter(reason=f.result)
    return rows.select_related("gate", "pass_ref").order_by("-scanned_at", "-id")


def hourly_counts(rows: QuerySet[Passage]) -> list[dict[str, Any]]:
    """Passages per hour (local time), allowed and refused, for the chart."""
    counted = (
        rows.order_by()
        .annotate(hour=TruncHour("scanned_at"))
        .values("hour", "allowed")
        .annotate(n=Count("id"))
        .order_by("hour")
    )
    hours: dict[str, dict[str, Any]] = {}
    for row in counted:
        label = timezone.localtime(row["hour"]).strftime("%m-%d %H:00")
        entry = hours.setdefault(label, {"hour": label, "allowed": 0, "refused": 0})
        entry["allowed" if row["allowed"] else "refused"] += row["n"]
    return list(hours.values())


def gate_figures(scope: Scope) -> dict[str, Any]:
    """The dashboard card: areas under each level (`level_area_counts`), passages and refusals today, open
    fever alerts."""
    start, end = today_bounds()
    areas = level_area_counts(scope)
    today = Passage.objects.filter(in_gates(scope), scanned_at__gte=start, scanned_at__lt=end)
    counts = today.aggregate(total=Count("id"), refused=Count("id", filter=Q(allowed=False)))
    return {
        "levels": [(ControlLevel(level).label, n) for level, n in areas.items()],
        "passages": counts["total"],
        "refused": counts["refused"],
        "fever_open": open_alert_count(scope, [FEVER]),
    }


@dataclass(frozen=True)
class Outing:
    label: str
    gate: str
    out_at: datetime


def overdue_outings(scope: Scope, *, now: datetime | None = None) -> list[Outing]:
    """Households under controlled management whose last passage today was going out, longer ago
    than TONGZHOU_OUTING_HOURS: someone to phone."""
    now = now or timezone.now()
    start, _end = today_bounds(now)
    last: dict[int, Passage] = {}
    rows = (
        Passage.objects.filter(in_gates(scope), scanned_at__gte=start, scanned_at__lte=now, allowed=True, visitor=False)
        .exclude(household_id=None)
        .select_related("gate", "pass_ref")
        .order_by("scanned_at", "id")
    )
    for passage in rows:
        assert passage.household_id is not None
        last[passage.household_id] = passage
    limit = now - timedelta(hours=settings.TONGZHOU_OUTING_HOURS)
    out = [p for p in last.values() if p.direction == Direction.OUT and p.scanned_at <= limit]
    controlled = effective_levels({p.pass_ref.place_path for p in out if p.pass_ref})
    return [
        Outing(label=p.pass_ref.label, gate=p.gate.name, out_at=p.scanned_at)
        for p in out
        if p.pass_ref and controlled.get(p.pass_ref.place_path) == ControlLevel.CONTROLLED
    ]


# Accessors: 404 outside the user's places exactly as for a record that does not exist.


def get_gate_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Gate:
    return get_for_user(
        Gate.objects.select_related("place"), user=user, pk=pk, perm=perm, path_field="place_path", write=write
    )


def get_pass_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Pass:
    return get_for_user(Pass.objects.all(), user=user, pk=pk, perm=perm, path_field="place_path", write=write)


def get_control_change_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> ControlChange:
    return get_for_user(ControlChange.objects.all(), user=user, pk=pk, perm=perm, path_field="place_path", write=write)


def sealed_paths(scope: Scope) -> list[str]:
    """The places sealed now (封控, the level set on them) inside the scope or above one of its
    roots: a sealed community seals everything in it. One query."""
    above = {path for root in scope.roots for path in ancestor_paths(root)}
    return sorted(
        PlaceControl.objects.filter(
            scope.q("place_path") | Q(place_path__in=above), level=ControlLevel.SEALED
        ).values_list("place_path", flat=True)
    )
