"""Reads of supplies: scoped accessors (404 outside the user's places) and the stock pages."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, StrIndex, Substr
from django.http import Http404
from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.core.access import get_for_user, scope_of
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope, ancestor_paths, subtree_q
from tongzhou.places.models import Place, PlaceKind
from tongzhou.supplies.models import (
    OPEN_REQUISITION,
    Balance,
    Donation,
    Entry,
    EntryKind,
    HandOut,
    HandOutTally,
    Item,
    ItemKind,
    MinimumLevel,
    Requisition,
    RequisitionLine,
    Store,
    StoreKind,
)
from tongzhou.volunteers.models import Post, Team


def stores_for_user(user: Any, perm: Perm = Perm.SUPPLIES_VIEW, within: Place | None = None) -> QuerySet[Store]:
    stores = Store.objects.filter(scope_of(user, perm).q("place_path")).select_related("place")
    return stores.filter(subtree_q(within.path, "place_path")) if within is not None else stores


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


def stock_on_hand(user: Any, within: Place | None = None) -> list[StockRow]:
    """Stock per store and item in the user's places (those under `within` if given), from the
    running balances: one grouped query over the balance table (an index range on the place path),
    never over the ledger."""
    balances = Balance.objects.filter(scope_of(user, Perm.SUPPLIES_VIEW).q("place_path"))
    if within is not None:
        balances = balances.filter(subtree_q(within.path, "place_path"))
    rows = (
        balances.values(
            "store_id", "store__name", "store__place_path", "in_transit", "item_id", "item__name", "item__unit"
        )
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
        .prefetch_related("reversals", "arrivals")
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
    # Of the used: handed to front-line workers, how many distinct workers, at how many posts.
    handed_out: Decimal = Decimal(0)
    workers: int = 0
    posts: int = 0
    teams: int = 0


# Hand-outs per item from the running tallies (a few rows per store and item): quantity handed
# to workers, distinct workers and distinct posts with something. Only counts leave the database.
HANDED_OUT_SQL = """
SELECT item_id,
       SUM(CASE WHEN kind = 'worker' THEN quantity ELSE 0 END),
       COUNT(DISTINCT CASE WHEN kind = 'worker' AND quantity > 0 THEN who END),
       COUNT(DISTINCT CASE WHEN kind = 'post' AND quantity > 0 THEN who END),
       COUNT(DISTINCT CASE WHEN kind = 'team' AND quantity > 0 THEN who END)
FROM supplies_handouttally
WHERE place_path >= %s AND place_path < %s
GROUP BY item_id
"""


def public_ledger(street: Any) -> list[PublicItem]:
    """What the street received and used, per item, for anyone: goods received, used (issued less
    returned, by store) and in stock. No person appears: only stores and sums. One grouped query
    over the running balances (which carry the received and used sums), never over the ledger."""
    rows: dict[int, PublicItem] = {}
    sums = (
        Balance.objects.filter(place_path__gte=street.path, place_path__lt=street.path[:-1] + "0")
        .values("item_id", "item__name", "item__unit", "store__name", "in_transit")
        .annotate(received=Sum("received"), used=Sum("used"), stock=Sum("quantity"))
        .order_by("item_id", "store__name")
    )
    for r in sums:
        item = rows.get(r["item_id"])
        if item is None:
            item = rows[r["item_id"]] = PublicItem(r["item__name"], r["item__unit"], used_by_store=[])
        item.received += r["received"] or 0
        if r["in_transit"]:
            item.in_transit += r["stock"] or 0
        else:
            item.in_stock += r["stock"] or 0
        used = Decimal(r["used"] or 0)
        if used:
            item.used += used
            assert item.used_by_store is not None
            item.used_by_store.append((r["store__name"], used))
    # Raw SQL asks the router where to read, as a queryset does (the replica on the public ledger).
    with connections[router.db_for_read(HandOutTally)].cursor() as cursor:
        cursor.execute(HANDED_OUT_SQL, [street.path, street.path[:-1] + "0"])
        for item_id, total, workers, posts, teams in cursor.fetchall():
            if item_id in rows:
                handed = rows[item_id]
                handed.handed_out = Decimal(str(total or 0))
                handed.workers, handed.posts, handed.teams = workers, posts, teams
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


def own_handouts(user: Any) -> list[tuple[HandOut, list[Entry]]]:
    """The hand-outs a worker received, with their lines: only their own, whoever asks."""
    handouts = list(HandOut.objects.filter(recipient=user).select_related("store", "post").order_by("-issued_at")[:50])
    entries: dict[Any, list[Entry]] = {}
    for entry in Entry.objects.filter(batch__in=[h.batch for h in handouts]).select_related("item").order_by("pk"):
        entries.setdefault(entry.batch, []).append(entry)
    return [(h, entries.get(h.batch, [])) for h in handouts]


def workers_for_user(user: Any) -> QuerySet[User]:
    """Accounts holding a role where `user` keeps stores: the workers a keeper may hand goods to."""
    scope = scope_of(user, Perm.SUPPLIES_KEEP)
    return User.objects.filter(scope.q("roles__place__path"), is_active=True).distinct().order_by("username")


def transfer_destinations(store: Store) -> QuerySet[Store]:
    """Where a store's page offers to send goods: the other stores of its street (the service
    takes any store; the page does not list a city's)."""
    street = Place.objects.filter(path__in=ancestor_paths(store.place_path), kind=PlaceKind.STREET).first()
    others = Store.objects.exclude(pk=store.pk)
    if street is not None:
        others = others.filter(subtree_q(street.path, "place_path"))
    return others.order_by("place_path", "name")


