"""Reads of household distributions: the staff's distributions and their buildings, the deliverer's
households (their buildings only), the packing list, the not-yet-reached list, the resident's own
parcels and the public aggregate. Scoped: outside the user's places a distribution answers 404."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from tongzhou.core.access import get_for_user, id_or_404, scope_of
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import subtree_q
from tongzhou.places.models import Place
from tongzhou.supplies.models import (
    Distribution,
    DistributionHousehold,
    DistributionLine,
    DistributionPack,
    DistributionRunner,
    PerBasis,
)


def distributions_for_user(user: Any) -> QuerySet[Distribution]:
    """The distributions of the places where the user keeps supplies (staff, keepers)."""
    return (
        Distribution.objects.filter(scope_of(user, Perm.SUPPLIES_KEEP).q("place_path"))
        .select_related("place", "store")
        .annotate(
            total=Count("households"),
            reached=Count("households", filter=Q(households__delivered_at__isnull=False)),
        )
    )


def get_distribution_for_user(*, user: Any, pk: Any, write: bool = False) -> Distribution:
    return get_for_user(
        Distribution.objects.select_related("place", "store"),
        user=user,
        pk=pk,
        perm=Perm.SUPPLIES_KEEP,
        path_field="place_path",
        write=write,
    )


def _deliverer_rows(user: Any) -> Q:
    """The households a user may tick: under their door-to-door scope (a building lead's building),
    or in a building they were assigned to."""
    scope = scope_of(user, Perm.NOTICES_VISIT)
    assigned = DistributionRunner.objects.filter(
        user_id=user.pk, distribution=OuterRef("distribution"), building=OuterRef("building")
    )
    return Q(Exists(assigned)) if scope.is_empty else scope.q("place_path") | Q(Exists(assigned))


def deliveries_for_user(user: Any) -> QuerySet[Distribution]:
    """The distributions with households the user may tick delivered, newest first."""
    mine = DistributionHousehold.objects.filter(_deliverer_rows(user), distribution=OuterRef("pk"))
    return Distribution.objects.filter(Exists(mine)).select_related("place").order_by("-created_at", "-pk")


def get_delivery_for_user(*, user: Any, pk: Any) -> Distribution:
    """A distribution with households the user may tick, else 404."""
    found = deliveries_for_user(user).filter(pk=id_or_404(pk)).first()
    if found is None:
        raise Http404
    return found


def rows_for_deliverer(distribution: Distribution, user: Any) -> QuerySet[DistributionHousehold]:
    return (
        DistributionHousehold.objects.filter(_deliverer_rows(user), distribution=distribution)
        .annotate(
            packed=Exists(DistributionPack.objects.filter(distribution=distribution, building=OuterRef("building")))
        )
        .select_related("building")
        .order_by("place_path", "room")
    )


def get_row_for_deliverer(*, distribution: Distribution, user: Any, pk: Any) -> DistributionHousehold:
    row = rows_for_deliverer(distribution, user).filter(pk=id_or_404(pk)).first()
    if row is None:
        raise Http404
    return row


@dataclass
class BuildingRow:
    building: Place
    households: int
    people: int
    delivered: int
    confirmed: int
    packed: bool
    not_reached: list[DistributionHousehold] = field(default_factory=list)

    @property
    def left(self) -> int:
        return self.households - self.delivered


def buildings_of(distribution: Distribution, user: Any | None = None) -> list[BuildingRow]:
    """Per building: households, people, delivered, confirmed, packed, and the households not yet
    reached (by room). Counted by the database; `user` limits it to the deliverer's buildings."""
    rows = DistributionHousehold.objects.filter(distribution=distribution)
    if user is not None:
        rows = rows.filter(_deliverer_rows(user))
    counts = (
        rows.values("building_id")
        .annotate(
            households=Count("pk"),
            people=Sum("people"),
            delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        )
        .order_by()
    )
    packed = set(DistributionPack.objects.filter(distribution=distribution).values_list("building_id", flat=True))
    places = Place.objects.only("name", "path").in_bulk([c["building_id"] for c in counts])
    result = {
        c["building_id"]: BuildingRow(
            building=places[c["building_id"]],
            households=c["households"],
            people=c["people"] or 0,
            delivered=c["delivered"],
            confirmed=c["confirmed"],
            packed=c["building_id"] in packed,
        )
        for c in counts
    }
    for row in rows.filter(delivered_at__isnull=True).order_by("place_path", "room"):
        result[row.building_id].not_reached.append(row)
    return sorted(result.values(), key=lambda b: b.building.path)


def lines_of(distribution: Distribution) -> list[DistributionLine]:
    return list(distribution.lines.select_related("item"))


def parcel_of(lines: list[DistributionLine], people: int) -> list[tuple[Any, Decimal]]:
    """What one household's parcel holds: per-household lines as they are, per-person lines times
    the people living there."""
    parcel = []
    for line in lines:
        quantity = line.quantity if line.per == PerBasis.HOUSEHOLD else line.quantity * people
        if quantity:
            parcel.append((line.item, quantity))
    return parcel


@dataclass
class PackingList:
    distribution: Distribution
    building: Place
    rows: list[tuple[DistributionHousehold, list[tuple[Any, Decimal]]]]
    totals: list[tuple[Any, Decimal]]
    packed: bool


def packing_list(distribution: Distribution, building_id: Any) -> PackingList:
    """A building's households by room, with the number of people and what to pack for each, and
    the totals per item. 404 for a building with no household in the distribution."""
    rows = list(
        DistributionHousehold.objects.filter(distribution=distribution, building_id=id_or_404(building_id)).order_by(
            "place_path", "room"
        )
    )
    if not rows:
        raise Http404
    lines = lines_of(distribution)
    per_row = [(row, parcel_of(lines, row.people)) for row in rows]
    totals: dict[Any, Decimal] = {}
    for _row, parcel in per_row:
        for item, quantity in parcel:
            totals[item] = totals.get(item, Decimal(0)) + quantity
    packed = DistributionPack.objects.filter(distribution=distribution, building_id=rows[0].building_id).exists()
    return PackingList(
        distribution=distribution,
        building=Place.objects.get(pk=rows[0].building_id),
        rows=per_row,
        totals=list(totals.items()),
        packed=packed,
    )


def parcels_of_household(household_id: int | None) -> list[tuple[DistributionHousehold, list[tuple[Any, Decimal]]]]:
    """The resident's household's parcels, newest first, with what each holds and whether it was
    packed: for the personal-link page."""
    if not household_id:
        return []
    rows = (
        DistributionHousehold.objects.filter(household_id=household_id)
        .annotate(
            packed=Exists(
                DistributionPack.objects.filter(distribution=OuterRef("distribution"), building=OuterRef("building"))
            )
        )
        .select_related("distribution")
        .order_by("-distribution__created_at", "-distribution_id")[:20]
    )
    result: list[tuple[DistributionHousehold, list[tuple[Any, Decimal]]]] = []
    for row in rows:
        result.append((row, parcel_of(lines_of(row.distribution), row.people)))
    return result


@dataclass(frozen=True)
class PublicDistribution:
    place: str
    parcels: int
    households: int


def public_distributions(street: Place) -> list[PublicDistribution]:
    """For the public ledger: parcels delivered per distribution place (a compound, a community),
    and to how many households. Counts only: never a room, a building or a name."""
    rows = (
        DistributionHousehold.objects.filter(subtree_q(street.path, "place_path"), delivered_at__isnull=False)
        .values("distribution__place__name", "distribution__place__path")
        .annotate(parcels=Count("pk"), households=Count("household_id", distinct=True))
        .order_by("distribution__place__path")
    )
    return [PublicDistribution(r["distribution__place__name"], r["parcels"], r["households"]) for r in rows]
