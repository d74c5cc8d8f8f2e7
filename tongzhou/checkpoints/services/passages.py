"""One scan at a gate: parsing it, the rules' answer, and storing it (browser or device)."""

import contextlib
import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.checkpoints.models import (
    LEVEL_RANK,
    ControlLevel,
    Direction,
    Gate,
    GateDevice,
    Passage,
    PassageReplay,
    PassStatus,
    Reason,
)
from tongzhou.checkpoints.rules import Facts, decide
from tongzhou.checkpoints.services.fevers import _raise_fever_alerts
from tongzhou.checkpoints.services.rows import PASSAGE_COLUMNS, REPLAY_COLUMNS, NewPassage, ScanDevice, ScanGate
from tongzhou.checkpoints.tokens import read_token
from tongzhou.core.tokens import token_digest
from tongzhou.people.outings import households_kept_home

TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))


DIRECTIONS = frozenset(Direction.values)


@dataclass(frozen=True)
class PassageItem:
    client_uuid: uuid.UUID
    direction: str
    scanned_at: datetime
    temperature: Decimal | None = None
    pass_token: str | None = None
    pass_id: int | None = None
    offline_allowed: bool | None = None


@dataclass(frozen=True)
class PassageResult:
    client_uuid: str
    allowed: bool
    reason: str
    passage_id: int | None
    replayed: bool = False
    subject: str = ""
    error: str = ""


def parse_item(data: Any) -> PassageItem:
    """One passage as a device sends it; a ValidationError names the bad field."""
    if not isinstance(data, dict):
        raise ValidationError({"item": _("Each item is a JSON object.")})
    errors: dict[str, str] = {}
    try:
        client_uuid = uuid.UUID(str(data.get("client_uuid", "")))
    except ValueError:
        errors["client_uuid"] = _("A UUID is required.")
    direction = data.get("direction")
    if direction not in DIRECTIONS:
        errors["direction"] = _("Either in or out.")
    raw_time = data.get("scanned_at")
    scanned_at = parse_datetime(raw_time) if isinstance(raw_time, str) else None
    if scanned_at is None:
        errors["scanned_at"] = _("An ISO-8601 date and time is required.")
    elif timezone.is_naive(scanned_at):
        scanned_at = timezone.make_aware(scanned_at)
    temperature = None
    if data.get("temperature") is not None:
        try:
            temperature = Decimal(str(data["temperature"])).quantize(Decimal("0.1"))
            if not TEMPERATURE_RANGE[0] <= temperature <= TEMPERATURE_RANGE[1]:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["temperature"] = _("A body temperature between 34.0 and 43.0 °C.")
    token = data.get("pass_token")
    pass_id = data.get("pass_id")
    if not (isinstance(token, str) and token) and not isinstance(pass_id, int):
        errors["pass_token"] = _("A pass token (or pass id) is required.")
    offline = data.get("offline_allowed")
    if errors:
        raise ValidationError(errors)
    return PassageItem(
        client_uuid=client_uuid,
        direction=str(direction),
        scanned_at=scanned_at,  # type: ignore[arg-type]
        temperature=temperature,
        pass_token=token if isinstance(token, str) and token else None,
        pass_id=pass_id if isinstance(pass_id, int) and not isinstance(pass_id, bool) else None,
        offline_allowed=offline if isinstance(offline, bool) else None,
    )


def _day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    day = timezone.localtime(moment).date()
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


_HOLDER_AND_LEVEL_SQL = """
SELECT p.id, p.household_id, p.place_path, p.label, p.status, p.valid_until,
       (SELECT max(CASE c.level WHEN 'sealed' THEN 3 WHEN 'controlled' THEN 2 WHEN 'precaution' THEN 1 ELSE 0 END)
          FROM checkpoints_placecontrol c
         WHERE c.place_path <= p.place_path AND substr(p.place_path, 1, length(c.place_path)) = c.place_path)
  FROM checkpoints_pass p
 WHERE {where}
"""


_RANK_LEVEL = {rank: level for level, rank in LEVEL_RANK.items()}


_NO_HOLDER = (None, None, "", "", "", None, 0)


# A device's scan in one round trip: the device bound to the gate, and the holder with the level.
_DEVICE_SCAN_SQL = f"""
SELECT g.id, g.place_id, g.place_path, g.name, d.id, d.last_seen_at, h.*
  FROM checkpoints_gate g
  JOIN checkpoints_gatedevice_gates m ON m.gate_id = g.id
  JOIN checkpoints_gatedevice d ON d.id = m.gatedevice_id
  LEFT JOIN ({_HOLDER_AND_LEVEL_SQL.format(where="{where}")}) h ON 1 = 1
 WHERE g.id = %s AND d.digest = %s AND d.active
"""  # noqa: S608 (constants only)


def outings_between(low: datetime, high: datetime) -> QuerySet[Passage]:
    """Residents' allowed outings (out, not visitors) scanned in [low, high): what the daily
    outing limit of a controlled place counts."""
    return Passage.objects.filter(
        scanned_at__gte=low, scanned_at__lt=high, direction=Direction.OUT, allowed=True, visitor=False
    )


