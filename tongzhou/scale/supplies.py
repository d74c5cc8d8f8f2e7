"""A storeroom per community, donations received and daily issues in the stock ledger, and the running
balances made from the entries."""

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection

from tongzhou.core.bulk import insert_many
from tongzhou.scale.common import CityStats, Community, when
from tongzhou.scale.common import store as store_rows
from tongzhou.supplies.models import Entry, Item, Lot, Store

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


def supplies(
    place: Community, days: list[date], items: list[Item], rng: random.Random, now: datetime, stats: CityStats
) -> None:
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