def keeper_stores(user: Any) -> QuerySet[Store]:
    """The stores `user` keeps, in the tree's order."""
    return stores_for_user(user, Perm.SUPPLIES_KEEP).order_by("place_path", "name")


def handout_posts(user: Any) -> QuerySet[Post]:
    """The posts whose day kit `user` may hand out: those in the places where they keep stores."""
    return Post.objects.filter(scope_of(user, Perm.SUPPLIES_KEEP).q("place_path")).order_by("place_path", "name")


def place_at(path: str) -> Place:
    return Place.objects.get(path=path)


def requisitions_for_user(user: Any) -> QuerySet[Requisition]:
    """Requisitions asked by stores in the user's places (the street sees all of its communities')."""
    return (
        Requisition.objects.filter(scope_of(user, Perm.SUPPLIES_VIEW).q("place_path"))
        .select_related("store", "source", "requested_by")
        .order_by("-created_at", "-pk")
    )


def get_requisition_for_user(*, user: Any, pk: Any, perm: Perm = Perm.SUPPLIES_VIEW) -> Requisition:
    """The requisition `pk` if its asking store lies where `user` holds `perm`; Http404 otherwise."""
    return get_for_user(
        Requisition.objects.select_related("store", "source", "post", "requested_by", "approved_by"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="place_path",
    )


def requisition_lines(requisition: Requisition) -> list[RequisitionLine]:
    return list(requisition.lines.select_related("item").order_by("pk"))


# The dashboard --------------------------------------------------------------------------------

KEY_KINDS = (ItemKind.MASK, ItemKind.GLOVES, ItemKind.SUIT, ItemKind.SANITIZER, ItemKind.DISINFECTANT)
USE_DAYS = 7


@dataclass
class DaysLeft:
    item: str
    unit: str
    on_hand: Decimal
    per_day: Decimal
    # None: nothing was issued in the last week, so the stock lasts as far as anyone can tell.
    days: Decimal | None


def supplies_figures(scope: Scope) -> dict[str, Any]:
    """The dashboard's supplies card over `scope`: for the key protective items, stock on hand and
    days left (on hand ÷ the average daily issued, net of reversals, over the last 7 days), open
    requisitions and shortages (a store below its minimum level). Four queries, aggregated in SQL."""
    since = timezone.now() - timedelta(days=USE_DAYS)
    stock = (
        Balance.objects.filter(scope.q("place_path"), in_transit=False, item__kind__in=KEY_KINDS)
        .values("item_id", "item__name", "item__unit")
        .annotate(n=Sum("quantity"))
        .order_by("item__kind", "item__name")
    )
    issued = dict(
        Entry.objects.filter(scope.q("place_path"), created_at__gte=since, kind=EntryKind.ISSUED)
        .values("item_id")
        .annotate(n=Sum("quantity"))
        .values_list("item_id", "n")
    )
    days_left: list[DaysLeft] = []
    for row in stock:
        on_hand = Decimal(row["n"] or 0)
        per_day = max(-Decimal(issued.get(row["item_id"]) or 0), Decimal(0)) / USE_DAYS
        days = (on_hand / per_day).quantize(Decimal("0.1")) if per_day else None
        days_left.append(DaysLeft(row["item__name"], row["item__unit"], on_hand, per_day, days))
    on_hand_there = (
        Balance.objects.filter(store=OuterRef("store"), item=OuterRef("item"), in_transit=False)
        .values("store")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    shortages = (
        MinimumLevel.objects.filter(scope.q("store__place_path"))
        .annotate(on_hand=Coalesce(Subquery(on_hand_there), Decimal(0), output_field=DecimalField()))
        .filter(on_hand__lt=F("quantity"))
        .count()
    )
    return {
        "days_left": days_left,
        "open_requisitions": Requisition.objects.filter(scope.q("place_path"), status__in=OPEN_REQUISITION).count(),
        "shortages": shortages,
    }


def team_handouts(user: Any) -> list[tuple[HandOut, list[Entry]]]:
    """Unconfirmed hand-outs to the members of the volunteer teams `user` leads (to confirm for
    them); nobody else's."""
    members = Team.objects.filter(leader__user_id=user.pk).values("members__user_id")
    handouts = list(
        HandOut.objects.filter(recipient_id__in=members, confirmed_at__isnull=True)
        .exclude(recipient_id=user.pk)
        .select_related("store", "post", "recipient")
        .order_by("-issued_at")[:50]
    )
    entries: dict[Any, list[Entry]] = {}
    for entry in Entry.objects.filter(batch__in=[h.batch for h in handouts]).select_related("item").order_by("pk"):
        entries.setdefault(entry.batch, []).append(entry)
    return [(h, entries.get(h.batch, [])) for h in handouts]


def get_handout_to_confirm(*, user: Any, pk: Any) -> HandOut:
    """The hand-out `pk` if `user` received it or leads a team of its recipient; Http404 otherwise."""
    handout = HandOut.objects.filter(pk=pk).first()
    if handout is None or not (
        handout.recipient_id == user.pk
        or Team.objects.filter(leader__user_id=user.pk, members__user_id=handout.recipient_id).exists()
    ):
        raise Http404
    return handout


@dataclass
class LevelRow:
    item: str
    unit: str
    minimum: Decimal
    on_hand: Decimal

    @property
    def short(self) -> bool:
        return self.on_hand < self.minimum


def store_minimums(store: Store) -> list[LevelRow]:
    """The store's minimum levels with what is on hand of each item (two queries)."""
    on_hand = dict(
        Balance.objects.filter(store=store, in_transit=False)
        .values("item_id")
        .annotate(n=Sum("quantity"))
        .values_list("item_id", "n")
    )
    return [
        LevelRow(level.item.name, level.item.unit, level.quantity, Decimal(on_hand.get(level.item_id) or 0))
        for level in MinimumLevel.objects.filter(store=store).select_related("item").order_by("item__name")
    ]


def asking_stores(user: Any) -> QuerySet[Store]:
    """The stores a requisition may ask for: the user's places' stores other than a warehouse."""
    return stores_for_user(user).exclude(kind=StoreKind.WAREHOUSE).order_by("place_path", "name")


# The stock page of an area. Up to one street with at most STORE_LIST_MAX stores it lists every
# store and item, as a street's keepers and administrator read it; above that (a district, a city,
# or a street grown past one page of stores) it shows totals per item and per child place, each
# child a link that narrows the page to it. The store bound is one page of the list: past it, a
# per-store list is no longer read at a glance, whatever the level.
STORE_LIST_MAX = 50


@dataclass
class AreaItem:
    item_id: int
    item: str
    unit: str
    on_hand: Decimal = Decimal(0)
    in_transit: Decimal = Decimal(0)


@dataclass
class AreaChild:
    """A child place of the area (or the area itself, `is_self`, for its own stores)."""

    place: Place
    stores: int = 0
    items: dict[int, AreaItem] = field(default_factory=dict)
    is_self: bool = False
    url: str = ""

    def on_hand(self, item_id: int) -> Decimal:
        found = self.items.get(item_id)
        return found.on_hand if found else Decimal(0)

    @property
    def item_list(self) -> list[AreaItem]:
        return sorted(self.items.values(), key=lambda i: i.item)


def stock_area_places(scope: Scope, within: Place | None) -> list[Place]:
    """The places the page is about: `within` (already checked to lie in scope) or the scope's roots."""
    if within is not None:
        return [within]
    return list(Place.objects.filter(path__in=scope.roots).order_by("path"))


def stock_lists_stores(places: list[Place]) -> bool:
    """Whether the page lists every store: one place at most a street deep, holding at most
    STORE_LIST_MAX stores (one COUNT, bounded by LIMIT)."""
    if len(places) != 1 or places[0].kind in _ABOVE_STREET:
        return False
    store_count = Store.objects.filter(subtree_q(places[0].path, "place_path"))[: STORE_LIST_MAX + 1].count()
    return store_count <= STORE_LIST_MAX


_ABOVE_STREET = {PlaceKind.PROVINCE, PlaceKind.CITY, PlaceKind.DISTRICT}


def stock_per_child(places: list[Place]) -> tuple[list[AreaChild], list[AreaItem]]:
    """Totals per child place and per item of the area `places`, in three queries whatever its size:
    the children, the balances summed by child path prefix and item (the prefix cut from the
    balance's place path at the next separator), the stores counted the same way. With several
    places (a user of several roots) the places themselves are the children."""
    if len(places) == 1:
        parent = places[0]
        children = list(Place.objects.filter(parent=parent).order_by("path"))
        # The child's path: the balance's path up to the first separator after the parent's.
        start = len(parent.path)
        rest = Substr("place_path", start + 1)
        child_path = Case(
            When(place_path=parent.path, then=Value(parent.path)),
            default=Substr("place_path", 1, StrIndex(rest, Value("/")) + start),
            output_field=CharField(),
        )
        area = subtree_q(parent.path, "place_path")
        rows = {c.path: AreaChild(c) for c in children}
        rows[parent.path] = AreaChild(parent, is_self=True)
    else:
        child_path = Case(
            *[When(subtree_q(p.path, "place_path"), then=Value(p.path)) for p in places],
            output_field=CharField(),
        )
        area = Scope.of(p.path for p in places).q("place_path")
        rows = {p.path: AreaChild(p) for p in places}
    sums = (
        Balance.objects.filter(area, quantity__gt=0)
        .annotate(child=child_path)
        .values("child", "item_id", "item__name", "item__unit", "in_transit")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    totals: dict[int, AreaItem] = {}
    for row in sums:
        child = rows.get(row["child"])
        if child is None:  # a path the tree does not know (a store of a removed place)
            continue
        for target in (child.items, totals):
            entry = target.get(row["item_id"])
            if entry is None:
                entry = target[row["item_id"]] = AreaItem(row["item_id"], row["item__name"], row["item__unit"])
            if row["in_transit"]:
                entry.in_transit += row["total"] or 0
            else:
                entry.on_hand += row["total"] or 0
    counts = Store.objects.filter(area).annotate(child=child_path).values("child").annotate(n=Count("pk")).order_by()
    for row in counts:
        if row["child"] in rows:
            rows[row["child"]].stores = row["n"]
    result = [c for c in rows.values() if not c.is_self or c.stores]
    result.sort(key=lambda c: (not c.is_self, c.place.path))
    return result, sorted(totals.values(), key=lambda i: i.item)


def own_stores(place: Place) -> list[Store]:
    """The stores at `place` itself (not below it), one page at most."""
    return list(Store.objects.filter(place_path=place.path).order_by("name")[:STORE_LIST_MAX])


def stock_chart(children: list[AreaChild], items: list[AreaItem], key_items: int = 3) -> dict[str, Any]:
    """An ECharts option: on hand per child place of the `key_items` items most widely held."""
    held = sorted(items, key=lambda i: (-sum(1 for c in children if c.on_hand(i.item_id)), i.item))[:key_items]
    return {
        "tooltip": {"trigger": "axis"},
        # One scrolling line of legend: three item names wrap at 390 px and would cover the bars.
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"left": 30, "right": 10, "top": 30, "bottom": 10, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [c.place.name for c in children],
            "axisLabel": {"interval": 0, "rotate": 30, "width": 80, "overflow": "truncate"},
        },
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": f"{i.item} ({i.unit})",
                "type": "bar",
                "data": [float(c.on_hand(i.item_id)) for c in children],
            }
            for i in held
        ],
    }


def stock_trail(scope: Scope, place: Place) -> list[Place]:
    """The ancestors of `place` (itself included) that lie in the scope: the page's way back up."""
    paths = [p for p in ancestor_paths(place.path) if scope.contains(p)]
    return list(Place.objects.filter(path__in=paths).order_by("path"))
