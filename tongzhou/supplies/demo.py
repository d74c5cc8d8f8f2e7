"""The demo's supplies (called by `tongzhou.demo`): stores, keepers, the catalogue, donations and
stock, hand-outs, requisitions and a distribution. The fund is in `demo_funds`."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone
from faker import Faker

from tongzhou.accounts.demo import DEMO_PASSWORD
from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant, user_create
from tongzhou.core.permissions import Role
from tongzhou.places.demo import ER_GE, SONGHUA, TAIAN
from tongzhou.places.models import Place

SUPPLY_KEEPERS = {"street_keeper": ER_GE, "taian_keeper": TAIAN, "songhua_keeper": SONGHUA}


def _supplies(*, fake: Faker, log: Callable[[str], None]) -> dict[str, Any]:
    """The street's warehouse and two community storerooms with a checkpoint box at 泰安巷3号院,
    their keepers (password as the other personas'), a catalogue of protective goods, and stock
    in realistic lots. Idempotent; returns the keepers, stores and items by short names."""
    from tongzhou.supplies.models import DonationKind, DonorKind, Item, ItemKind, Store, StoreKind
    from tongzhou.supplies.services.catalogue import item_create, minimum_set, store_create
    from tongzhou.supplies.services.donations import GoodsLine, donation_record
    from tongzhou.supplies.services.ledger import stock_receive, stock_transfer, transfer_arrive

    keepers: dict[str, Any] = {}
    for username, code in SUPPLY_KEEPERS.items():
        keeper = User.objects.filter(username=username).first() or user_create(
            actor=None, username=username, password=DEMO_PASSWORD, display_name=fake.name(), phone=fake.phone_number()
        )
        role_grant(actor=None, user=keeper, role=Role.WAREHOUSE_KEEPER, place=Place.objects.get(code=code))
        keepers[username] = keeper
    catalogue = [
        ("mask", "医用外科口罩", ItemKind.MASK, "只", 50, True, True),
        ("n95", "N95防护口罩", ItemKind.MASK, "只", 20, True, True),
        ("gloves", "一次性丁腈手套", ItemKind.GLOVES, "双", 100, True, False),
        ("suit", "医用防护服", ItemKind.SUIT, "套", 1, True, True),
        ("goggles", "护目镜", ItemKind.GOGGLES, "副", 1, True, False),
        ("disinfectant", "84消毒液", ItemKind.DISINFECTANT, "斤", 1, False, True),
        ("sanitizer", "免洗洗手液", ItemKind.SANITIZER, "瓶", 24, True, True),
        ("thermometer", "红外额温枪", ItemKind.THERMOMETER, "支", 1, True, False),
    ]
    items: dict[str, Any] = {}
    for key, name, kind, unit, pack, counted, expiry in catalogue:
        items[key] = Item.objects.filter(name=name).first() or item_create(
            actor=None, name=name, kind=kind, unit=unit, pack_size=pack, counted=counted, expiry_matters=expiry
        )
    er_ge, taian, songhua = (Place.objects.get(code=code) for code in (ER_GE, TAIAN, SONGHUA))
    gate_place = Place.objects.get(name="泰安巷3号院", path__startswith=taian.path)
    wanted = {
        "warehouse": (er_ge, "二戈街道物资仓库", StoreKind.WAREHOUSE),
        "taian": (taian, "泰安巷社区储藏室", StoreKind.STOREROOM),
        "songhua": (songhua, "松花巷社区储藏室", StoreKind.STOREROOM),
        "taian_gate": (gate_place, "泰安巷3号院东门卡点物资箱", StoreKind.CHECKPOINT_BOX),
    }
    stores: dict[str, Any] = {}
    fresh = False
    for key, (place, name, store_kind) in wanted.items():
        store = Store.objects.filter(place=place, name=name).first()
        if store is None:
            store = store_create(actor=None, place=place, name=name, kind=store_kind)
            fresh = True
        stores[key] = store
    if fresh:
        today = timezone.localdate()
        year = timedelta(days=365)
        warehouse = stores["warehouse"]
        stock = [
            ("mask", 5000, "KZ20200115", today + 2 * year),
            ("n95", 400, "N95-2001", today + 2 * year),
            ("gloves", 2000, "", None),
            ("suit", 120, "FH2020-01", today + year),
            ("goggles", 60, "", None),
            ("disinfectant", "300", "84-200118", today + year),
            ("sanitizer", 240, "XS200110", today + year),
            ("thermometer", 30, "", None),
        ]
        for key, quantity, lot, expires in stock:
            stock_receive(
                actor=None,
                store=warehouse,
                item=items[key],
                quantity=quantity,
                lot_code=lot,
                expires_on=expires,
                note="区卫健局调拨",
            )
        for community in ("taian", "songhua"):
            for key, quantity in (
                ("mask", 800),
                ("gloves", 300),
                ("suit", 20),
                ("disinfectant", "50"),
                ("sanitizer", 48),
            ):
                for entry in stock_transfer(
                    actor=None, source=warehouse, destination=stores[community], item=items[key], quantity=quantity
                ):
                    if entry.in_transit:
                        transfer_arrive(actor=None, entry=entry)
            minimum_set(actor=None, store=stores[community], item=items["mask"], quantity=200)
        for entry in stock_transfer(
            actor=None, source=stores["taian"], destination=stores["taian_gate"], item=items["mask"], quantity=100
        ):
            if entry.in_transit:
                transfer_arrive(actor=None, entry=entry)
        minimum_set(actor=None, store=warehouse, item=items["mask"], quantity=1000)
        bank = "贵阳银行云岩支行"
        goods = [
            GoodsLine(items["mask"].pk, 50, "YH0128", today + 2 * year),
            GoodsLine(items["sanitizer"].pk, 24, "YH-XS", today + year),
            GoodsLine(items["disinfectant"].pk, 50, "YH-84", today + year),
        ]
        for gift_kind, extra in (
            (DonationKind.IN_KIND, {"store": warehouse, "lines": goods}),
            (DonationKind.SERVICE, {"description": "街道办事处专业消杀一次"}),
        ):
            donation_record(
                actor=None, place=er_ge, donor_name=bank, donor_kind=DonorKind.COMPANY, kind=gift_kind, **extra
            )
        donation_record(
            actor=None,
            place=taian,
            donor_name=fake.name(),
            donor_kind=DonorKind.INDIVIDUAL,
            anonymous=True,
            kind=DonationKind.MONEY,
            amount="2000",
            purpose="为卡点购买取暖器",
        )
        log(f"supplies: {len(stores)} stores, {len(items)} items, keepers {', '.join(SUPPLY_KEEPERS)}")
    return {**keepers, **{f"store_{k}": v for k, v in stores.items()}, **{f"item_{k}": v for k, v in items.items()}}


def _handouts(supplies: dict[str, Any], *, log: Callable[[str], None]) -> None:
    """What the front line got out of 泰安巷's storeroom: three day kits for the gate at 泰安巷3号院
    (20 masks and 2 bottles of sanitizer each, received by the guard, the first two confirmed), a
    volunteer's masks and gloves, and the building lead's protective suit. Once."""
    from tongzhou.supplies.models import HandOut
    from tongzhou.supplies.services.handouts import handout_confirm, handout_issue
    from tongzhou.volunteers.models import Duty, Post

    if HandOut.objects.exists():
        return
    store = supplies["store_taian"]
    items = {key.removeprefix("item_"): value for key, value in supplies.items() if key.startswith("item_")}
    workers = {u.username: u for u in User.objects.filter(username__in=("guard", "volunteer", "building_lead"))}
    gate = Post.objects.filter(place__path__startswith=store.place_path, duty=Duty.GATE).order_by("pk").first()
    kits = [
        handout_issue(
            actor=None,
            store=store,
            recipient=workers["guard"],
            lines=[(items["mask"], 20), (items["sanitizer"], 2)],
            post=gate,
        )
        for _day in range(3)
    ]
    for kit in kits[:2]:
        handout_confirm(actor=workers["guard"], handout=kit)
    handout_issue(
        actor=None, store=store, recipient=workers["volunteer"], lines=[(items["mask"], 10), (items["gloves"], 10)]
    )
    handout_issue(actor=None, store=store, recipient=workers["building_lead"], lines=[(items["suit"], 1)])
    log(f"supplies: {len(kits)} day kits for {gate.name if gate else 'the gate'} and two hand-outs from {store.name}")


def _requisitions(*, users: dict[str, User], log: Callable[[str], None]) -> None:
    """泰安巷 asks the street's warehouse twice: one requisition delivered (approved in part, sent,
    arrival confirmed) and one waiting for the street's approval. Idempotent."""
    from tongzhou.supplies.models import Item, Requisition, Store, StoreKind
    from tongzhou.supplies.services.requisitions import (
        AskedLine,
        requisition_approve,
        requisition_issue,
        requisition_receive,
        requisition_submit,
    )

    store = Store.objects.filter(kind=StoreKind.STOREROOM, place__code=TAIAN).first()
    if store is None or Requisition.objects.filter(store=store).exists():
        return
    mask, gloves, sanitizer = (Item.objects.get(name=n) for n in ("医用外科口罩", "一次性丁腈手套", "免洗洗手液"))
    delivered = requisition_submit(
        actor=users["taian_staff"],
        store=store,
        reason="3号院东门、西门卡点一周用量",
        lines=[AskedLine(mask.pk, 400), AskedLine(gloves.pk, 100)],
    )
    line = delivered.lines.get(item=mask)
    requisition_approve(
        actor=users["street_admin"],
        requisition=delivered,
        approved={line.pk: 300, delivered.lines.get(item=gloves).pk: 100},
        note="口罩先批300只",
    )
    delivered.refresh_from_db()
    requisition_issue(actor=None, requisition=delivered)
    delivered.refresh_from_db()
    requisition_receive(actor=None, requisition=delivered)
    requisition_submit(
        actor=users["taian_staff"],
        store=store,
        reason="新增两个核酸采样点的手部消毒",
        lines=[AskedLine(sanitizer.pk, 24), AskedLine(mask.pk, 200)],
    )
    log("supplies: 2 requisitions from 泰安巷 (one delivered, one waiting for approval)")


