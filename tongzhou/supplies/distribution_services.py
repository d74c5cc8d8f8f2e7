"""Writes of household distributions in sealed places: create one, pack a building's parcels out of
the store, assign a deliverer, tick a household delivered, and the resident's confirmation.

The ledger: the goods leave the store when a building's parcels are packed, in one issue per item
for the whole building (its households × the quantity each gets), all in the pack's batch. That
is when they leave the shelf: packed parcels are no longer stock anyone else can issue, so the
ledger stays true between packing and the doorstep, and a tap at a door never fails for want of
stock. Ticking a household delivered writes no entry; it is a compare-and-set, so tapping twice
counts once.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import RoleAssignment, User
from tongzhou.core.access import id_or_404, require, scope_of
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.scope import subtree_q
from tongzhou.core.services import audit_log
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.supplies.audit import DistributionAudit
from tongzhou.supplies.models import (
    Distribution,
    DistributionHousehold,
    DistributionLine,
    DistributionPack,
    DistributionRunner,
    Item,
    PerBasis,
    Store,
)
from tongzhou.supplies.services.ledger import stock_issue
from tongzhou.supplies.services.quantities import quantity_parse

# A distribution is for a community, a grid, a compound or a building: every household under it.
DISTRIBUTION_PLACE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)
# Who may be assigned to deliver a building's parcels (besides its lead, who may anyway).
RUNNER_ROLES = (Role.VOLUNTEER, Role.GRID_WORKER, Role.BUILDING_LEAD)


def id_or_none(value: Any) -> int | None:
    try:
        return id_or_404(value)
    except Http404:
        return None


@dataclass(frozen=True)
class ParcelLine:
    item_id: Any
    quantity: Any
    per: str = PerBasis.HOUSEHOLD


def _lines(rows: Sequence[ParcelLine]) -> list[tuple[Item, str, Decimal]]:
    """The parcel's lines parsed; every bad row named ("Row 2: ...") in one ValidationError."""
    if not rows:
        raise ValidationError({"lines": _("Enter at least one line of goods.")})
    errors: list[str] = []
    parsed: list[tuple[Item, str, Decimal]] = []
    seen: set[int] = set()
    for n, row in enumerate(rows, start=1):
        pk = id_or_none(row.item_id)
        item = Item.objects.filter(pk=pk).first() if pk is not None else None
        if item is None:
            errors.append(_("Row %(n)d: choose an item of the catalogue.") % {"n": n})
            continue
        if item.pk in seen:
            errors.append(_("Row %(n)d: %(item)s is on another row already.") % {"n": n, "item": item.name})
            continue
        seen.add(item.pk)
        if row.per not in PerBasis.values:
            errors.append(_("Row %(n)d: choose per household or per person.") % {"n": n})
            continue
        try:
            quantity = quantity_parse(item, row.quantity)
        except ValidationError as error:
            errors += [_("Row %(n)d: %(error)s") % {"n": n, "error": m} for m in error.messages]
            continue
        parsed.append((item, row.per, quantity))
    if errors:
        raise ValidationError({"lines": errors})
    return parsed


def _households_of(place: Place) -> list[DistributionHousehold]:
    """Every household under `place`, with its building, room (with its unit) and the residents
    registered there now."""
    rows = (
        Household.objects.filter(subtree_q(place.path, "place__path"))
        .annotate(n=Count("members", filter=Q(members__moved_out_on__isnull=True, members__merged_into__isnull=True)))
        .values_list("pk", "room", "place_id", "place__kind", "place__parent_id", "place__path", "place__name", "n")
        .order_by("place__path", "room")
    )
    return [
        DistributionHousehold(
            household_id=pk,
            building_id=parent if kind == PlaceKind.UNIT and parent else place_id,
            place_path=path,
            room=(f"{name}{room}" if kind == PlaceKind.UNIT else room)[:40],
            people=min(n, 32767),
        )
        for pk, room, place_id, kind, parent, path, name, n in rows
    ]


