"""A storeroom per community, donations received and daily issues in the stock ledger, household
distributions (a compound's parcels every DISTRIBUTION_EVERY days: received, packed building by
building out of the store, delivered door to door), and the running balances made from the
entries."""

import random
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection

from tongzhou.accounts.models import User
from tongzhou.core.bulk import insert_many
from tongzhou.scale.common import CityStats, Community, when, write
from tongzhou.scale.common import store as store_rows
from tongzhou.supplies.models import (
    Distribution,
    DistributionHousehold,
    DistributionLine,
    DistributionPack,
    Entry,
    Item,
    Lot,
    PerBasis,
    Store,
)

ITEMS = [
    ("医用外科口罩", "mask", "只", 50),
    ("一次性医用手套", "gloves", "副", 100),
    ("84消毒液", "disinfectant", "瓶", 12),
]


def items() -> list[Item]:
    made = []
    for name, kind, unit, pack in ITEMS:
        item, _created = Item.objects.get_or_create(
            name=name, defaults={"kind": kind, "unit": unit, "pack_size": pack, "counted": True}
        )
        made.append(item)
    return made


# A community's distributions: one compound's parcels every this many days (from the second day).
DISTRIBUTION_EVERY = 10
# Of the parcels: masks per person, disinfectant per household.
PARCEL = ((0, PerBasis.PERSON, 10), (2, PerBasis.HOUSEHOLD, 1))
# Households nobody answered at (no delivery), and of those delivered, who confirmed on their link.
NOT_HOME, CONFIRMED = 0.03, 0.6