def _distribution(supplies: dict[str, Any], *, users: dict[str, User], log: Callable[[str], None]) -> None:
    """Vegetable parcels for 泰安巷3号院 (closed management, behind its gate) out of 泰安巷's
    storeroom: one parcel per household and a jin of rice per person. Both buildings packed; the
    building lead has delivered most of 2栋 and two households confirmed through their personal
    link; 1栋 is still being delivered. Idempotent."""
    from tongzhou.supplies.distribution_services import (
        ParcelLine,
        distribution_create,
        distribution_pack,
        household_confirm,
        household_deliver,
    )
    from tongzhou.supplies.models import Distribution, DistributionHousehold, Item, ItemKind
    from tongzhou.supplies.services.catalogue import item_create
    from tongzhou.supplies.services.ledger import stock_receive

    store = supplies["store_taian"]
    compound = Place.objects.get(name="泰安巷3号院", path__startswith=store.place_path)
    if Distribution.objects.filter(place=compound).exists():
        return
    veg = Item.objects.filter(name="蔬菜包").first() or item_create(
        actor=None, name="蔬菜包", kind=ItemKind.FOOD, unit="份", expiry_matters=True
    )
    rice = Item.objects.filter(name="大米").first() or item_create(
        actor=None, name="大米", kind=ItemKind.FOOD, unit="斤", counted=False
    )
    today = timezone.localdate()
    stock_receive(
        actor=None, store=store, item=veg, quantity=80, lot_code="SC-保供", expires_on=today + timedelta(days=3)
    )
    stock_receive(actor=None, store=store, item=rice, quantity="300", note="区商务局保供")
    distribution = distribution_create(
        actor=users["taian_staff"],
        place=compound,
        store=store,
        name=f"{today:%m月%d日}蔬菜包",
        lines=[ParcelLine(veg.pk, 1), ParcelLine(rice.pk, "1", "person")],
    )
    rows = DistributionHousehold.objects.filter(distribution=distribution)
    for building_id in sorted(set(rows.values_list("building_id", flat=True))):
        distribution_pack(actor=users["taian_staff"], distribution=distribution, building_id=building_id)
    second = Place.objects.get(parent=compound, name="2栋")
    in_second = list(rows.filter(building=second).order_by("place_path", "room"))
    for row in in_second[:-4]:
        household_deliver(actor=users["building_lead"], row=row)
    for row in [r for r in in_second if r.people][:2]:
        household_confirm(row=row, household_id=row.household_id)
    log(f"supplies: {distribution.name} for {rows.count()} households of {compound.name}")
