"""How passages are stored: plain rows, COPY on PostgreSQL."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection

from tongzhou.checkpoints.models import (
    Passage,
    PassageReplay,
)

PASSAGE_COLUMNS = (
    "id",
    "scanned_at",
    "received_at",
    "gate_id",
    "place_path",
    "client_uuid",
    "pass_ref_id",
    "household_id",
    "direction",
    "temperature",
    "allowed",
    "reason",
    "level",
    "offline_allowed",
    "clock_skew",
    "visitor",
    "scanned_by_id",
    "device_id",
)


@dataclass(slots=True)
class NewPassage:
    """A passage about to be stored: the columns as plain values (a model instance per row costs
    more than deciding the passage)."""

    id: int | None
    scanned_at: datetime
    received_at: datetime
    gate_id: int
    place_path: str
    client_uuid: uuid.UUID
    pass_ref_id: int | None
    household_id: int | None
    direction: str
    temperature: Decimal | None
    allowed: bool
    reason: str
    level: str
    offline_allowed: bool | None
    clock_skew: bool
    visitor: bool
    scanned_by_id: int | None
    device_id: int | None


def _insert_passages(rows: list[NewPassage]) -> None:
    """Stores new passages and sets their ids. On PostgreSQL: ids from the sequence, then COPY with
    the values as they are (plain Python types, adapted by psycopg), which keeps a batch of 10,000
    well under a second; elsewhere bulk_create."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        stored = Passage.objects.bulk_create(
            [Passage(**{column: getattr(p, column) for column in PASSAGE_COLUMNS[1:]}) for p in rows],
            batch_size=1000,
        )
        for row, passage in zip(rows, stored, strict=True):
            row.id = passage.pk
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('checkpoints_passage_id_seq') FROM generate_series(1, %s)", [len(rows)])
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.id = pk
        with cursor.copy(f"COPY checkpoints_passage ({', '.join(PASSAGE_COLUMNS)}) FROM STDIN") as copy:
            for p in rows:
                copy.write_row(tuple(getattr(p, column) for column in PASSAGE_COLUMNS))


REPLAY_COLUMNS = ("passage_id", "gate_id", "client_uuid", "allowed", "reason", "received_at")


def _insert_replays(rows: list[NewPassage]) -> None:
    """Stores the gate's first answer to each stored passage's client_uuid (PassageReplay): COPY on
    PostgreSQL, bulk_create elsewhere. A client_uuid the gate answered already breaks the unique
    key (IntegrityError)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        replays = []
        for p in rows:
            assert p.id is not None  # stored by _insert_passages
            replays.append(
                PassageReplay(
                    passage_id=p.id,
                    gate_id=p.gate_id,
                    client_uuid=p.client_uuid,
                    allowed=p.allowed,
                    reason=p.reason,
                    received_at=p.received_at,
                )
            )
        PassageReplay.objects.bulk_create(replays, batch_size=1000)
        return
    sql = f"COPY checkpoints_passagereplay ({', '.join(REPLAY_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for p in rows:
            copy.write_row((p.id, p.gate_id, p.client_uuid, p.allowed, p.reason, p.received_at))