def _fetch_one_prepared(sql: str, params: Sequence[Any]) -> Any:
    """The first row of a statement of the scan's hot path. On PostgreSQL, through a cursor with
    server-side binding and a prepared statement, so each connection plans the statement once,
    not on every scan (Django's own cursors bind on the client and plan every time). Same
    connection, so Django's transactions hold; errors are wrapped as Django's."""
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            with psycopg.Cursor(connection.connection) as cursor:
                cursor.execute(sql, params, prepare=True)
                return cursor.fetchone()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()


def _holder_where(item: PassageItem) -> tuple[bool, str, list[Any]]:
    """(genuine token, SQL condition, its parameters) finding the item's pass."""
    if item.pass_token is not None:
        nonce = read_token(item.pass_token)
        return nonce is not None, "p.nonce = %s", [nonce]
    return True, "p.id = %s", [item.pass_id]


@dataclass(frozen=True)
class DeviceScan:
    """What a device's scan found in its one query: the gate, the device bound to it, and the
    holder (genuine token, the pass's row with the level over it, or None)."""

    gate: ScanGate
    device: ScanDevice
    holder: tuple[bool, Sequence[Any] | None]


def device_scan_find(*, raw: str, gate_id: int, item: PassageItem) -> DeviceScan | None:
    """A gate device's scan, read only: checks the device against the gate and finds the pass in
    one query. None if the device is not bound to the gate (or not active)."""
    genuine, where, params = _holder_where(item)
    row = _fetch_one_prepared(_DEVICE_SCAN_SQL.format(where=where), [*params, gate_id, token_digest(raw)])
    if row is None:
        return None
    gate_pk, place_id, place_path, name, device_pk, last_seen = row[:6]
    if last_seen is not None and timezone.is_naive(last_seen):  # SQLite hands back naive UTC
        last_seen = timezone.make_aware(last_seen, UTC)
    holder = row[6:] if row[6] is not None else None
    return DeviceScan(
        ScanGate(gate_pk, place_id, place_path, name), ScanDevice(device_pk, last_seen), (genuine, holder)
    )


def device_passage_record(*, found: DeviceScan, item: PassageItem) -> PassageResult:
    """A gate device's scan once `device_scan_find` found it: decides and stores as
    `passage_record_one`."""
    return passage_record_one(gate=found.gate, item=item, device=found.device, holder=found.holder)


def passage_record_one(
    *,
    gate: Gate | ScanGate,
    item: PassageItem,
    actor: User | None = None,
    device: GateDevice | ScanDevice | None = None,
    holder: tuple[bool, Sequence[Any] | None] | None = None,
) -> PassageResult:
    """One scan, the hot path of a gate: the same rules and answers as `passages_record`, in three
    round trips to the database in the usual case (the device and gate, the pass with the level
    in force over it, the insert), where the replay check is the unique key itself."""
    now = timezone.now()
    skew = timedelta(seconds=settings.TONGZHOU_CLOCK_SKEW_SECONDS)
    clock_skew = item.scanned_at > now + skew
    when = now if clock_skew else item.scanned_at
    if holder is None:  # `holder`: found already, with the device (device_scan_find)
        genuine, where, params = _holder_where(item)
        holder = (genuine, _fetch_one_prepared(_HOLDER_AND_LEVEL_SQL.format(where=where), params))
    genuine, row = holder
    pass_id, household_id, path, label, status, valid_until, rank = row or _NO_HOLDER
    if valid_until is not None and timezone.is_naive(valid_until):  # SQLite hands back naive UTC
        valid_until = timezone.make_aware(valid_until, UTC)
    level = _RANK_LEVEL[rank or 0]
    in_compound = row is not None and path.startswith(gate.place_path)
    used = 0
    kept_home = False
    if in_compound and household_id is not None and item.direction == Direction.OUT and level != ControlLevel.SEALED:
        # Going out: may this household go out (one rule, fed by every module)? Coming home needs
        # no such question, so a scan in costs no extra round trip.
        kept_home = bool(households_kept_home({household_id}, timezone.localtime(when).date()))
        if level == ControlLevel.CONTROLLED and not kept_home:
            low, high = _day_bounds(when)
            used = outings_between(low, high).filter(household_id=household_id).count()
    reason = decide(
        Facts(
            direction=item.direction,
            temperature=item.temperature,
            fever_from=Decimal(str(settings.TONGZHOU_FEVER_CELSIUS)),
            when=when,
            token_genuine=genuine,
            pass_found=row is not None,
            in_compound=in_compound,
            pass_status=status or PassStatus.ACTIVE,
            valid_until=valid_until,
            level=level,
            outings_used=used,
            outings_per_day=settings.TONGZHOU_OUTINGS_PER_DAY,
            kept_home=kept_home,
        )
    )
    new = NewPassage(
        id=None,
        scanned_at=item.scanned_at,
        received_at=now,
        gate_id=gate.pk,
        place_path=gate.place_path,
        client_uuid=item.client_uuid,
        pass_ref_id=pass_id if in_compound else None,
        household_id=household_id if in_compound else None,
        direction=item.direction,
        temperature=item.temperature,
        allowed=reason == Reason.OK,
        reason=reason,
        level=level,
        offline_allowed=item.offline_allowed,
        clock_skew=clock_skew,
        visitor=False,
        scanned_by_id=actor.pk if actor else None,
        device_id=device.pk if device else None,
    )
    subject = label if in_compound else ""
    # With a fever, the passage and its alert go in together; otherwise the one statement of
    # PostgreSQL needs no transaction of its own.
    with (
        transaction.atomic()
        if reason == Reason.FEVER or connection.vendor != "postgresql"
        else contextlib.nullcontext()
    ):
        first = _store_once(new)
        if first is not None:  # this gate answered this client_uuid before: answer as then
            return first
        if reason == Reason.FEVER:
            _raise_fever_alerts(gate, [(new, subject)])
    return PassageResult(str(item.client_uuid), new.allowed, reason, new.id, subject=subject)


