"""Every write of closed management: control levels (sealing and unsealing wait for a second
person), gates, passes and gate devices, passages at the gate, fever alerts and visitors.

Passages come one at a time (a guard's scan) or in batches of up to 10,000 (a device or the scan
page coming back online); both go through `passages_record`, which is idempotent on the device's
`client_uuid`: a replay answers what the first one answered and writes nothing, and a batch is
stored whole or not at all, so a sync cut off halfway is simply sent again.
"""

import contextlib
import hashlib
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import users_with_perm_over
from tongzhou.alerts.services import NewAlert, alerts_raise
from tongzhou.checkpoints.alert_kinds import FEVER, SUBJECT, once_key
from tongzhou.checkpoints.audit import CheckpointsAudit
from tongzhou.checkpoints.models import (
    LEVEL_RANK,
    ChangeStatus,
    ControlChange,
    ControlLevel,
    Direction,
    Gate,
    GateDevice,
    Pass,
    Passage,
    PassStatus,
    PlaceControl,
    Reason,
    Visitor,
)
from tongzhou.checkpoints.rules import Facts, decide, decide_visitor
from tongzhou.checkpoints.tokens import make_token, new_nonce, read_token, token_digest
from tongzhou.core import transitions
from tongzhou.core.access import require
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.pii import mask_name
from tongzhou.core.scope import ancestor_paths, subtree_q
from tongzhou.core.services import audit_log
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.volunteers.models import Duty, Post

CONTROLLABLE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))
DIRECTIONS = frozenset(Direction.values)
DEVICE_TOKEN_PREFIX = "gd_"  # noqa: S105 (a prefix, not a secret)


def _text(value: str, field: str, errors: dict[str, str], *, required: bool = True, limit: int = 2000) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(n)d characters.") % {"n": limit}
    return value


# --- control levels ---------------------------------------------------------------------------


def effective_levels(paths: Iterable[str]) -> dict[str, str]:
    """The level in force at each path: the strictest level set on it or on any place above it."""
    paths = set(paths)
    wanted = {ancestor for path in paths for ancestor in ancestor_paths(path)}
    if not wanted:
        return {}
    set_levels = dict(PlaceControl.objects.filter(place_path__in=wanted).values_list("place_path", "level"))
    result = {}
    for path in paths:
        levels = [set_levels[a] for a in ancestor_paths(path) if a in set_levels]
        result[path] = max(levels, key=lambda level: LEVEL_RANK[ControlLevel(level)], default=ControlLevel.NONE)
    return result


def control_request(
    *,
    actor: User,
    place: Place,
    level: str,
    reason: str,
    evidence: str = "",
    planned_end: datetime | None = None,
) -> ControlChange:
    """Asks for a new level. Sealing and unsealing wait for a second person's approval and change
    nothing until then; the other changes take effect at once. Either way it is in the history."""
    require(actor, Perm.CONTROL_SET, place.path)
    errors: dict[str, str] = {}
    if place.kind not in CONTROLLABLE_KINDS:
        errors["place"] = _("Control levels are set on a community, grid, compound or building.")
    if level not in ControlLevel.values:
        errors["level"] = _("Choose a level.")
    reason = _text(reason, "reason", errors)
    evidence = _text(evidence, "evidence", errors, required=False)
    if planned_end is not None and planned_end <= timezone.now():
        errors["planned_end"] = _("The planned end must be in the future.")
    with transaction.atomic():
        current = PlaceControl.objects.select_for_update().filter(place=place).first()
        previous = current.level if current else ControlLevel.NONE
        if level == previous:
            errors["level"] = _("The place is at this level already.")
        if ControlChange.objects.filter(place=place, status=ChangeStatus.PENDING).exists():
            errors["level"] = _("A change of this place is waiting for approval; decide it first.")
        if errors:
            raise ValidationError(errors)
        change = ControlChange(
            place=place,
            place_path=place.path,
            previous_level=previous,
            level=level,
            reason=reason,
            evidence=evidence,
            planned_end=planned_end,
            requested_by=actor,
        )
        change.status = ChangeStatus.PENDING if change.needs_approval else ChangeStatus.APPROVED
        change.save()
        if not change.needs_approval:
            _apply(change)
        audit_log(
            action=CheckpointsAudit.CONTROL_CHANGED,
            actor=actor,
            obj=place,
            place_path=place.path,
            details={"change": change.pk, "from": previous, "to": level, "status": change.status},
        )
    return change


