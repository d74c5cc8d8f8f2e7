"""A generated district for measuring at city scale: `manage.py generate_city`.

The places are real: the first N neighbourhood committees of Guiyang (贵阳市) in code order from
Nanming District (the demo's district), with their real streets and districts, from the National
Bureau of Statistics' division codes kept in `scale/data/guiyang`. Below each community the
generator builds compounds of eight buildings of 24 households, fills them with fake residents
(names from common surnames and given-name characters, valid ID card numbers, a phone per
household), and writes a month of activity in every module through the ORM's fields (`insert_many`:
COPY on PostgreSQL, bulk_create elsewhere), so encryption, blind indexes and defaults are as the
application writes them:

- volunteers (1 in 200 residents), a gate post per gate and an overnight post per community,
  shifts and assignments with check-ins, check-outs and the hours ledger;
- gates (one per compound) and their passages, with fevers and refusals;
- key persons (1 in 100), 14-day home-isolation orders and two health checks a day;
- help requests (five a community a day) and alerts;
- testing rounds every ten days, 10-in-1 tubes, results, recalls after a positive tube;
- a storeroom per community and a warehouse per street, donations received and daily issues in
  the stock ledger, with their running balances made from the entries;
- notices to every household every fifteen days, with their reach;
- the daily snapshots of every day.

Everything comes from one `random.Random(seed)` and fixed clocks, so the same arguments give the
same district (ids and ciphertexts aside).
"""

import gzip
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant
from tongzhou.alerts.models import Alert
from tongzhou.assistance.models import HelpRequest
from tongzhou.checkpoints.models import Gate, Passage
from tongzhou.core import partitions
from tongzhou.core.bulk import insert_many, insert_rows
from tongzhou.core.permissions import Role
from tongzhou.monitoring.models import HealthCheck, IsolationOrder, KeyPerson
from tongzhou.notices.models import Notice, Reach
from tongzhou.people.idnumbers import check_digit
from tongzhou.people.models import Person
from tongzhou.places.importers import write_divisions
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.reports.services import snapshot_day
from tongzhou.supplies.models import Entry, Item, Lot, Store
from tongzhou.testing.models import Recall, Round, Sample, Tube
from tongzhou.volunteers.models import Assignment, HoursEntry, Post, Shift, Team, Volunteer

DIVISIONS = Path(__file__).resolve().parent / "data" / "guiyang"
FIRST_DISTRICT = "520102"
ROOMS = [(floor, room) for floor in range(1, 7) for room in range(1, 5)]  # 24 households a building
BUILDINGS_PER_COMPOUND = 8
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志文辉鹏飞云丹玲燕林斌宇浩凯颖婷雪琳晨欣怡子涵梓轩博宏亮海波成龙嘉佳"  # noqa: E501
BATCH = 20_000


@dataclass
class CityStats:
    """What was made, and how long each part took."""

    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, n: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + n


@dataclass
class Community:
    place: Place
    street: Place
    compounds: list[Place]
    buildings: list[Place]
    households: list[Household]
    # (person id, household id, place path) of its residents, in order.
    residents: list[tuple[int, int, str]] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)