@transaction.atomic
def distribution_create(
    *, actor: User | None, place: Place, store: Store, name: str, lines: Sequence[ParcelLine]
) -> Distribution:
    """A distribution to every household under `place` out of `store`: what each household gets
    (per household, or per person living there). Needs SUPPLIES_KEEP over the place and the store.
    Bad input raises ValidationError naming the field (rows by number); nothing is written."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, place.path)
        require(actor, Perm.SUPPLIES_KEEP, store.place_path)
    errors: dict[str, Any] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Name the distribution (e.g. vegetable parcels, 3 March).")
    if place.kind not in DISTRIBUTION_PLACE_KINDS:
        errors["place"] = _("Choose a community, grid, compound or building.")
    try:
        parsed = _lines(lines)
    except ValidationError as error:
        errors.update(error.message_dict)
    households = _households_of(place) if "place" not in errors else []
    if "place" not in errors and not households:
        errors["place"] = _("No household is registered in %(place)s.") % {"place": place.name}
    if errors:
        raise ValidationError(errors)
    distribution = Distribution.objects.create(
        place=place,
        place_path=place.path,
        store=store,
        name=name[:100],
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    DistributionLine.objects.bulk_create(
        DistributionLine(distribution=distribution, item=item, per=per, quantity=quantity)
        for item, per, quantity in parsed
    )
    for row in households:
        row.distribution = distribution
    DistributionHousehold.objects.bulk_create(households, batch_size=1000)
    audit_log(
        action=DistributionAudit.CREATED,
        actor=actor,
        obj=distribution,
        place_path=place.path,
        details={"store": store.pk, "households": len(households), "lines": len(parsed)},
    )
    return distribution


def building_needs(distribution: Distribution, building_id: int) -> list[tuple[Item, Decimal]]:
    """What a building's parcels take out of the store, per item: each line's quantity times the
    building's households (per household) or residents (per person)."""
    sums = DistributionHousehold.objects.filter(distribution=distribution, building_id=building_id).aggregate(
        households=Count("pk"), people=Coalesce(Sum("people"), 0)
    )
    needs = []
    for line in distribution.lines.select_related("item"):
        times = sums["households"] if line.per == PerBasis.HOUSEHOLD else sums["people"]
        if times:
            needs.append((line.item, line.quantity * times))
    return needs


@transaction.atomic
def distribution_pack(*, actor: User | None, distribution: Distribution, building_id: Any) -> DistributionPack:
    """The parcels of one building are packed: their goods are issued out of the store in one batch
    (one issue per item, first-expiring lots first, never below zero). Once per building; all or
    nothing, a short item named. Needs SUPPLIES_KEEP over the store."""
    if actor is not None:
        require(actor, Perm.SUPPLIES_KEEP, distribution.store.place_path)
    Distribution.objects.select_for_update().filter(pk=distribution.pk).first()
    pk = id_or_none(building_id)
    if pk is None or not DistributionHousehold.objects.filter(distribution=distribution, building_id=pk).exists():
        raise ValidationError({"building": _("Choose a building of this distribution.")})
    building = Place.objects.get(pk=pk)
    if DistributionPack.objects.filter(distribution=distribution, building=building).exists():
        raise ValidationError(
            {"building": _("The parcels of %(building)s are packed already.") % {"building": building.name}}
        )
    pack = DistributionPack.objects.create(
        distribution=distribution,
        building=building,
        batch=uuid.uuid4(),
        packed_by=actor if actor is not None and actor.is_authenticated else None,
    )
    errors: list[str] = []
    needs = building_needs(distribution, building.pk)
    for n, (item, quantity) in enumerate(needs, start=1):
        try:
            with transaction.atomic():
                stock_issue(
                    actor=actor,
                    store=distribution.store,
                    item=item,
                    quantity=quantity,
                    batch=pack.batch,
                    note=f"{distribution.name} · {building.name}",
                )
        except ValidationError as error:
            errors += [_("Row %(n)d: %(error)s") % {"n": n, "error": m} for m in error.messages]
    if errors:
        raise ValidationError({"building": errors})
    audit_log(
        action=DistributionAudit.PACKED,
        actor=actor,
        obj=distribution,
        place_path=distribution.place_path,
        details={"building": building.pk, "batch": str(pack.batch)},
    )
    return pack


