"""The residents: fake names, valid ID card numbers, a phone per household head. On PostgreSQL
they go in as rows by COPY, their numbers sealed (encrypted, blind-indexed) in a pool of processes
exactly as EncryptedField seals them; elsewhere through the model."""

import random
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection

from tongzhou.core import pii
from tongzhou.core.bulk import insert_rows
from tongzhou.people.idnumbers import check_digit
from tongzhou.people.models import Person
from tongzhou.scale.common import BATCH, CityStats, Community, fake_name, fake_phone, store

SEAL_CHUNK = 2_000


def fake_id_number(rng: random.Random, region: str, today: date) -> tuple[str, date, str]:
    born = today - timedelta(days=rng.randint(365, 90 * 365))
    serial = rng.randint(0, 999)
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + check_digit(first17), born, "M" if serial % 2 else "F"


def _sealed(values: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """(id number, phone) -> their tokens and blind indexes, as EncryptedField writes them."""
    fernet = pii._configured()[0]
    seal = fernet.encrypt

    def one(value: str) -> tuple[str, str]:
        return (seal(value.encode()).decode(), pii.blind_index(value)) if value else ("", "")

    return [(*one(number), *one(phone)) for number, phone in values]


def _seal_all(values: list[tuple[str, str]], pool: Any) -> list[tuple[str, str, str, str]]:
    if pool is None or len(values) < 2 * SEAL_CHUNK:
        return _sealed(values)
    chunks = [values[n : n + SEAL_CHUNK] for n in range(0, len(values), SEAL_CHUNK)]
    return [row for chunk in pool.map(_sealed, chunks) for row in chunk]


def people(
    place: Community, residents: int, rng: random.Random, today: date, now: datetime, stats: CityStats, pool: Any
) -> None:
    """The residents, written as rows (COPY on PostgreSQL) with their numbers sealed in a pool of
    processes: the encryption is most of the cost of a resident."""
    region = (place.place.code or "520102")[:6]
    people: list[tuple[str, date, str, str, int, str]] = []
    plain: list[tuple[str, str]] = []
    sizes = [1, 2, 2, 3, 3, 3, 4, 4, 5]
    left = residents
    for index, household in enumerate(place.households):
        size = left if index == len(place.households) - 1 else min(left, rng.choice(sizes))
        path = household.place.path
        for member in range(size):
            number, born, sex = fake_id_number(rng, region, today)
            phone = fake_phone(rng) if member == 0 else ""
            plain.append((number, phone))
            people.append((fake_name(rng), born, sex, phone[-4:], household.pk, path))
        left -= size
        if left <= 0:
            break
    if connection.vendor != "postgresql":
        # Elsewhere through the model, which seals the numbers itself (small sizes: the tests).
        made = [
            Person(name=name, id_number=number, birth_date=born, sex=sex, phone=phone, phone_last4=last4)
            for (name, born, sex, last4, _h, _p), (number, phone) in zip(people, plain, strict=True)
        ]
        for person, (_n, _b, _s, _l, household_id, path) in zip(made, people, strict=True):
            person.household_id, person.place_path, person.residency_type = household_id, path, "permanent"
        store(made, stats, "people")
        place.residents = [(p.pk, p.household_id, p.place_path) for p in made]
        place.heads = [
            (p.household_id, p.name, p.phone, pii.encrypt(p.phone), pii.blind_index(p.phone)) for p in made if p.phone
        ]
        return
    sealed = _seal_all(plain, pool)
    columns = [*("name", "id_type", "id_number", "id_index", "birth_date", "sex", "phone", "phone_index")]
    columns += ("phone_last4", "household_id", "place_path", "residency_type", "notes", "created_at", "updated_at")
    ids: list[int] = []
    for start in range(0, len(people), BATCH):
        ids += insert_rows(
            Person,
            columns,
            [
                (
                    *(name, "id_card", number, number_index, born, sex, phone, phone_index),
                    *(last4, household_id, path, "permanent", "", now, now),
                )
                for (name, born, sex, last4, household_id, path), (number, number_index, phone, phone_index) in zip(
                    people[start : start + BATCH], sealed[start : start + BATCH], strict=True
                )
            ],
        )
    stats.count("people", len(people))
    place.residents = [(pk, row[4], row[5]) for pk, row in zip(ids, people, strict=True)]
    place.heads = [
        (row[4], row[0], phone, token, index)
        for row, (_n, phone), (_t, _i, token, index) in zip(people, plain, sealed, strict=True)
        if phone
    ]
