import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tongzhou.core.access import Actor, require
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import SEPARATOR
from tongzhou.core.services import audit_log
from tongzhou.places.audit import PlacesAudit
from tongzhou.places.models import Household, Place, PlaceKind

MAX_UNITS = 30
MAX_FLOORS = 120
MAX_ROOMS_PER_FLOOR = 30


def _new_child(parent: Place, kind: str, name: str) -> Place:
    name = name.strip()
    if kind not in parent.child_kinds:
        raise ValidationError(
            {
                "kind": _("A %(kind)s cannot be created under a %(parent)s.")
                % {"kind": PlaceKind(kind).label, "parent": PlaceKind(parent.kind).label}
            }
        )
    if Place.objects.filter(parent=parent, name=name).exists():
        raise ValidationError(
            {"name": _("%(parent)s already has a place named %(name)s.") % {"parent": parent.name, "name": name}}
        )
    # A random segment, not the id, so the path is known before the insert and never changes.
    place = Place(
        kind=kind,
        name=name,
        parent=parent,
        depth=parent.depth + 1,
        path=f"{parent.path}{secrets.token_hex(4)}{SEPARATOR}",
    )
    place.full_clean()
    place.save()
    return place


@transaction.atomic
def place_create(*, actor: Actor, parent: Place, kind: str, name: str, request: HttpRequest | None = None) -> Place:
    """Create a grid, compound, building or unit under `parent`. The actor must be allowed to
    manage places at `parent`; the kind must fit under the parent's kind (CHILD_KINDS)."""
    require(actor, Perm.PLACES_MANAGE, parent.path)
    place = _new_child(parent, kind, name)
    audit_log(
        action=PlacesAudit.PLACE_CREATED,
        actor=actor,
        obj=place,
        place_path=place.path,
        request=request,
        details={"kind": kind},
    )
    return place


@transaction.atomic
def building_create(
    *,
    actor: Actor,
    compound: Place,
    name: str,
    units: int,
    floors: int,
    rooms_per_floor: int,
    request: HttpRequest | None = None,
) -> Place:
    """Create a building with its units and rooms in one go ("3 units × 18 floors × 4 rooms").
    With no units the rooms belong to the building itself. Room numbers are floor + two digits
    (1802 is floor 18, room 2). All or nothing."""
    require(actor, Perm.PLACES_MANAGE, compound.path)
    errors = {}
    if not 0 <= units <= MAX_UNITS:
        errors["units"] = _("Between 0 and %(n)d units.") % {"n": MAX_UNITS}
    if not 0 <= floors <= MAX_FLOORS:
        errors["floors"] = _("Between 0 and %(n)d floors.") % {"n": MAX_FLOORS}
    if not 0 <= rooms_per_floor <= MAX_ROOMS_PER_FLOOR:
        errors["rooms_per_floor"] = _("Between 0 and %(n)d rooms per floor.") % {"n": MAX_ROOMS_PER_FLOOR}
    if errors:
        raise ValidationError(errors)
    building = _new_child(compound, PlaceKind.BUILDING, name)
    # Unit names are data, as residents and staff write them on the door, not UI text.
    holders = [_new_child(building, PlaceKind.UNIT, f"{n}单元") for n in range(1, units + 1)] or [building]
    Household.objects.bulk_create(
        Household(place=holder, floor=floor, room=f"{floor}{room:02d}")
        for holder in holders
        for floor in range(1, floors + 1)
        for room in range(1, rooms_per_floor + 1)
    )
    audit_log(
        action=PlacesAudit.PLACE_CREATED,
        actor=actor,
        obj=building,
        place_path=building.path,
        request=request,
        details={"kind": PlaceKind.BUILDING, "units": units, "floors": floors, "rooms_per_floor": rooms_per_floor},
    )
    return building


@transaction.atomic
def place_rename(*, actor: Actor, place: Place, name: str, request: HttpRequest | None = None) -> Place:
    """Rename a place that community staff created. Official places change only by import."""
    require(actor, Perm.PLACES_MANAGE, place.path)
    if place.is_official:
        raise ValidationError({"name": _("Official places are renamed by importing the division codes.")})
    old = place.name
    place.name = name.strip()
    place.full_clean()
    place.save(update_fields=["name", "updated_at"])
    audit_log(
        action=PlacesAudit.PLACE_CHANGED,
        actor=actor,
        obj=place,
        place_path=place.path,
        request=request,
        details={"old_name": old},
    )
    return place