@functools.cache
def _store_sql(vendor: str) -> str:
    """PostgreSQL: one statement claims the client_uuid at the gate (the replay table, with the
    passage's id drawn from its sequence) and stores the passage only if the claim was new; it
    answers (claimed id, stored id). Elsewhere: the passage's insert alone."""
    columns = ", ".join(PASSAGE_COLUMNS[1:])
    if vendor != "postgresql":
        return (
            f"INSERT INTO checkpoints_passage ({columns}) "  # noqa: S608 (constants only)
            f"VALUES ({', '.join(['%s'] * len(PASSAGE_COLUMNS[1:]))}) "
            "ON CONFLICT (client_uuid, scanned_at) DO NOTHING RETURNING id"
        )
    fields = {field.column: field for field in Passage._meta.concrete_fields}
    casts = ", ".join(f"%s::{fields[column].db_type(connection)}" for column in PASSAGE_COLUMNS[1:])
    return (
        "WITH claim AS ("  # noqa: S608 (constants only)
        f" INSERT INTO checkpoints_passagereplay ({', '.join(REPLAY_COLUMNS)})"
        " VALUES (nextval('checkpoints_passage_id_seq'), %s, %s, %s, %s, %s)"
        " ON CONFLICT (gate_id, client_uuid) DO NOTHING RETURNING passage_id"
        "), stored AS ("
        f" INSERT INTO checkpoints_passage (id, {columns}) SELECT passage_id, {casts} FROM claim"
        " ON CONFLICT (client_uuid, scanned_at) DO NOTHING RETURNING id"
        ") SELECT (SELECT passage_id FROM claim), (SELECT id FROM stored)"
    )


def _replayed(gate_id: int, client_uuid: uuid.UUID) -> PassageResult | None:
    first = PassageReplay.objects.filter(gate_id=gate_id, client_uuid=client_uuid).first()
    if first is None:
        return None
    return PassageResult(str(client_uuid), first.allowed, first.reason, first.passage_id, replayed=True)


def _stored_before(new: NewPassage) -> PassageResult:
    """A passage with this client_uuid and scanned_at is stored (from before the replay table, or
    its replay row is past keeping): answer as then."""
    old = Passage.objects.filter(client_uuid=new.client_uuid, scanned_at=new.scanned_at).get()
    return PassageResult(str(new.client_uuid), old.allowed, old.reason, old.pk, replayed=True)


def _store_once(new: NewPassage) -> PassageResult | None:
    """Stores the passage and the gate's answer to its client_uuid, and sets `new.id`; or, when
    the gate answered this client_uuid before (whatever the scanned_at), stores nothing and
    returns that first answer. On PostgreSQL one round trip; a concurrent twin waits on the
    replay table's unique key and then answers as a replay."""
    values = [getattr(new, column) for column in PASSAGE_COLUMNS[1:]]
    if connection.vendor == "postgresql":
        claim = [new.gate_id, new.client_uuid, new.allowed, new.reason, new.received_at]
        claimed, stored = _fetch_one_prepared(_store_sql("postgresql"), [*claim, *values])
        if stored is not None:
            new.id = stored
            return None
        if claimed is None:
            first = _replayed(new.gate_id, new.client_uuid)
            assert first is not None  # the claim lost to a stored row
            return first
        PassageReplay.objects.filter(pk=claimed).delete()
        return _stored_before(new)
    # SQLite (in a transaction, see above): psycopg adapts plain values, SQLite wants Django's.
    first = _replayed(new.gate_id, new.client_uuid)
    if first is not None:
        return first
    fields = {field.column: field for field in Passage._meta.concrete_fields}
    values = [
        fields[column].get_db_prep_save(value, connection)
        for column, value in zip(PASSAGE_COLUMNS[1:], values, strict=True)
    ]
    inserted = _fetch_one_prepared(_store_sql(connection.vendor), values)
    if inserted is None:
        return _stored_before(new)
    new.id = inserted[0]
    PassageReplay.objects.create(
        passage_id=new.id,
        gate_id=new.gate_id,
        client_uuid=new.client_uuid,
        allowed=new.allowed,
        reason=new.reason,
        received_at=new.received_at,
    )
    return None