def control_decide(*, actor: User, change: ControlChange, approve: bool, note: str = "") -> ControlChange:
    """The second person approves or rejects sealing or unsealing; never the one who asked
    (`core.transitions.decide`: locked, decided once, audited). Refused when the place's level
    changed since the change was asked."""

    def level_unchanged(locked: ControlChange) -> None:
        current = PlaceControl.objects.select_for_update().filter(place_id=locked.place_id).first()
        if (current.level if current else ControlLevel.NONE) != locked.previous_level:
            raise ValidationError(_("The place's level changed since this was asked; ask again."))

    return transitions.decide(
        change,
        actor=actor,
        approve=approve,
        note=note,
        perm=Perm.CONTROL_APPROVE,
        path=change.place_path,
        apply=_apply,
        check=level_unchanged,
        audit_action=CheckpointsAudit.CONTROL_CHANGED,
        audit_obj=change.place,
        audit_details={"change": change.pk, "to": change.level},
    )


def _apply(change: ControlChange) -> None:
    PlaceControl.objects.update_or_create(
        place_id=change.place_id,
        defaults={
            "place_path": change.place_path,
            "level": change.level,
            "since": timezone.now(),
            "planned_end": change.planned_end,
            "change": change,
        },
    )


# --- gates, passes, devices -------------------------------------------------------------------