def supplies(
    place: Community, days: list[date], items: list[Item], rng: random.Random, now: datetime, stats: CityStats
) -> Store:
    store = Store(place=place.place, place_path=place.place.path, name=f"{place.place.name}物资室", kind="storeroom")
    insert_many([store])
    entries = []
    lots = []
    for item in items:
        for day in days[::7]:
            lot = Lot(item=item, code=f"{place.place.code}-{item.pk}-{day:%y%m%d}")
            lots.append(lot)
            received = 200 * item.pack_size // 10
            entries.append((lot, day, Decimal(received), "received"))
            on_hand = received
            for offset in range(7):
                used_on = day + timedelta(days=offset)
                if used_on > days[-1]:
                    break
                use = min(on_hand, rng.randint(0, 3 * item.pack_size // 10))
                if use:
                    entries.append((lot, used_on, Decimal(-use), "issued"))
                    on_hand -= use
    insert_many(lots)
    made = [
        Entry(
            store=store,
            place_path=store.place_path,
            item=lot.item,
            lot=lot,
            kind=kind,
            quantity=quantity,
            batch=uuid.UUID(int=rng.getrandbits(128), version=4),
            created_at=min(now, when(day, 9 if kind == "received" else 17)),
        )
        for lot, day, quantity, kind in entries
    ]
    store_rows(made, stats, "ledger_entries", as_given=("created_at",))
    stats.count("stores", 1)
    return store


def distributions(
    place: Community,
    store: Store,
    days: list[date],
    items: list[Item],
    staff: User,
    rng: random.Random,
    now: datetime,
    stats: CityStats,
) -> None:
    """A compound's household distribution every DISTRIBUTION_EVERY days, in turn: the parcels'
    goods received into the store in the morning (a lot of their own), issued building by building
    when packed (one batch a building, as `distribution_pack` does), then delivered door to door
    in the afternoon and confirmed by most households. The households are those of the compound
    with the residents registered there. The generator makes no building leads' accounts: the
    staff account packs and delivers."""
    if not place.compounds or len(items) < 3:
        return
    people = Counter(household for _person, household, _path in place.residents)
    compound_of = {building.pk: building.parent_id or 0 for building in place.buildings}
    by_compound: dict[int, list[Any]] = {}
    for household in place.households:
        by_compound.setdefault(compound_of[household.place_id], []).append(household)
    buildings = {building.pk: building for building in place.buildings}
    plan = [
        (day, place.compounds[k % len(place.compounds)])
        for k, day in enumerate(days[min(1, len(days) - 1) :: DISTRIBUTION_EVERY])
    ]
    plan = [(day, compound) for day, compound in plan if by_compound.get(compound.pk)]
    if not plan:
        return

    def at(day: date, hour: float) -> datetime:
        return min(now, when(day, hour))

    ids = write(
        Distribution,
        (
            {
                "place_id": compound.pk,
                "place_path": compound.path,
                "store_id": store.pk,
                "name": f"{compound.name}防疫物资包 {day:%m-%d}",
                "created_by_id": staff.pk,
                "created_at": at(day, 8),
                "updated_at": at(day, 8),
            }
            for day, compound in plan
        ),
        stats,
        "distributions",
    )
    lines, households, packs, lots, entries = [], [], [], [], []
    for distribution_id, (day, compound) in zip(ids, plan, strict=True):
        name = f"{compound.name}防疫物资包 {day:%m-%d}"
        for index, per, quantity in PARCEL:
            lines.append(
                {"distribution_id": distribution_id, "item_id": items[index].pk, "per": per, "quantity": quantity}
            )
        needs: dict[int, Counter[int]] = {}  # building -> item -> quantity
        for household in by_compound[compound.pk]:
            n = people[household.pk]
            delivered = rng.random() >= NOT_HOME
            delivered_at = at(day, 14 + 5 * rng.random()) if delivered else None
            households.append(
                {
                    "distribution_id": distribution_id,
                    "household_id": household.pk,
                    "building_id": household.place_id,
                    "place_path": buildings[household.place_id].path,
                    "room": household.room,
                    "people": n,
                    "delivered_at": delivered_at,
                    "delivered_by_id": staff.pk if delivered else None,
                    "confirmed_at": at(day, 20 + 3 * rng.random()) if delivered and rng.random() < CONFIRMED else None,
                }
            )
            need = needs.setdefault(household.place_id, Counter())
            for index, per, quantity in PARCEL:
                need[index] += quantity * (n if per == PerBasis.PERSON else 1)
        total: Counter[int] = Counter()
        for need in needs.values():
            total.update(need)
        parcel_lots = {}
        for index, _per, _quantity in PARCEL:
            if total[index] > 0:
                lot = Lot(item=items[index], code=f"{place.place.code}-D{distribution_id}-{items[index].pk}")
                lots.append(lot)
                parcel_lots[index] = lot
                entries.append(
                    (
                        lot,
                        Decimal(total[index]),
                        "received",
                        at(day, 8.5),
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        "",
                    )
                )
        for building_id, need in needs.items():
            batch = uuid.UUID(int=rng.getrandbits(128), version=4)
            packs.append(
                {
                    "distribution_id": distribution_id,
                    "building_id": building_id,
                    "batch": batch,
                    "packed_by_id": staff.pk,
                    "packed_at": at(day, 10),
                }
            )
            for index, quantity in need.items():
                if quantity > 0:
                    note = f"{name} · {buildings[building_id].name}"
                    entries.append((parcel_lots[index], Decimal(-quantity), "issued", at(day, 10), batch, note))
    write(DistributionLine, lines, stats, "distribution_lines")
    write(DistributionHousehold, households, stats, "distribution_households")
    write(DistributionPack, packs, stats, "distribution_packs")
    insert_many(lots)
    store_rows(
        (
            Entry(
                store=store,
                place_path=store.place_path,
                item=lot.item,
                lot=lot,
                kind=kind,
                quantity=quantity,
                batch=batch,
                note=note[:200],
                created_at=moment,
            )
            for lot, quantity, kind, moment, batch, note in entries
        ),
        stats,
        "ledger_entries",
        as_given=("created_at",),
    )


def balances() -> None:
    """The running balances, made from the entries the way the nightly check sums them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO supplies_balance (store_id, place_path, item_id, lot_id, in_transit, quantity, received, used)"
            " SELECT e.store_id, s.place_path, e.item_id, e.lot_id, e.in_transit, SUM(e.quantity),"
            " SUM(CASE WHEN e.kind = 'received' THEN e.quantity ELSE 0 END),"
            " -SUM(CASE WHEN e.kind IN ('issued', 'returned') THEN e.quantity ELSE 0 END)"
            " FROM supplies_entry e JOIN supplies_store s ON s.id = e.store_id"
            " WHERE NOT EXISTS (SELECT 1 FROM supplies_balance b WHERE b.store_id = e.store_id)"
            " GROUP BY e.store_id, s.place_path, e.item_id, e.lot_id, e.in_transit"
        )
