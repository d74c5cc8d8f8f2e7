"""Batches of scans synced from a gate's offline queue: all or none, replays answered once."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.checkpoints.models import (
    ControlLevel,
    Direction,
    Gate,
    GateDevice,
    Pass,
    Passage,
    PassageReplay,
    PassStatus,
    Reason,
)
from tongzhou.checkpoints.rules import Facts, decide
from tongzhou.checkpoints.services.control import effective_levels
from tongzhou.checkpoints.services.fevers import _raise_fever_alerts
from tongzhou.checkpoints.services.passages import PassageItem, PassageResult, _day_bounds, outings_between
from tongzhou.checkpoints.services.rows import NewPassage, _insert_passages, _insert_replays
from tongzhou.checkpoints.tokens import read_token
from tongzhou.people.outings import households_kept_home


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
            return _record(
                gate=gate, items=items, actor=actor, device=device, now=now or timezone.now(), legacy=bool(attempt)
            )
        except IntegrityError:
            # The same client_uuid stored by a concurrent request, or a passage stored with the same
            # client_uuid and scanned_at but no replay row (from before the replay table, or past
            # its keeping): the retry answers it as a replay.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _record(
    *,
    gate: Gate,
    items: Sequence[PassageItem],
    actor: User | None,
    device: GateDevice | None,
    now: datetime,
    legacy: bool,
) -> list[PassageResult]:
    fever_from = Decimal(str(settings.TONGZHOU_FEVER_CELSIUS))
    skew = timedelta(seconds=settings.TONGZHOU_CLOCK_SKEW_SECONDS)
    with transaction.atomic():
        # Replays: answered by this gate before (whatever the scanned_at); with `legacy` (a retry),
        # also passages stored with the same client_uuid in the batch's time span that have no
        # replay row (from before the replay table, or past its keeping).
        existing: dict[str, PassageResult] = {}
        uuids = [item.client_uuid for item in items]
        for chunk_start in range(0, len(uuids), 2000):
            for passage_id, client_uuid, allowed, reason in PassageReplay.objects.filter(
                gate_id=gate.pk, client_uuid__in=uuids[chunk_start : chunk_start + 2000]
            ).values_list("passage_id", "client_uuid", "allowed", "reason"):
                key = str(client_uuid)
                existing[key] = PassageResult(key, allowed, reason, passage_id, replayed=True)
        missing = [item for item in items if str(item.client_uuid) not in existing]
        if missing and legacy:
            times = [item.scanned_at for item in missing]
            unanswered = [item.client_uuid for item in missing]
            for chunk_start in range(0, len(unanswered), 2000):
                for passage in Passage.objects.filter(
                    client_uuid__in=unanswered[chunk_start : chunk_start + 2000],
                    scanned_at__gte=min(times),
                    scanned_at__lte=max(times),
                ).only("id", "client_uuid", "allowed", "reason"):
                    key = str(passage.client_uuid)
                    existing[key] = PassageResult(key, passage.allowed, passage.reason, passage.pk, replayed=True)

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
            rows = (
                outings_between(low, high).filter(household_id__in=controlled).values_list("household_id", "scanned_at")
            )
            for household_id, at in rows:
                used[(household_id, timezone.localtime(at).date())] += 1

        # Households kept at home (tongzhou.people.outings), asked once for the batch's outings.
        going_out: set[int] = set()
        for item in items:
            if item.direction != Direction.OUT:
                continue
            if item.pass_token is not None:
                nonce = nonce_of[item.pass_token]
                found = by_nonce.get(nonce) if nonce else None
            else:
                found = by_id.get(item.pass_id) if item.pass_id is not None else None
            if found is not None:
                going_out.add(found.household_id)
        kept_home = households_kept_home(going_out, timezone.localdate(now)) if going_out else set()

        results: list[PassageResult | None] = [None] * len(items)
        key_of = [str(item.client_uuid) for item in items]
        local_zone = timezone.get_current_timezone()
        new: list[tuple[int, NewPassage, str]] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            key = key_of[index]
            if key in existing:
                results[index] = existing[key]
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
                    kept_home=pass_ is not None and pass_.household_id in kept_home,
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

        # COPY on PostgreSQL (ids drawn from the sequence first), then the gate's answers to these
        # client_uuids; a duplicate from a concurrent request surfaces as Django's IntegrityError
        # and is retried as a replay.
        with connection.wrap_database_errors:
            _insert_passages([p for _i, p, _s in new])
            _insert_replays([p for _i, p, _s in new])
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