def runner_candidates(distribution: Distribution) -> list[User]:
    """Accounts that may be assigned to deliver: volunteers, grid workers and building leads
    whose role lies within the store's place or over the distribution's place."""
    ancestors = [distribution.place_path[: i + 1] for i, c in enumerate(distribution.place_path) if c == "/"]
    roles = RoleAssignment.objects.filter(
        subtree_q(distribution.store.place_path, "place__path") | Q(place__path__in=ancestors),
        role__in=RUNNER_ROLES,
        user__is_active=True,
    )
    return list(User.objects.filter(pk__in=roles.values("user_id")).order_by("username"))


@transaction.atomic
def runner_assign(*, actor: User, distribution: Distribution, building_id: Any, user_id: Any) -> DistributionRunner:
    """Staff assign a volunteer to deliver one building's parcels. Needs SUPPLIES_KEEP over the
    distribution's place."""
    require(actor, Perm.SUPPLIES_KEEP, distribution.place_path)
    errors: dict[str, str] = {}
    building = id_or_none(building_id)
    if (
        building is None
        or not DistributionHousehold.objects.filter(distribution=distribution, building_id=building).exists()
    ):
        errors["building"] = _("Choose a building of this distribution.")
    candidates = {u.pk: u for u in runner_candidates(distribution)}
    user = candidates.get(id_or_none(user_id) or 0)
    if user is None:
        errors["user"] = _("Choose a volunteer of this community.")
    if errors:
        raise ValidationError(errors)
    assert user is not None and building is not None
    runner, created = DistributionRunner.objects.get_or_create(
        distribution=distribution, building_id=building, user=user
    )
    if created:
        audit_log(
            action=DistributionAudit.RUNNER,
            actor=actor,
            obj=distribution,
            place_path=distribution.place_path,
            details={"building": building, "user": user.pk},
        )
    return runner


def may_deliver(user: Any, row: DistributionHousehold) -> bool:
    """The building's lead (or grid worker, or staff: door-to-door work over the household), or a
    deliverer assigned to the building."""
    if scope_of(user, Perm.NOTICES_VISIT).contains(row.place_path):
        return True
    return DistributionRunner.objects.filter(
        distribution_id=row.distribution_id, building_id=row.building_id, user_id=user.pk
    ).exists()


def is_packed(row: DistributionHousehold) -> bool:
    return DistributionPack.objects.filter(distribution_id=row.distribution_id, building_id=row.building_id).exists()


@transaction.atomic
def household_deliver(*, actor: User, row: DistributionHousehold) -> bool:
    """One tap at the door: the household's parcel is delivered. True when ticked now, False when it
    was already (a second tap, a replay) and nothing changes. Only once its building is packed."""
    if not may_deliver(actor, row):
        raise PermissionDenied
    if not is_packed(row):
        raise ValidationError(_("The parcels of this building are not packed yet."))
    return bool(
        DistributionHousehold.objects.filter(pk=row.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now(), delivered_by=actor
        )
    )


@transaction.atomic
def household_confirm(*, row: DistributionHousehold, household_id: int | None) -> bool:
    """The resident confirms receipt for their own household (the personal link's household only):
    a household that confirms was reached, ticked or not. True when recorded now."""
    if household_id is None or row.household_id != household_id:
        raise PermissionDenied
    if not is_packed(row):
        raise ValidationError(_("Your parcel has not been packed yet."))
    now = timezone.now()
    return bool(
        DistributionHousehold.objects.filter(pk=row.pk, confirmed_at__isnull=True).update(
            confirmed_at=now, delivered_at=Coalesce(F("delivered_at"), now)
        )
    )
