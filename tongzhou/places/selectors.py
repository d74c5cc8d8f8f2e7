import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from tongzhou.core.access import get_for_user
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope, ancestor_paths, subtree_q
from tongzhou.places.models import Household, Place, PlaceKind

# Address parts shown for a household: the levels below the community, grids left out.
ADDRESS_KINDS = (PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT)


_NUMBER = re.compile(r"(\d+|[一二三四五六七八九十]+)")
_CHINESE_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")}


def _chinese_number(text: str) -> int:
    """一 … 九十九 as a number (十一 = 11, 二十 = 20); grids and compounds are named so."""
    if len(text) > 3:
        raise ValueError(text)
    if "十" not in text:
        return int("".join(str(_CHINESE_DIGITS[c]) for c in text))
    tens, _sep, ones = text.partition("十")
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[ones] if ones else 0)


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that reads numbers as numbers, Arabic or Chinese: 1单元 < 2单元 < 10单元,
    第一网格 < 第二网格 < 第十网格, 1栋 2单元 < 2栋 1单元. Every list of place names sorts by it."""
    key = []
    for part in _NUMBER.split(text):
        if not part:
            continue
        if part.isdigit():
            key.append((0, int(part), ""))
        else:
            try:
                key.append((0, _chinese_number(part), ""))
            except (KeyError, ValueError):  # not a number (十十, 一二三四, or plain text)
                key.append((1, 0, part))
    return tuple(key)


def naturally_sorted(places: Iterable[Place]) -> list[Place]:
    """Places of one parent in natural order of their names, official codes first."""
    return sorted(places, key=_sibling_key)


def _sibling_key(place: Place) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    return (place.code or "~", natural_key(place.name))


def tree_sorted(places: Iterable[Place]) -> list[Place]:
    """Depth first, each place's children in natural order (official codes first): the tree as
    people read it (paths below the community are random segments, no order at all)."""
    places = list(places)
    by_path = {place.path: place for place in places}

    def key(place: Place) -> tuple[tuple[str, tuple[tuple[int, int, str], ...]], ...]:
        return tuple(_sibling_key(by_path[a]) if a in by_path else (a, ()) for a in ancestor_paths(place.path))

    return sorted(places, key=key)


@dataclass(frozen=True)
class Crumb:
    place: Place
    reachable: bool


def breadcrumbs(place: Place, scope: Scope) -> list[Crumb]:
    """The ancestors of `place` and itself, root first; those above the user's scope are shown but
    not linked. One query."""
    ancestors = Place.objects.filter(path__in=ancestor_paths(place.path)).only("pk", "name", "kind", "path", "depth")
    return [Crumb(a, scope.contains(a.path)) for a in sorted(ancestors, key=lambda a: a.depth)]


def _count_of(queryset: QuerySet, link: str) -> Coalesce:
    """A correlated COUNT of `queryset` rows whose `link` is the outer place: one index probe per
    listed place, where a joined COUNT lets the planner hash the whole place table."""
    counted = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def place_children(place: Place) -> QuerySet[Place]:
    """Direct children with how many children and households each has. One query a page."""
    return (
        Place.objects.filter(parent=place)
        .annotate(
            child_count=_count_of(Place.objects.all(), "parent"),
            household_count=_count_of(Household.objects.all(), "place"),
        )
        .order_by("code", "name")
    )


def households_of(place: Place) -> QuerySet[Household]:
    return Household.objects.filter(place=place).order_by("-floor", "room")


def scope_roots(scope: Scope) -> list[Place]:
    """The places at the top of the user's scope, in path order. Sorted here: with ORDER BY path
    the planner may walk the path index from the start of the country to find a handful of rows."""
    return sorted(Place.objects.filter(path__in=scope.roots).order_by(), key=lambda place: place.path)


def places_search(scope: Scope, text: str, limit: int = 20) -> list[Place]:
    text = text.strip()
    if not text:
        return []
    qs = Place.objects.filter(scope.q()).select_related("parent")
    qs = qs.filter(code=text) if text.isdigit() else qs.filter(name__contains=text)
    return list(qs.order_by("depth", "path")[:limit])


def kind_counts(scope: Scope) -> dict[str, int]:
    rows = Place.objects.filter(scope.q()).values("kind").annotate(n=Count("id")).order_by()
    return {row["kind"]: row["n"] for row in rows}


def household_count(scope: Scope) -> int:
    return Household.objects.filter(scope.q("place__path")).count()


def subtree(place: Place) -> QuerySet[Place]:
    return Place.objects.filter(subtree_q(place.path)).order_by("path")


def export_rows(place: Place, limit: int) -> QuerySet[Any]:
    """The subtree of `place` as (code, name, kind, depth, path) tuples in path order, at most
    `limit`: the places export (no personal data)."""
    return subtree(place).values_list("code", "name", "kind", "depth", "path")[:limit]


def street_addresses(paths: Iterable[str]) -> dict[str, str]:
    """`{place path: "泰安巷3号院 1栋 1单元"}` for buildings and units, in one query."""
    paths = set(paths)
    wanted = {a for path in paths for a in ancestor_paths(path)}
    names = dict(Place.objects.filter(path__in=wanted, kind__in=ADDRESS_KINDS).order_by().values_list("path", "name"))
    return {path: " ".join(names[a] for a in ancestor_paths(path) if a in names) for path in paths}


def address_parts(paths: Iterable[str]) -> dict[str, dict[str, str]]:
    """`{place path: {"compound": "泰安巷3号院", "building": "1栋", "unit": "1单元"}}` for buildings
    and units, in one query: the columns of an address in a spreadsheet."""
    paths = set(paths)
    wanted = {a for path in paths for a in ancestor_paths(path)}
    found = {
        path: (kind, name)
        for path, kind, name in Place.objects.filter(path__in=wanted, kind__in=ADDRESS_KINDS)
        .order_by()
        .values_list("path", "kind", "name")
    }
    return {path: dict(found[a] for a in ancestor_paths(path) if a in found) for path in paths}


# Accessors: the one way a page or endpoint fetches an object by id; 404 outside the user's places
# exactly as for an object that does not exist.


def get_place_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Place:
    return get_for_user(Place.objects.all(), user=user, pk=pk, perm=perm, write=write)


def get_place_by_code_for_user(*, user: Any, code: str, perm: Perm) -> Place:
    """The place with official `code`, as `get_place_for_user` (one query)."""
    pk = Subquery(Place.objects.filter(code=code).values("pk")[:1])
    return get_for_user(Place.objects.all(), user=user, pk=pk, perm=perm)


def get_household_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Household:
    return get_for_user(
        Household.objects.select_related("place"), user=user, pk=pk, perm=perm, path_field="place__path", write=write
    )
