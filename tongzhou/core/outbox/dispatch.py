"""Sending the outbox: claim, rate-limit, send, record.

A message is claimed by a compare-and-set from `queued` (due) to `sending` under a claim token, after
`SELECT ... FOR UPDATE SKIP LOCKED` where the database has it, so two workers never hold the same
row; a worker killed between the gateway's answer and the record leaves the row `sending`, and only
after TONGZHOU_MESSAGE_CLAIM_SECONDS may another claim it again, resending with the same
idempotency key (the gateway recognises the resend). Temporary failures go back to `queued` with
an exponential back-off; after TONGZHOU_MESSAGE_MAX_ATTEMPTS, or on a permanent failure, the row is
`failed` with the reason. The rate limit is a counter per channel and second in the shared cache,
so every worker together keeps the backend's `rate_per_second`. A worker records the outcomes
of a claimed batch together, in one statement, and tells the `status_listeners` (a notice's
recipients keep their message's status for its reach report).
"""

import hashlib
import hmac
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from tongzhou.core import pii
from tongzhou.core.bulk import copy_rows, update_rows
from tongzhou.core.messaging import Backend, Message, PermanentFailure, TemporaryFailure, backend, masked_text
from tongzhou.core.outbox.models import Channel, MessageStatus, OutboxKey, OutboxMessage, new_key
from tongzhou.core.ratelimit import rate_hit

logger = logging.getLogger("tongzhou.messages")
BATCH = 200
# A slot in the second's rate is granted only this early in the second, so that a message sent at
# the end of one second does not arrive in the next one's share.
SLOT_GUARD_SECONDS = 0.1

# Functions phone -> place path (or "") that find where a message without a scope belongs; apps
# above core register theirs (the register's household, an account's role).
scope_resolvers: list[Callable[[str], str]] = []

# Functions [(message id, new status)] -> None, called in the transaction that changed the
# messages' status (a sent batch, a delivery receipt); apps above core keep their copies in step.
status_listeners: list[Callable[[list[tuple[int, str]]], None]] = []


@dataclass(frozen=True)
class Outgoing:
    """One message to queue. A sender that holds the number already encrypted, as the register
    stores it (`sealed_to`, its blind index `to_index` and a mask), passes those instead of `to`:
    a mass send then neither decrypts nor re-encrypts a number per recipient."""

    to: str
    text: str
    secrets: tuple[str, ...] = ()
    scope: str = ""
    kind: str = ""
    sealed_to: str = ""
    to_index: str = ""
    to_masked: str = ""
    # The idempotency key, when the sender derives it (one per recipient of a notice): a second
    # message with the same key is refused (its OutboxKey row is: IntegrityError, nothing of the
    # batch written), so a retried sender never queues a message twice.
    key: str = ""


# The columns `enqueue` writes with COPY on PostgreSQL (after the id), in this order.
COPY_COLUMNS = (
    "created_at",
    "updated_at",
    "channel",
    "kind",
    "to",
    "to_index",
    "to_masked",
    "text",
    "text_masked",
    "scope_path",
    "status",
    "attempts",
    "next_attempt_at",
    "claimed_at",
    "claim",
    "key",
    "provider_id",
    "error",
)


# The columns of a taken key (`OutboxKey`), as `_copy_rows` writes them.
KEY_COLUMNS = ("key", "message_id", "created_at")


def _scope_for(phone: str) -> str:
    for resolve in scope_resolvers:
        path = resolve(phone)
        if path:
            return path
    return ""


def enqueue(items: Iterable[Outgoing], *, channel: str = Channel.SMS) -> list[OutboxMessage]:
    """Write the messages to the outbox and have them sent: at once in this process when tasks run
    eagerly (no broker), else by a worker after the caller's transaction commits. The rows, in
    the order of `items`."""
    ids = enqueue_many(items, channel=channel)
    found = OutboxMessage.objects.in_bulk(ids)
    return [found[pk] for pk in ids]


def enqueue_many(items: Iterable[Outgoing], *, channel: str = Channel.SMS, send: bool = True) -> list[int]:
    """`enqueue` for a mass send: the new rows' ids, in the order of `items`. On PostgreSQL the
    rows go in with one COPY (ids from the sequence first), and a text shared by many messages is
    encrypted once; elsewhere by bulk_create. Each message's key is taken first (`OutboxKey`, in
    the same transaction): a key taken already raises IntegrityError and none of the batch is
    written. With `send=False` the caller schedules them (`schedule`), after it has noted the ids."""
    items = list(items)
    with transaction.atomic():
        ids = _copy_rows(items, channel) if connection.vendor == "postgresql" else _create_rows(items, channel)
    if send:
        schedule(ids)
    return ids


def _masked_to(item: Outgoing, to: str) -> str:
    return (item.to_masked or pii.mask_phone(to))[:32]


