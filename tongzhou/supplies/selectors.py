"""Reads of supplies: scoped accessors (404 outside the user's places) and the stock pages."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from tongzhou.core.access import get_for_user, scope_of
from tongzhou.core.permissions import Perm
from tongzhou.supplies.models import Balance, Donation, Entry, Item, Store


def stores_for_user(user: Any, perm: Perm = Perm.SUPPLIES_VIEW) -> QuerySet[Store]:
    return Store.objects.filter(scope_of(user, perm).q("place_path")).select_related("place")


def get_store_for_user(*, user: Any, pk: Any, perm: Perm = Perm.SUPPLIES_VIEW, write: bool = False) -> Store:
    """The store `pk` if it lies where `user` holds `perm`; Http404 otherwise (as for no store)."""
    return get_for_user(
        Store.objects.select_related("place"), user=user, pk=pk, perm=perm, path_field="place_path", write=write
    )


def get_entry_for_user(*, user: Any, pk: Any, perm: Perm = Perm.SUPPLIES_VIEW) -> Entry:
    return get_for_user(
        Entry.objects.select_related("store", "item", "lot"), user=user, pk=pk, perm=perm, path_field="place_path"
    )


@dataclass
class StockRow:
    store_id: int
    store: str
    item_id: int
    item: str
    unit: str
    on_hand: Decimal
    in_transit: Decimal


def stock_on_hand(user: Any) -> list[StockRow]:
    """Stock per store and item in the user's places, from the running balances: one grouped
    query over the balance table (an index range on the place path), never over the ledger."""
    rows = (
        Balance.objects.filter(scope_of(user, Perm.SUPPLIES_VIEW).q("place_path"))
        .values("store_id", "store__name", "store__place_path", "in_transit", "item_id", "item__name", "item__unit")
        .annotate(total=Sum("quantity"))
        .order_by("store__place_path", "store__name", "item__name")
    )
    by_key: dict[tuple[int, int], StockRow] = {}
    for row in rows:
        key = (row["store_id"], row["item_id"])
        stock = by_key.get(key)
        if stock is None:
            stock = by_key[key] = StockRow(
                row["store_id"],
                row["store__name"],
                row["item_id"],
                row["item__name"],
                row["item__unit"],
                Decimal(0),
                Decimal(0),
            )
        if row["in_transit"]:
            stock.in_transit += row["total"] or 0
        else:
            stock.on_hand += row["total"] or 0
    return [row for row in by_key.values() if row.on_hand or row.in_transit]


def store_balances(store: Store) -> QuerySet[Balance]:
    return (
        Balance.objects.filter(store=store, quantity__gt=0)
        .select_related("item", "lot")
        .order_by("item__name", "in_transit", "lot__expires_on", "lot__code")
    )


def store_entries(store: Store, limit: int = 50) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(store=store)
        .select_related("item", "lot", "actor")
        .prefetch_related("reversed_by", "arrival")
        .order_by("-created_at", "-pk")[:limit]
    )


def items() -> QuerySet[Item]:
    return Item.objects.order_by("kind", "name")


@dataclass
class PublicItem:
    item: str
    unit: str
    received: Decimal = Decimal(0)
    used: Decimal = Decimal(0)
    in_stock: Decimal = Decimal(0)
    in_transit: Decimal = Decimal(0)
    used_by_store: list[tuple[str, Decimal]] | None = None


def public_ledger(street: Any) -> list[PublicItem]:
    """What the street received and used, per item, for anyone: goods received, issued (by store,
    with what a store gave to a post counted where it was used) and in stock. No person appears:
    only stores and sums. Two grouped queries over the ledger and one over the balances."""
    area = Entry.objects.filter(place_path__gte=street.path, place_path__lt=street.path[:-1] + "0")
    rows: dict[int, PublicItem] = {}

    def row(item_id: int, name: str, unit: str) -> PublicItem:
        found = rows.get(item_id)
        if found is None:
            found = rows[item_id] = PublicItem(name, unit, used_by_store=[])
        return found

    received = (
        area.filter(kind="received")
        .values("item_id", "item__name", "item__unit")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for r in received:
        row(r["item_id"], r["item__name"], r["item__unit"]).received += r["total"] or 0
    used = (
        area.filter(kind__in=("issued", "returned"))
        .values("item_id", "item__name", "item__unit", "store__name")
        .annotate(total=Sum("quantity"))
        .order_by("item_id", "store__name")
    )
    for r in used:
        item = row(r["item_id"], r["item__name"], r["item__unit"])
        total = -Decimal(r["total"] or 0)
        if total:
            item.used += total
            assert item.used_by_store is not None
            item.used_by_store.append((r["store__name"], total))
    stock = (
        Balance.objects.filter(place_path__gte=street.path, place_path__lt=street.path[:-1] + "0")
        .values("item_id", "item__name", "item__unit", "in_transit")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for r in stock:
        item = row(r["item_id"], r["item__name"], r["item__unit"])
        if r["in_transit"]:
            item.in_transit += r["total"] or 0
        else:
            item.in_stock += r["total"] or 0
    return sorted(rows.values(), key=lambda r: r.item)


def donations_for_user(user: Any) -> QuerySet[Donation]:
    return (
        Donation.objects.filter(scope_of(user, Perm.SUPPLIES_VIEW).q("place_path"))
        .select_related("donor", "place", "store")
        .prefetch_related("lines__item")
        .order_by("-received_on", "-pk")
    )


def get_donation_for_user(*, user: Any, pk: Any, perm: Perm = Perm.SUPPLIES_VIEW) -> Donation:
    return get_for_user(
        Donation.objects.select_related("donor", "place", "store").prefetch_related("lines__item"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="place_path",
    )


def public_donations(street: Any) -> QuerySet[Donation]:
    """A street's donations for the public ledger (donor shown by `public_name` only)."""
    return (
        Donation.objects.filter(place_path__gte=street.path, place_path__lt=street.path[:-1] + "0")
        .select_related("donor", "place")
        .prefetch_related("lines__item")
        .order_by("-received_on", "-pk")
    )