def gate_create(
    *, actor: User, compound: Place, name: str, opens: time | None = None, closes: time | None = None
) -> Gate:
    """A gate of a compound, with its duty post for the volunteers' roster (an existing gate post
    of the same name at the compound is reused)."""
    require(actor, Perm.GATES_MANAGE, compound.path)
    errors: dict[str, str] = {}
    if compound.kind != PlaceKind.COMPOUND:
        errors["place"] = _("Gates belong to a compound.")
    name = _text(name, "name", errors, limit=100)
    if (opens is None) != (closes is None):
        errors["closes"] = _("Give both opening and closing times, or neither for a gate open day and night.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        post = Post.objects.filter(place=compound, name=name, duty=Duty.GATE).first()
        if post is None:
            post = Post.objects.create(
                place=compound, place_path=compound.path, name=name, duty=Duty.GATE, check_token=secrets.token_hex(16)
            )
        return Gate.objects.create(
            place=compound, place_path=compound.path, name=name, opens=opens, closes=closes, post=post
        )


def _household_label(household: Household) -> str:
    place = household.place
    where = f"{place.parent.name} {place.name}" if place.kind == PlaceKind.UNIT and place.parent else place.name
    first = household.members.filter(moved_out_on__isnull=True, merged_into__isnull=True).order_by("pk").first()
    return f"{where} {household.room}" + (f" · {mask_name(first.name)}" if first else "")


def passes_issue(*, actor: User, place: Place, valid_until: datetime | None = None) -> list[Pass]:
    """A pass for every household at or under `place` that has no valid one."""
    require(actor, Perm.GATES_MANAGE, place.path)
    if valid_until is not None and valid_until <= timezone.now():
        raise ValidationError({"valid_until": _("The end of validity must be in the future.")})
    with transaction.atomic():
        households = (
            Household.objects.filter(subtree_q(place.path, "place__path"))
            .exclude(pk__in=Pass.objects.filter(status=PassStatus.ACTIVE, person__isnull=True).values("household_id"))
            .select_related("place__parent")
            .prefetch_related("members")
            .order_by("place__path", "room")
        )
        passes = []
        for household in households:
            nonce = new_nonce()
            passes.append(
                Pass(
                    household=household,
                    place_path=household.place.path,
                    nonce=nonce,
                    digest=token_digest(make_token(nonce)),
                    label=_household_label(household)[:100],
                    valid_until=valid_until,
                    issued_by=actor,
                )
            )
        Pass.objects.bulk_create(passes, batch_size=1000)
        audit_log(
            action=CheckpointsAudit.PASSES_ISSUED,
            actor=actor,
            obj=place,
            place_path=place.path,
            details={"count": len(passes)},
        )
    return passes


def pass_token(pass_: Pass) -> str:
    return make_token(pass_.nonce)


def pass_revoke(*, actor: User, pass_: Pass, reason: str, reissue: bool = False) -> Pass | None:
    """Revokes a pass for good (its token never works again); with `reissue`, a new pass with a new
    token replaces it."""
    require(actor, Perm.GATES_MANAGE, pass_.place_path)
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", errors, limit=500)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Pass.objects.select_for_update().get(pk=pass_.pk)
        if locked.status != PassStatus.ACTIVE:
            raise ValidationError(_("This pass was revoked already."))
        locked.status = PassStatus.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason
        locked.save(update_fields=["status", "revoked_at", "revoked_reason", "updated_at"])
        audit_log(
            action=CheckpointsAudit.PASS_REVOKED, actor=actor, obj=locked, place_path=locked.place_path, purpose=reason
        )
        if not reissue:
            return None
        nonce = new_nonce()
        return Pass.objects.create(
            household_id=locked.household_id,
            person_id=locked.person_id,
            place_path=locked.place_path,
            nonce=nonce,
            digest=token_digest(make_token(nonce)),
            label=locked.label,
            valid_until=locked.valid_until,
            issued_by=actor,
        )


def _device_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def device_create(*, actor: User, name: str, gates: Sequence[Gate]) -> tuple[GateDevice, str]:
    """A device token bound to these gates (all in the actor's places). The raw token is shown
    once; only its digest is kept."""
    errors: dict[str, str] = {}
    name = _text(name, "name", errors, limit=100)
    if not gates:
        errors["gates"] = _("Choose at least one gate.")
    if errors:
        raise ValidationError(errors)
    for gate in gates:
        require(actor, Perm.GATES_MANAGE, gate.place_path)
    raw = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    common = min((g.place_path for g in gates), key=len)
    while not all(g.place_path.startswith(common) for g in gates):
        common = common[: common.rstrip("/").rfind("/") + 1]
    with transaction.atomic():
        device = GateDevice.objects.create(
            name=name, place_path=common, digest=_device_digest(raw), prefix=raw[:8], created_by=actor
        )
        device.gates.set(gates)
        audit_log(action=CheckpointsAudit.GATE_DEVICE_CREATED, actor=actor, obj=device, place_path=common)
    return device, raw


def is_device_token(raw: str) -> bool:
    return raw.startswith(DEVICE_TOKEN_PREFIX)


_DEVICE_GATE_SQL = """
SELECT g.id, g.place_id, g.place_path, g.name, d.id, d.last_seen_at
  FROM checkpoints_gate g
  JOIN checkpoints_gatedevice_gates m ON m.gate_id = g.id
  JOIN checkpoints_gatedevice d ON d.id = m.gatedevice_id
 WHERE g.id = %s AND d.digest = %s AND d.active
"""


def device_gate(raw: str, gate_id: int) -> tuple[Gate, GateDevice] | None:
    """The gate, if this active device token is bound to it: one query, the hot path of a scan.
    The gate comes back with the fields a scan uses (id, place, path, name)."""
    digest = _device_digest(raw)
    with connection.cursor() as cursor:
        cursor.execute(_DEVICE_GATE_SQL, [gate_id, digest])
        row = cursor.fetchone()
    if row is None:
        return None
    gate_pk, place_id, place_path, name, device_pk, last_seen = row
    if last_seen is not None and timezone.is_naive(last_seen):  # SQLite hands back naive UTC
        last_seen = timezone.make_aware(last_seen, UTC)
    gate = Gate(pk=gate_pk, place_id=place_id, place_path=place_path, name=name)
    return gate, GateDevice(pk=device_pk, digest=digest, last_seen_at=last_seen)


def device_known(raw: str) -> bool:
    return GateDevice.objects.filter(digest=_device_digest(raw), active=True).exists()


def device_revoke(*, actor: User, device: GateDevice) -> None:
    require(actor, Perm.GATES_MANAGE, device.place_path)
    GateDevice.objects.filter(pk=device.pk).update(active=False)


# --- passages ---------------------------------------------------------------------------------


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


def device_passage_record(*, raw: str, gate_id: int, item: PassageItem) -> tuple[PassageResult, GateDevice] | None:
    """A gate device's scan: checks the device against the gate and finds the pass in one query,
    then decides and stores as `passage_record_one`. None if the device is not bound to the gate."""
    genuine, where, params = _holder_where(item)
    row = _fetch_one_prepared(_DEVICE_SCAN_SQL.format(where=where), [*params, gate_id, _device_digest(raw)])
    if row is None:
        return None
    gate_pk, place_id, place_path, name, device_pk, last_seen = row[:6]
    if last_seen is not None and timezone.is_naive(last_seen):  # SQLite hands back naive UTC
        last_seen = timezone.make_aware(last_seen, UTC)
    gate = Gate(pk=gate_pk, place_id=place_id, place_path=place_path, name=name)
    device = GateDevice(pk=device_pk, last_seen_at=last_seen)
    holder = row[6:] if row[6] is not None else None
    return passage_record_one(gate=gate, item=item, device=device, holder=(genuine, holder)), device


def passage_record_one(
    *,
    gate: Gate,
    item: PassageItem,
    actor: User | None = None,
    device: GateDevice | None = None,
    holder: tuple[bool, Sequence[Any] | None] | None = None,
) -> PassageResult:
    """One scan, the hot path of a gate: the same rules and answers as `passages_record`, in three
    round trips to the database in the usual case (the device and gate, the pass with the level
    in force over it, the insert), where the replay check is the unique key itself."""
    now = timezone.now()
    skew = timedelta(seconds=settings.TONGZHOU_CLOCK_SKEW_SECONDS)
    clock_skew = item.scanned_at > now + skew
    when = now if clock_skew else item.scanned_at
    if holder is None:  # `holder`: found already, with the device (device_passage_record)
        genuine, where, params = _holder_where(item)
        holder = (genuine, _fetch_one_prepared(_HOLDER_AND_LEVEL_SQL.format(where=where), params))
    genuine, row = holder
    pass_id, household_id, path, label, status, valid_until, rank = row or _NO_HOLDER
    if valid_until is not None and timezone.is_naive(valid_until):  # SQLite hands back naive UTC
        valid_until = timezone.make_aware(valid_until, UTC)
    level = _RANK_LEVEL[rank or 0]
    in_compound = row is not None and path.startswith(gate.place_path)
    used = 0
    if in_compound and level == ControlLevel.CONTROLLED and item.direction == Direction.OUT:
        low, high = _day_bounds(when)
        used = Passage.objects.filter(
            household_id=household_id,
            scanned_at__gte=low,
            scanned_at__lt=high,
            direction=Direction.OUT,
            allowed=True,
            visitor=False,
        ).count()
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
    values = [getattr(new, column) for column in PASSAGE_COLUMNS[1:]]
    if connection.vendor != "postgresql":  # psycopg adapts the plain values; SQLite wants Django's
        fields = {field.column: field for field in Passage._meta.concrete_fields}
        values = [
            fields[column].get_db_prep_save(value, connection)
            for column, value in zip(PASSAGE_COLUMNS[1:], values, strict=True)
        ]
    sql = (
        f"INSERT INTO checkpoints_passage ({', '.join(PASSAGE_COLUMNS[1:])}) "  # noqa: S608 (constants only)
        f"VALUES ({', '.join(['%s'] * len(values))}) ON CONFLICT (client_uuid, scanned_at) DO NOTHING RETURNING id"
    )
    # One statement needs no transaction of its own; with a fever, the passage and its alert go
    # in together.
    with transaction.atomic() if reason == Reason.FEVER else contextlib.nullcontext():
        inserted = _fetch_one_prepared(sql, values)
        if inserted is None:  # stored before: answer as then
            old = Passage.objects.filter(client_uuid=item.client_uuid, scanned_at=item.scanned_at).get()
            return PassageResult(str(item.client_uuid), old.allowed, old.reason, old.pk, replayed=True)
        new.id = inserted[0]
        if reason == Reason.FEVER:
            _raise_fever_alerts(gate, [(new, subject)])
    return PassageResult(str(item.client_uuid), new.allowed, reason, new.id, subject=subject)


def passages_record(
    *,
    gate: Gate,
    items: Sequence[PassageItem],
    actor: User | None = None,
    device: GateDevice | None = None,
    now: datetime | None = None,
) -> list[PassageResult]:
    """Decides and stores passages at `gate`, all or none; answers each in order. A client_uuid
    already stored (or repeated in the batch) answers as it was first answered."""
    for attempt in range(2):
        try:
            return _record(gate=gate, items=items, actor=actor, device=device, now=now or timezone.now())
        except IntegrityError:
            # The same client_uuid stored by a concurrent request: the retry answers it as a replay.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _record(
    *, gate: Gate, items: Sequence[PassageItem], actor: User | None, device: GateDevice | None, now: datetime
) -> list[PassageResult]:
    fever_from = Decimal(str(settings.TONGZHOU_FEVER_CELSIUS))
    skew = timedelta(seconds=settings.TONGZHOU_CLOCK_SKEW_SECONDS)
    with transaction.atomic():
        # Replays: stored already (the same scanned_at, which the unique key includes).
        existing: dict[str, Passage] = {}
        uuids = [item.client_uuid for item in items]
        if uuids:
            times = [item.scanned_at for item in items]
            for chunk_start in range(0, len(uuids), 2000):
                for passage in Passage.objects.filter(
                    client_uuid__in=uuids[chunk_start : chunk_start + 2000],
                    scanned_at__gte=min(times),
                    scanned_at__lte=max(times),
                ).only("id", "client_uuid", "allowed", "reason", "pass_ref_id"):
                    existing[str(passage.client_uuid)] = passage

        # The passes: by the token's signed nonce, or by id for a guard who looked the resident up.
        nonce_of: dict[str, str | None] = {}
        for item in items:
            if item.pass_token is not None and item.pass_token not in nonce_of:
                nonce_of[item.pass_token] = read_token(item.pass_token)
        nonces = [n for n in nonce_of.values() if n]
        ids = [item.pass_id for item in items if item.pass_token is None and item.pass_id is not None]
        by_nonce: dict[str, Pass] = {}
        by_id: dict[int, Pass] = {}
        fields = ("id", "nonce", "household_id", "place_path", "label", "status", "valid_until")
        for start in range(0, len(nonces), 2000):
            for p in Pass.objects.filter(nonce__in=nonces[start : start + 2000]).only(*fields):
                by_nonce[p.nonce] = p
        if ids:
            by_id = {p.pk: p for p in Pass.objects.filter(pk__in=set(ids)).only(*fields)}
        levels = effective_levels({p.place_path for p in [*by_nonce.values(), *by_id.values()]})

        # Outings already used today by households under controlled management.
        used: dict[tuple[int | None, Any], int] = defaultdict(int)
        controlled = {
            p.household_id
            for p in [*by_nonce.values(), *by_id.values()]
            if levels.get(p.place_path) == ControlLevel.CONTROLLED
        }
        if controlled:
            moments = [min(item.scanned_at, now) for item in items]
            low, high = _day_bounds(min(moments))[0], _day_bounds(max(moments))[1]
            rows = Passage.objects.filter(
                household_id__in=controlled,
                scanned_at__gte=low,
                scanned_at__lt=high,
                direction=Direction.OUT,
                allowed=True,
                visitor=False,
            ).values_list("household_id", "scanned_at")
            for household_id, at in rows:
                used[(household_id, timezone.localtime(at).date())] += 1

        results: list[PassageResult | None] = [None] * len(items)
        key_of = [str(item.client_uuid) for item in items]
        local_zone = timezone.get_current_timezone()
        new: list[tuple[int, NewPassage, str]] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            key = key_of[index]
            if key in existing:
                old = existing[key]
                results[index] = PassageResult(key, old.allowed, old.reason, old.pk, replayed=True)
                continue
            if key in seen:
                continue  # answered below, from the first of the batch
            seen[key] = index
            clock_skew = item.scanned_at > now + skew
            when = now if clock_skew else item.scanned_at
            pass_ = None
            genuine = True
            if item.pass_token is not None:
                nonce = nonce_of[item.pass_token]
                genuine = nonce is not None
                pass_ = by_nonce.get(nonce) if nonce else None
            elif item.pass_id is not None:
                pass_ = by_id.get(item.pass_id)
            level = levels.get(pass_.place_path, ControlLevel.NONE) if pass_ else ControlLevel.NONE
            day = when.astimezone(local_zone).date()
            reason = decide(
                Facts(
                    direction=item.direction,
                    temperature=item.temperature,
                    fever_from=fever_from,
                    when=when,
                    token_genuine=genuine,
                    pass_found=pass_ is not None,
                    in_compound=pass_ is not None and pass_.place_path.startswith(gate.place_path),
                    pass_status=pass_.status if pass_ else PassStatus.ACTIVE,
                    valid_until=pass_.valid_until if pass_ else None,
                    level=level,
                    outings_used=used[(pass_.household_id, day)] if pass_ else 0,
                    outings_per_day=settings.TONGZHOU_OUTINGS_PER_DAY,
                )
            )
            known = pass_ is not None and pass_.place_path.startswith(gate.place_path)
            allowed = reason == Reason.OK
            if allowed and item.direction == Direction.OUT and pass_ is not None:
                used[(pass_.household_id, day)] += 1
            new_row = NewPassage(
                id=None,
                scanned_at=item.scanned_at,
                received_at=now,
                gate_id=gate.pk,
                place_path=gate.place_path,
                client_uuid=item.client_uuid,
                pass_ref_id=pass_.pk if known and pass_ else None,
                household_id=pass_.household_id if known and pass_ else None,
                direction=item.direction,
                temperature=item.temperature,
                allowed=allowed,
                reason=reason,
                level=level,
                offline_allowed=item.offline_allowed,
                clock_skew=clock_skew,
                visitor=False,
                scanned_by_id=actor.pk if actor else None,
                device_id=device.pk if device else None,
            )
            new.append((index, new_row, pass_.label if known and pass_ else ""))

        # COPY on PostgreSQL (ids drawn from the sequence first); a duplicate client_uuid from a
        # concurrent request surfaces as Django's IntegrityError and is retried as a replay.
        with connection.wrap_database_errors:
            _insert_passages([p for _i, p, _s in new])
        for index, row, subject in new:
            results[index] = PassageResult(key_of[index], row.allowed, row.reason, row.id, subject=subject)
        for index in range(len(items)):
            if results[index] is None:
                first = results[seen[key_of[index]]]
                assert first is not None
                results[index] = PassageResult(
                    first.client_uuid, first.allowed, first.reason, first.passage_id, replayed=True
                )

        fevers = [(p, s) for _i, p, s in new if p.reason == Reason.FEVER]
        if fevers:
            _raise_fever_alerts(gate, fevers)
    return [r for r in results if r is not None]


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