def _batched(rows: Iterable[Model], size: int = BATCH) -> Iterator[list[Model]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _store(rows: Iterable[Model], stats: CityStats, name: str, as_given: tuple[str, ...] = ()) -> None:
    for chunk in _batched(rows):
        insert_many(chunk, batch_size=2000, as_given=as_given)
        stats.count(name, len(chunk))


def _copy(model: type[Model], rows: Iterable[dict[str, Any]], stats: CityStats, name: str) -> None:
    """Store plain rows (attribute -> value) without a model instance each: `insert_rows` (COPY on
    PostgreSQL). Columns a row leaves out take their field's default; JSON goes in as its text."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [f.attname for f in fields]
    json_columns = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    postgres = connection.vendor == "postgresql"
    constant = {f.attname: f.get_default() for f in fields if not callable(f.default)}
    made = {f.attname: f for f in fields if callable(f.default)}

    def value(row: dict[str, Any], column: str) -> Any:
        if column in row:
            given = row[column]
        elif column in made:
            given = made[column].get_default()
        else:
            given = constant[column]
        if postgres and column in json_columns:
            return json.dumps(given)
        return given

    iterator = iter(rows)
    while chunk := list(islice(iterator, BATCH)):
        insert_rows(model, columns, [tuple(value(row, c) for c in columns) for row in chunk])
        stats.count(name, len(chunk))


def _read(stem: str) -> list[list[str]]:
    import csv
    import io

    with gzip.open(DIVISIONS / f"{stem}.csv.gz", "rt", encoding="utf-8") as handle:
        return list(csv.reader(io.StringIO(handle.read())))[1:]


def _divisions(communities: int) -> list[str]:
    """Import the chosen communities and the places above them (as the division import writes
    them, from rows already checked when the subset was cut); returns the communities' codes."""
    villages = sorted(row for row in _read("villages") if row[5] >= FIRST_DISTRICT)[:communities]
    if len(villages) < communities:
        raise ValueError(f"Guiyang has {len(villages)} communities from {FIRST_DISTRICT} on, not {communities}.")
    streets = {row[2] for row in villages}
    areas = {row[5] for row in villages}
    write_divisions(
        [
            [(row[0], row[1], None) for row in _read("provinces")],
            [(row[0], row[1], row[2]) for row in _read("cities")],
            [(row[0], row[1], row[2]) for row in _read("areas") if row[0] in areas],
            [(row[0], row[1], row[2]) for row in _read("streets") if row[0] in streets],
            [(row[0], row[1], row[2]) for row in villages],
        ]
    )
    return [row[0] for row in villages]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _id_number(rng: random.Random, region: str, today: date) -> tuple[str, date, str]:
    born = today - timedelta(days=rng.randint(365, 90 * 365))
    serial = rng.randint(0, 999)
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + check_digit(first17), born, "M" if serial % 2 else "F"


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"


def _places(community: Place, residents: int, rng: random.Random, stats: CityStats) -> Community:
    """Compounds, buildings and households enough for `residents` at about three a household."""
    street = community.parent
    assert street is not None
    households = max(1, residents // 3)
    buildings = max(1, -(-households // len(ROOMS)))
    compounds = max(1, -(-buildings // BUILDINGS_PER_COMPOUND))
    short = community.name.removesuffix("居委会").removesuffix("居民委员会").removesuffix("社区")
    made_compounds = [
        Place(
            kind=PlaceKind.COMPOUND,
            name=f"{short}{k + 1}号院",
            parent=community,
            depth=community.depth + 1,
            path=f"{community.path}k{k + 1}/",
        )
        for k in range(compounds)
    ]
    insert_many(made_compounds)
    made_buildings = [
        Place(
            kind=PlaceKind.BUILDING,
            name=f"{b % BUILDINGS_PER_COMPOUND + 1}栋",
            parent=made_compounds[b // BUILDINGS_PER_COMPOUND],
            depth=community.depth + 2,
            path=f"{made_compounds[b // BUILDINGS_PER_COMPOUND].path}b{b % BUILDINGS_PER_COMPOUND + 1}/",
        )
        for b in range(buildings)
    ]
    insert_many(made_buildings)
    made_households = [
        Household(place=made_buildings[h // len(ROOMS)], floor=floor, room=f"{floor}{room:02d}")
        for h in range(households)
        for floor, room in [ROOMS[h % len(ROOMS)]]
    ]
    insert_many(made_households)
    stats.count("places", compounds + buildings)
    stats.count("households", households)
    return Community(community, street, made_compounds, made_buildings, made_households)


def _people(place: Community, residents: int, rng: random.Random, today: date, stats: CityStats) -> None:
    region = (place.place.code or "520102")[:6]
    people = []
    sizes = [1, 2, 2, 3, 3, 3, 4, 4, 5]
    left = residents
    for index, household in enumerate(place.households):
        size = left if index == len(place.households) - 1 else min(left, rng.choice(sizes))
        path = household.place.path
        for member in range(size):
            number, born, sex = _id_number(rng, region, today)
            phone = _phone(rng) if member == 0 else ""
            people.append(
                Person(
                    name=_name(rng),
                    id_number=number,
                    birth_date=born,
                    sex=sex,
                    phone=phone,
                    phone_last4=phone[-4:],
                    household=household,
                    place_path=path,
                    residency_type="permanent",
                )
            )
        left -= size
        if left <= 0:
            break
    _store(people, stats, "people")
    place.residents = [(p.pk, p.household_id, p.place_path) for p in people]


def _at(day: date, hour: float) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock(0)) + timedelta(hours=hour))


def _gates_and_passages(
    place: Community, days: list[date], rng: random.Random, now: datetime, stats: CityStats, per_day: int = 40
) -> None:
    gates = [Gate(place=compound, place_path=compound.path, name="大门") for compound in place.compounds]
    insert_many(gates)
    place.gates = gates
    stats.count("gates", len(gates))
    by_compound: dict[str, list[int]] = {}
    for household in place.households:
        by_compound.setdefault(household.place.path.rsplit("/b", 1)[0] + "/", []).append(household.pk)

    def passages() -> Iterator[dict[str, Any]]:
        for gate in gates:
            homes = by_compound[gate.place_path]
            for day in days:
                for n in range(per_day):
                    at = _at(day, 6 + 16 * n / per_day + rng.random() * 0.3)
                    if at > now:
                        break
                    roll = rng.random()
                    fever = roll < 0.002
                    refused = fever or roll > 0.99
                    yield {
                        "scanned_at": at,
                        "received_at": at,
                        "gate_id": gate.pk,
                        "place_path": gate.place_path,
                        "client_uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "household_id": rng.choice(homes),
                        "direction": "in" if n % 2 else "out",
                        "temperature": Decimal("37.9") if fever else Decimal(f"36.{rng.randint(0, 8)}"),
                        "allowed": not refused,
                        "reason": "fever" if fever else ("unknown" if refused else "ok"),
                    }

    _copy(Passage, passages(), stats, "passages")


def _monitoring(
    place: Community, days: list[date], officer: User, rng: random.Random, now: datetime, stats: CityStats
) -> None:
    today = days[-1]
    chosen = place.residents[rng.randrange(min(100, len(place.residents))) :: 100] if place.residents else []
    key_persons = [
        KeyPerson(
            person_id=person_id,
            place_path=path,
            reason=rng.choice(("risk_area", "close_contact", "inbound")),
            risk_area=rng.choice(("", "上海市浦东新区", "西安市雁塔区")),
            arrived_on=days[0] - timedelta(days=rng.randint(0, 13)),
            risk_level=rng.choice(("low", "medium", "high")),
            registered_by=officer,
        )
        for person_id, _household, path in chosen
    ]
    for key_person in key_persons:
        key_person.created_at = _at(key_person.arrived_on or days[0], 10)
    insert_many(key_persons, as_given=("created_at",))
    orders = []
    for key_person in key_persons:
        starts = days[0] - timedelta(days=13) + timedelta(days=rng.randint(0, len(days) + 12))
        ends = starts + timedelta(days=14)
        released = ends <= today
        orders.append(
            IsolationOrder(
                key_person=key_person,
                place_path=key_person.place_path,
                kind=rng.choice(("home_isolation", "home_isolation", "home_monitoring")),
                starts_on=starts,
                planned_end_on=ends,
                check_times=["08:00", "20:00"],
                status="released" if released else "active",
                next_due_at=None if released else _at(today, 20),
                ended_at=_at(ends, 10) if released else None,
                ordered_by=officer,
                created_at=_at(starts, 9),
            )
        )
    insert_many(orders, as_given=("created_at",))
    stats.count("key_persons", len(key_persons))
    stats.count("isolation_orders", len(orders))

    def checks() -> Iterator[dict[str, Any]]:
        for order in orders:
            day = max(order.starts_on, days[0])
            last = min(order.planned_end_on, today)
            while day <= last:
                for hour in (8, 20):
                    at = _at(day, hour + rng.random())
                    if at < now and rng.random() < 0.97:
                        yield {
                            "order_id": order.pk,
                            "done_at": at,
                            "method": rng.choice(("phone", "phone", "visit", "self")),
                            "checked_by_id": officer.pk,
                            "reached": True,
                            "temperature": Decimal(f"36.{rng.randint(0, 9)}"),
                        }
                day += timedelta(days=1)

    _copy(HealthCheck, checks(), stats, "health_checks")


CATEGORIES = ("groceries", "groceries", "medicine", "medical_visit", "paperwork", "repairs", "psychological")


def _requests_and_alerts(
    place: Community, days: list[date], rng: random.Random, now: datetime, stats: CityStats
) -> None:
    requests = []
    alerts = []
    for day in days:
        for n in range(5):
            opened = _at(day, 8 + 2 * n + rng.random())
            if opened > now:
                continue
            household = rng.choice(place.households)
            hours = rng.expovariate(1 / 6)
            done = opened + timedelta(hours=hours)
            finished = done < now and rng.random() < 0.9
            requests.append(
                HelpRequest(
                    created_at=opened,
                    household=household,
                    place_path=household.place.path,
                    contact_name=_name(rng)[0] + "*",
                    contact_last4=f"{rng.randint(0, 9999):04d}",
                    category=rng.choice(CATEGORIES),
                    urgency="urgent" if rng.random() < 0.1 else "normal",
                    summary="代购生活物资",
                    status="done" if finished else rng.choice(("new", "assigned", "in_progress")),
                    due_at=opened + timedelta(hours=24),
                    done_at=done if finished else None,
                )
            )
        for n in range(2):
            raised = _at(day, 9 + 6 * n + rng.random())
            if raised > now:
                continue
            closed = n == 0 or day < days[-1]
            alerts.append(
                Alert(
                    kind="city_generated",
                    place=place.place,
                    place_path=place.place.path,
                    severity=rng.choice(("low", "medium", "high")),
                    created_at=raised,
                    status="closed" if closed else "open",
                    closed_at=raised + timedelta(hours=2) if closed else None,
                )
            )
    _store(requests, stats, "help_requests", as_given=("created_at",))
    _store(alerts, stats, "alerts")


SHIFTS = {"gate": [(7, 13), (13, 19)], "sealed_building": [(19, 31)]}  # 19:00 to 07:00 the next day


def _volunteers(
    place: Community, days: list[date], staff: User, rng: random.Random, now: datetime, stats: CityStats
) -> None:
    count = max(2, len(place.residents) // 200)
    volunteers = [
        Volunteer(
            name=_name(rng),
            phone=_phone(rng),
            community=place.place,
            place_path=place.place.path,
            consent_at=_at(days[0], 9),
            status="approved",
            vetted_by=staff,
            vetted_at=_at(days[0], 10),
        )
        for _ in range(count)
    ]
    insert_many(volunteers)
    team = Team(
        name=f"{place.place.name}志愿服务队", kind="volunteer_team", place=place.place, place_path=place.place.path
    )
    insert_many([team])
    posts = [
        Post(place=gate.place, place_path=gate.place_path, name=f"{gate.place.name}大门", duty="gate")
        for gate in place.gates
    ]
    posts.append(
        Post(place=place.compounds[0], place_path=place.compounds[0].path, name="封控楼栋值守", duty="sealed_building")
    )
    for post in posts:
        post.check_token = uuid.UUID(int=rng.getrandbits(128)).hex
    insert_many(posts)
    shifts = [
        Shift(
            post=post,
            place_path=post.place_path,
            start=_at(day, start),
            end=_at(day, end),
            min_people=1,
            max_people=2,
            published=True,
        )
        for post in posts
        for day in days
        for start, end in SHIFTS[post.duty]
    ]
    insert_many(shifts)
    # Two different volunteers a shift, in turn (there are always at least two).
    assignments = []
    for turn, shift in enumerate(shifts):
        for seat in range(2):
            done = shift.end < now and rng.random() < 0.95
            assignments.append(
                Assignment(
                    shift=shift,
                    volunteer=volunteers[(2 * turn + seat) % len(volunteers)],
                    source="roster",
                    created_at=shift.start - timedelta(days=2),
                    checked_in_at=shift.start + timedelta(minutes=rng.randint(-10, 10)) if shift.start < now else None,
                    checked_out_at=shift.end + timedelta(minutes=rng.randint(-5, 15)) if done else None,
                )
            )
    _store(assignments, stats, "assignments", as_given=("created_at",))
    hours = [
        HoursEntry(
            volunteer=a.volunteer,
            assignment=a,
            hours=Decimal(round((a.checked_out_at - a.checked_in_at).total_seconds() / 3600, 1)),
            created_at=a.checked_out_at,
            # As HoursEntry.save() fills them: the shift's post and start, which the proposals read.
            post=a.shift.post,
            shift_start=a.shift.start,
        )
        for a in assignments
        if a.checked_out_at and a.checked_in_at
    ]
    _store(hours, stats, "hours", as_given=("created_at",))
    stats.count("volunteers", len(volunteers))
    stats.count("shifts", len(shifts))


def _testing(
    place: Community, days: list[date], staff: User, rng: random.Random, now: datetime, stats: CityStats
) -> None:
    pool = 10
    for start in days[::10]:
        test_round = Round(
            place=place.place,
            place_path=place.place.path,
            name=f"{place.place.name}{start:%m月%d日}核酸筛查",
            pool_size=pool,
            starts_on=start,
            ends_on=start + timedelta(days=1),
            status="closed" if start + timedelta(days=1) < days[-1] else "open",
            created_by=staff,
            created_at=_at(start - timedelta(days=1), 15),
        )
        insert_many([test_round], as_given=("created_at",))
        sampled = [r for r in place.residents if rng.random() < 0.92]
        tubes = []
        samples: list[tuple[Tube, tuple[int, int, str], datetime]] = []
        for t in range(0, len(sampled), pool):
            members = sampled[t : t + pool]
            taken = _at(start, 8 + 8 * t / max(1, len(sampled)))
            if taken > now:
                break
            positive = rng.random() < 0.0005
            tube = Tube(
                round=test_round,
                barcode=f"{place.place.code}{start:%y%m%d}{t // pool:05d}",
                capacity=pool,
                filled=len(members),
                place_path=members[0][2],
                opened_at=taken,
                result="positive" if positive else "negative",
                result_at=taken + timedelta(hours=10) if taken + timedelta(hours=10) < now else None,
            )
            if tube.result_at is None:
                tube.result = "pending"
            tubes.append(tube)
            samples += [(tube, member, taken) for member in members]
        insert_many(tubes, as_given=("opened_at",))
        _copy(
            Sample,
            (
                {
                    "round_id": test_round.pk,
                    "tube_id": tube.pk,
                    "person_id": person_id,
                    "household_id": household_id,
                    "place_path": path,
                    "taken_at": taken,
                    "taken_by_id": staff.pk,
                }
                for tube, (person_id, household_id, path), taken in samples
            ),
            stats,
            "samples",
        )
        recalls = [
            Recall(
                round=test_round,
                person_id=person_id,
                household_id=household_id,
                place_path=path,
                tube=tube,
                created_at=tube.result_at or taken,
            )
            for tube, (person_id, household_id, path), taken in samples
            if tube.result == "positive"
        ]
        insert_many(recalls, as_given=("created_at",))
        stats.count("rounds", 1)
        stats.count("tubes", len(tubes))
        stats.count("recalls", len(recalls))


ITEMS = [
    ("医用外科口罩", "mask", "只", 50),
    ("一次性医用手套", "gloves", "副", 100),
    ("84消毒液", "disinfectant", "瓶", 12),
]


def _items() -> list[Item]:
    made = []
    for name, kind, unit, pack in ITEMS:
        item, _created = Item.objects.get_or_create(
            name=name, defaults={"kind": kind, "unit": unit, "pack_size": pack, "counted": True}
        )
        made.append(item)
    return made


def _supplies(
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
            created_at=min(now, _at(day, 9 if kind == "received" else 17)),
        )
        for lot, day, quantity, kind in entries
    ]
    _store(made, stats, "ledger_entries", as_given=("created_at",))
    stats.count("stores", 1)


def _balances() -> None:
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


def _notices(place: Community, days: list[date], staff: User, rng: random.Random, stats: CityStats) -> None:
    for day in days[::15]:
        notice = Notice(
            place=place.place,
            place_path=place.place.path,
            title=f"关于{day:%m月%d日}开展全员核酸检测的通知",
            body="请各位居民按时到采样点检测，带好身份证，戴好口罩，保持一米间距。",
            valid_from=day,
            valid_to=day + timedelta(days=3),
            status="sent",
            created_by=staff,
            sent_at=_at(day, 9),
            recipient_count=len(place.households),
            created_at=_at(day, 8),
        )
        insert_many([notice], as_given=("created_at",))
        reaches = (
            {
                "notice_id": notice.pk,
                "household_id": household.pk,
                "building_id": household.place_id,
                "place_path": household.place.path,
                "acknowledged_at": _at(day, 12) if rng.random() < 0.3 else None,
                "visited_at": _at(day, 15) if rng.random() < 0.05 else None,
                "created_at": _at(day, 9),
                "updated_at": _at(day, 9),
            }
            for household in place.households
        )
        _copy(Reach, reaches, stats, "notice_reach")
        stats.count("notices", 1)


def generate_city(
    *,
    communities: int,
    residents: int,
    days: int,
    seed: int,
    snapshots: bool = True,
    log: Callable[[str], None] = print,
) -> CityStats:
    """Build the district (see the module's doc). `residents` is the total, spread evenly."""
    stats = CityStats()
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    day_list = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]

    def part(name: str) -> Any:
        class Timer:
            def __enter__(self) -> None:
                self.began = time.perf_counter()

            def __exit__(self, *exc: object) -> None:
                stats.seconds[name] = stats.seconds.get(name, 0.0) + time.perf_counter() - self.began

        return Timer()

    with part("divisions"):
        codes = _divisions(communities)
        places = list(Place.objects.filter(code__in=codes).select_related("parent").order_by("code"))
        city = Place.objects.get(code="5201")
    admin, _created = User.objects.get_or_create(username="city_admin")
    if _created:
        admin.set_password(f"city-{seed}-admin")
        admin.save()
        role_grant(actor=None, user=admin, role=Role.DISTRICT_ADMIN, place=city)
    for spec in partitions.tables():  # the passage log's and the health checks' months
        if partitions.is_partitioned(spec):
            partitions.ensure_partitions(spec, now=now)
    items = _items()
    share, extra = divmod(residents, len(places))
    for index, community in enumerate(places):
        with transaction.atomic():
            with part("places"):
                made = _places(community, share + (index < extra), rng, stats)
                for household in made.households:
                    household.place = made.buildings[made.buildings.index(household.place)]
            with part("people"):
                _people(made, share + (index < extra), rng, today, stats)
            with part("checkpoints"):
                _gates_and_passages(made, day_list, rng, now, stats)
            with part("monitoring"):
                _monitoring(made, day_list, admin, rng, now, stats)
            with part("assistance"):
                _requests_and_alerts(made, day_list, rng, now, stats)
            with part("volunteers"):
                _volunteers(made, day_list, admin, rng, now, stats)
            with part("testing"):
                _testing(made, day_list, admin, rng, now, stats)
            with part("supplies"):
                _supplies(made, day_list, items, rng, now, stats)
            with part("notices"):
                _notices(made, day_list, admin, rng, stats)
        if (index + 1) % 10 == 0 or index + 1 == len(places):
            log(f"{index + 1}/{len(places)} communities, {stats.rows.get('people', 0):,} residents")
    with part("supplies"):
        _balances()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if snapshots:
        with part("snapshots"):
            for day in day_list:
                stats.count("snapshots", snapshot_day(day=day, within=city))
    return stats
