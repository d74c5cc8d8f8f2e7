from ninja import Router, Schema
from ninja.pagination import paginate

from tongzhou.accounts.access import ScopedRequest, api_perm
from tongzhou.core.pagination import BoundedLimitOffset
from tongzhou.core.permissions import Perm
from tongzhou.places.models import Place
from tongzhou.places.selectors import (
    breadcrumbs,
    get_place_by_code_for_user,
    get_place_for_user,
    place_children,
    scope_roots,
)

router = Router(tags=["places"])


class PlaceOut(Schema):
    id: int
    code: str | None
    name: str
    kind: str
    depth: int
    parent_id: int | None


class ChildOut(PlaceOut):
    child_count: int
    household_count: int


class PlaceDetailOut(PlaceOut):
    ancestors: list[PlaceOut]


def _detail(request: ScopedRequest, place: Place) -> PlaceDetailOut:
    crumbs = breadcrumbs(place, request.scope)
    return PlaceDetailOut(
        **PlaceOut.from_orm(place).dict(), ancestors=[PlaceOut.from_orm(c.place) for c in crumbs[:-1]]
    )


@router.get("/", response=list[PlaceOut], summary="The roots of my places")
@api_perm(Perm.PLACES_VIEW)
def my_places(request: ScopedRequest) -> list[Place]:
    return scope_roots(request.scope)


@router.get("/id/{place_id}", response=PlaceDetailOut, summary="A place by id (any level)")
@api_perm(Perm.PLACES_VIEW)
def place_by_id(request: ScopedRequest, place_id: int) -> PlaceDetailOut:
    return _detail(request, get_place_for_user(user=request.user, pk=place_id, perm=Perm.PLACES_VIEW))


@router.get("/id/{place_id}/children", response=list[ChildOut], summary="Children of a place by id")
@api_perm(Perm.PLACES_VIEW)
@paginate(BoundedLimitOffset)
def children_by_id(request: ScopedRequest, place_id: int) -> object:
    return place_children(get_place_for_user(user=request.user, pk=place_id, perm=Perm.PLACES_VIEW))


@router.get("/{code}", response=PlaceDetailOut, summary="A place by official code; 404 outside your places")
@api_perm(Perm.PLACES_VIEW)
def place_by_code(request: ScopedRequest, code: str) -> PlaceDetailOut:
    return _detail(request, get_place_by_code_for_user(user=request.user, code=code, perm=Perm.PLACES_VIEW))


@router.get("/{code}/children", response=list[ChildOut], summary="Children of a place by official code")
@api_perm(Perm.PLACES_VIEW)
@paginate(BoundedLimitOffset)
def children_by_code(request: ScopedRequest, code: str) -> object:
    return place_children(get_place_by_code_for_user(user=request.user, code=code, perm=Perm.PLACES_VIEW))