def _raise_fever_alerts(gate: Gate, fevers: list[tuple[NewPassage, str]] | list[tuple[Passage, str]]) -> None:
    alerts = alerts_raise(
        alerts=[
            NewAlert(
                kind=FEVER,
                place_id=gate.place_id,
                place_path=gate.place_path,
                subject_type=SUBJECT if passage.pass_ref_id else "",
                subject_id=passage.pass_ref_id,
                subject_label=subject or _("Unknown person"),
                details={
                    "passage": passage.id,
                    "gate": gate.pk,
                    "gate_name": gate.name,
                    "temperature": str(passage.temperature or Decimal(0)),
                    "scanned_at": passage.scanned_at.isoformat(),
                    "scanned_local": f"{timezone.localtime(passage.scanned_at):%m-%d %H:%M}",
                },
                once_key=once_key(passage.id or 0),
            )
            for passage, subject in fevers
        ]
    )
    count = len(alerts)
    users = users_with_perm_over(gate.place_path, Perm.HEALTH_CHECK, roles=[Role.COMMUNITY_STAFF, Role.HEALTH_OFFICER])
    phones = [u.phone for u in users if u.phone]
    gate_name = gate.name

    def notify() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Fever at %(gate)s: %(n)d alert(s) to close.") % {"gate": gate_name, "n": count}
        for phone in phones:
            send_message(to=phone, text=text)

    transaction.on_commit(notify)


