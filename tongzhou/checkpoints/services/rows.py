"""How passages are stored: plain rows, COPY on PostgreSQL (core/bulk)."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tongzhou.checkpoints.models import (
    Passage,
    PassageReplay,
)
from tongzhou.core.bulk import insert_rows

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
    """Stores new passages and sets their ids: COPY with the values as they are (plain Python types;
    ids from the sequence first) on PostgreSQL, which keeps a batch of 10,000 well under a second;
    bulk_create elsewhere."""
    columns = PASSAGE_COLUMNS[1:]
    ids = insert_rows(Passage, columns, [tuple(getattr(p, column) for column in columns) for p in rows])
    for row, pk in zip(rows, ids, strict=True):
        row.id = pk


REPLAY_COLUMNS = ("passage_id", "gate_id", "client_uuid", "allowed", "reason", "received_at")


def _insert_replays(rows: list[NewPassage]) -> None:
    """Stores the gate's first answer to each stored passage's client_uuid (PassageReplay). A
    client_uuid the gate answered already breaks the unique key (IntegrityError)."""
    insert_rows(
        PassageReplay,
        REPLAY_COLUMNS,
        [(p.id, p.gate_id, p.client_uuid, p.allowed, p.reason, p.received_at) for p in rows],
    )


@dataclass(frozen=True, slots=True)
class ScanGate:
    """What a scan needs of its gate, read with the device (building a model instance costs a
    scan more than deciding it)."""

    pk: int
    place_id: int
    place_path: str
    name: str


@dataclass(frozen=True, slots=True)
class ScanDevice:
    """What a scan needs of the device that sent it."""

    pk: int
    last_seen_at: datetime | None
