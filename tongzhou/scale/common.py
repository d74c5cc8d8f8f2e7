"""What every part of `generate_city` shares: the figures it keeps, a community being built, the
writers (COPY on PostgreSQL) and the fake names, numbers and clocks."""

import json
import random
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from tongzhou.core.bulk import insert_many, insert_rows
from tongzhou.places.models import Household, Place

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

    def merge(self, other: "CityStats") -> None:
        for name, n in other.rows.items():
            self.count(name, n)
        for name, seconds in other.seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds


@contextmanager
def timed(stats: CityStats, name: str) -> Iterator[None]:
    began = time.perf_counter()
    try:
        yield
    finally:
        stats.seconds[name] = stats.seconds.get(name, 0.0) + time.perf_counter() - began


@dataclass
class Community:
    place: Place
    street: Place
    compounds: list[Place]
    buildings: list[Place]
    households: list[Household]
    # (person id, household id, place path) of its residents, in order.
    residents: list[tuple[int, int, str]] = field(default_factory=list)
    # (household id, name, phone, its token, its blind index) of each household's head, the
    # resident with the phone: whom the texts go to.
    heads: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    gates: list[Any] = field(default_factory=list)
    volunteers: list[Any] = field(default_factory=list)


def batched(rows: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def store(rows: Iterable[Model], stats: CityStats, name: str, as_given: tuple[str, ...] = ()) -> None:
    """Model instances through the ORM's field preparation (`insert_many`), for the few rows that
    need it (encrypted fields on SQLite, objects later parts refer to)."""
    for chunk in batched(rows):
        insert_many(chunk, batch_size=2000, as_given=as_given)
        stats.count(name, len(chunk))


def write(model: type[Model], rows: Iterable[dict[str, Any]], stats: CityStats, name: str) -> list[int]:
    """Store plain rows (attribute -> value) without a model instance each: `insert_rows` (COPY on
    PostgreSQL). Columns a row leaves out take their field's default; JSON goes in as its text.
    Returns the new ids in order. No encrypted field may be given in clear: pass its token."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [f.attname for f in fields]
    postgres = connection.vendor == "postgresql"
    json_columns = [f.attname for f in fields if f.get_internal_type() == "JSONField"] if postgres else []
    constant = {f.attname: f.get_default() for f in fields if not callable(f.default)}
    made = [f for f in fields if callable(f.default)]
    pick = itemgetter(*columns)

    def value(row: dict[str, Any]) -> tuple[Any, ...]:
        merged = {**constant, **row}
        for f in made:
            if f.attname not in row:
                merged[f.attname] = f.get_default()
        for column in json_columns:
            merged[column] = json.dumps(merged[column])
        return pick(merged) if len(columns) > 1 else (pick(merged),)

    ids: list[int] = []
    for chunk in batched(rows):
        ids += insert_rows(model, columns, [value(row) for row in chunk])
        stats.count(name, len(chunk))
    return ids


@lru_cache(maxsize=1024)
def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock(0)))


def when(day: date, hour: float) -> datetime:
    """`hour` hours after the local midnight starting `day` (the zone has no summer time)."""
    return _midnight(day) + timedelta(hours=hour)


def fake_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def fake_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