def visitor_register(
    *,
    actor: User,
    gate: Gate,
    name: str,
    phone: str,
    reason: str,
    household: Household | None,
    temperature: Decimal | str | None,
) -> Visitor:
    """An outsider asking to come in: recorded whether let in or turned away."""
    require(actor, Perm.GATE_SCAN, gate.place_path)
    errors: dict[str, str] = {}
    name = _text(name, "name", errors, limit=50)
    phone = _text(phone, "phone", errors, limit=20)
    if phone and not phone.replace("-", "").replace(" ", "").lstrip("+").isdigit():
        errors["phone"] = _("Enter a phone number.")
    reason = _text(reason, "reason", errors, limit=200)
    if household is None or not household.place.path.startswith(gate.place_path):
        errors["household"] = _("Choose the household visited, in this compound.")
    value = None
    try:
        value = Decimal(str(temperature)).quantize(Decimal("0.1"))
        if not TEMPERATURE_RANGE[0] <= value <= TEMPERATURE_RANGE[1]:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["temperature"] = _("A body temperature between 34.0 and 43.0 °C.")
    if errors:
        raise ValidationError(errors)
    assert household is not None
    level = effective_levels([household.place.path])[household.place.path]
    refusal = decide_visitor(temperature=value, fever_from=Decimal(str(settings.TONGZHOU_FEVER_CELSIUS)), level=level)
    now = timezone.now()
    with transaction.atomic():
        passage = Passage.objects.create(
            scanned_at=now,
            received_at=now,
            gate=gate,
            place_path=gate.place_path,
            client_uuid=uuid.uuid4(),
            household_id=household.pk,
            direction=Direction.IN,
            temperature=value,
            allowed=refusal == Reason.OK,
            reason=refusal,
            level=level,
            visitor=True,
            scanned_by=actor,
        )
        visitor = Visitor.objects.create(
            gate=gate,
            place_path=gate.place_path,
            name=name,
            phone=phone,
            reason=reason,
            household=household,
            temperature=value,
            allowed=refusal == Reason.OK,
            refusal=refusal,
            passage_id=passage.pk,
            registered_by=actor,
        )
        if refusal == Reason.FEVER:
            _raise_fever_alerts(gate, [(passage, _("Visitor %(name)s") % {"name": mask_name(name)})])
    return visitor