def _create_rows(items: list[Outgoing], channel: str) -> list[int]:
    now = timezone.now()
    rows = []
    for item in items:
        to = pii.decrypt(item.sealed_to) if item.sealed_to else pii.normalize(item.to)
        rows.append(
            OutboxMessage(
                channel=channel,
                kind=item.kind[:40],
                to=to,
                to_index=pii.blind_index(to) if to else "",
                to_masked=_masked_to(item, to),
                text=item.text,
                text_masked=masked_text(Message(to=to, text=item.text, secrets=item.secrets)),
                scope_path=item.scope or _scope_for(to),
                next_attempt_at=now,
                key=item.key or new_key(),
            )
        )
    # SQLite draws the ids on insert: the messages, then their keys (a key taken raises, and the
    # caller's transaction takes the messages back; SQLite writes one transaction at a time).
    ids = [row.pk for row in OutboxMessage.objects.bulk_create(rows, batch_size=1000)]
    OutboxKey.objects.bulk_create(
        [OutboxKey(key=row.key, message_id=pk, created_at=now) for row, pk in zip(rows, ids, strict=True)],
        batch_size=1000,
    )
    return ids


def _copy_rows(items: list[Outgoing], channel: str) -> list[int]:
    if not items:
        return []
    now = timezone.now()
    sealed_texts: dict[str, str] = {}
    masked_texts: dict[tuple[str, tuple[str, ...]], str] = {}
    rows = []
    for item in items:
        if item.sealed_to:
            to, sealed, index = "", item.sealed_to, item.to_index
        else:
            to = pii.normalize(item.to)
            sealed, index = (pii.encrypt(to), pii.blind_index(to)) if to else ("", "")
        text = sealed_texts.get(item.text)
        if text is None:
            text = sealed_texts[item.text] = pii.encrypt(item.text) if item.text else ""
        shown = masked_texts.get((item.text, item.secrets))
        if shown is None:
            shown = masked_texts[(item.text, item.secrets)] = masked_text(
                Message(to="", text=item.text, secrets=item.secrets)
            )
        # The scope is looked up before the COPY starts: no other query may run during it.
        scope = item.scope or _scope_for(to)
        rows.append((item.kind[:40], sealed, index, _masked_to(item, to), text, shown, scope, item.key or new_key()))
    queued = MessageStatus.QUEUED.value
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [OutboxMessage._meta.db_table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    # The keys first: one taken already stops the batch (IntegrityError) before its messages.
    copy_rows(OutboxKey, KEY_COLUMNS, [(row[-1], pk, now) for row, pk in zip(rows, ids, strict=True)])
    return copy_rows(
        OutboxMessage,
        ("id", *COPY_COLUMNS),
        [
            (
                pk,
                now,
                now,
                channel,
                kind,
                sealed,
                index,
                masked,
                text,
                shown,
                scope,
                queued,
                0,
                now,
                None,
                "",
                key,
                "",
                "",
            )
            for pk, (kind, sealed, index, masked, text, shown, scope, key) in zip(ids, rows, strict=True)
        ],
    )


def schedule(ids: list[int]) -> None:
    if not ids:
        return
    if current_app.conf.task_always_eager:
        deliver(ids)
        return
    from tongzhou.core.outbox import tasks

    def enqueue_tasks() -> None:
        for start in range(0, len(ids), BATCH):
            tasks.send_outbox.delay(ids[start : start + BATCH])

    transaction.on_commit(enqueue_tasks)


def _due(now: datetime) -> Q:
    stale = now - timedelta(seconds=settings.TONGZHOU_MESSAGE_CLAIM_SECONDS)
    return Q(status=MessageStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_at__lt=stale
    )


def claim(*, ids: list[int] | None, now: datetime, size: int = BATCH) -> list[OutboxMessage]:
    """Up to `size` due messages (of `ids` if given), now `sending` under a fresh claim token and
    held by this caller only."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(_due(now))
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        pks = list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:size])
        if not pks:
            return []
        # Compare-and-set: a row another worker claimed since (SQLite has no row locks) no longer matches.
        OutboxMessage.objects.filter(_due(now), pk__in=pks).update(
            status=MessageStatus.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(OutboxMessage.objects.filter(claim=token, status=MessageStatus.SENDING).order_by("pk"))


def take_slot(channel: str, rate: int | None) -> None:
    """Wait until the channel may send one more message this second (shared by all workers)."""
    if not rate:
        return
    while True:
        clock = time.time()
        second = int(clock)
        if (
            clock - second <= 1 - SLOT_GUARD_SECONDS
            and rate_hit(f"send:{channel}", str(second), window_seconds=5) <= rate
        ):
            return
        time.sleep(max(0.001, second + 1 - time.time()))


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.TONGZHOU_MESSAGE_RETRY_SECONDS * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed message, to be recorded with the rest of its batch."""

    pk: int
    status: str
    error: str = ""
    provider_id: str = ""
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None


# The columns `record` writes per message.
OUTCOME_COLUMNS = ("status", "error", "provider_id", "next_attempt_at", "sent_at", "updated_at")


def record(outcomes: list[Outcome], claim: str) -> int:
    """Write the outcomes of one claimed batch in one statement, only on rows still `sending`
    under `claim` (a row whose claim ran out and was taken by another worker is that worker's),
    and tell the status listeners, in one transaction. Returns the number of rows written."""
    if not outcomes:
        return 0
    now = timezone.now()
    with transaction.atomic():
        changed = update_rows(
            OutboxMessage,
            OUTCOME_COLUMNS,
            [(o.pk, o.status, o.error[:500], o.provider_id[:100], o.next_attempt_at, o.sent_at, now) for o in outcomes],
            where="status = %s AND claim = %s",
            params=[MessageStatus.SENDING.value, claim],
        )
        if changed:
            notify([(o.pk, o.status) for o in outcomes])
    return changed


def notify(changes: list[tuple[int, str]]) -> None:
    for listener in status_listeners:
        listener(changes)


def send_one(row: OutboxMessage, gateway: Backend, *, now: datetime) -> Outcome:
    """Send one claimed message; the outcome, for `record`."""
    take_slot(row.channel, getattr(gateway, "rate_per_second", None))
    try:
        provider_id = gateway.send(Message(to=row.to or "", text=row.text or "", key=row.key, log_text=row.text_masked))
    except TemporaryFailure as error:
        if row.attempts >= settings.TONGZHOU_MESSAGE_MAX_ATTEMPTS:
            return Outcome(row.pk, MessageStatus.FAILED, error=f"{error}")
        return Outcome(row.pk, MessageStatus.QUEUED, error=f"{error}", next_attempt_at=now + backoff(row.attempts))
    except PermanentFailure as error:
        return Outcome(row.pk, MessageStatus.FAILED, error=f"{error}")
    return Outcome(row.pk, MessageStatus.SENT, provider_id=provider_id or "", sent_at=timezone.now())


def deliver(
    ids: list[int] | None = None, *, now: datetime | None = None, gateway: Backend | None = None
) -> Counter[str]:
    """Send every due message (of `ids` if given) until none is left; counts the outcomes. Safe to
    run in any number of workers at once and again after a crash: a worker killed before it
    records its batch leaves the batch `sending`, resent (same keys) once the claim runs out."""
    now = now or timezone.now()
    gateway = gateway or backend()
    outcomes: Counter[str] = Counter()
    try:
        while batch := claim(ids=ids, now=now):
            done: list[Outcome] = []
            try:
                for row in batch:
                    done.append(send_one(row, gateway, now=now))
            except Exception:
                # An error in the middle still records what was sent; a process that dies
                # records nothing, and its batch is resent under the same keys.
                record(done, batch[0].claim)
                raise
            record(done, batch[0].claim)
            outcomes.update(o.status for o in done)
    finally:
        close = getattr(gateway, "close", None)
        if close is not None:
            close()
    return outcomes


def receipt_signature(body: bytes) -> str:
    """The signature a delivery receipt carries: HMAC-SHA256 of the body under
    TONGZHOU_SMS_RECEIPT_KEY, in hex."""
    return hmac.new(settings.TONGZHOU_SMS_RECEIPT_KEY.encode(), body, hashlib.sha256).hexdigest()


def receipt_is_genuine(body: bytes, signature: str) -> bool:
    if not settings.TONGZHOU_SMS_RECEIPT_KEY or not signature:
        return False
    return hmac.compare_digest(receipt_signature(body), signature.strip().lower())


def receipt_apply(*, key: str = "", provider_id: str = "", delivered: bool, error: str = "") -> int:
    """Record a genuine delivery receipt on the message with this idempotency key (or provider id).
    Only a sent (or still sending) message moves: a receipt replayed, or for a failed one, changes
    nothing. Returns the number of messages changed (0 or 1)."""
    if not key and not provider_id:
        return 0
    rows = OutboxMessage.objects.filter(status__in=[MessageStatus.SENDING, MessageStatus.SENT])
    # By the key's own table (unique): the outbox keeps no index of its own on the key.
    taken = OutboxKey.objects.filter(key=key).values("message_id")
    rows = rows.filter(pk__in=taken) if key else rows.filter(provider_id=provider_id)
    now = timezone.now()
    with transaction.atomic():
        pks = list(rows.select_for_update().values_list("pk", flat=True)[:10])
        if not pks:
            return 0
        rows = OutboxMessage.objects.filter(pk__in=pks)
        if delivered:
            changed = rows.update(status=MessageStatus.DELIVERED, delivered_at=now, updated_at=now)
        else:
            changed = rows.update(status=MessageStatus.FAILED, error=(error or "undelivered")[:500], updated_at=now)
        notify([(pk, MessageStatus.DELIVERED if delivered else MessageStatus.FAILED) for pk in pks])
    return changed
