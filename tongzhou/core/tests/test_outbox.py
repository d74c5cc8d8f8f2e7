"""The message pipeline against a stand-in gateway on loopback (a real HTTP server): retries,
permanent failures, a worker killed in the middle of a send, the rate limit."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tongzhou.core.messaging import HttpSmsGateway, Message, send_message
from tongzhou.core.outbox import dispatch
from tongzhou.core.outbox.models import MessageStatus, OutboxMessage
from tongzhou.core.tests.gateway_standin import gateway_standin

pytestmark = pytest.mark.django_db

GATEWAY = "tongzhou.core.messaging.HttpSmsGateway"


@pytest.fixture
def standin():
    with (
        gateway_standin() as standin,
        override_settings(
            TONGZHOU_MESSAGE_BACKEND=GATEWAY, TONGZHOU_SMS_GATEWAY_URL=standin.url, TONGZHOU_SMS_GATEWAY_KEY="k"
        ),
    ):
        yield standin


@contextmanager
def queued_only():
    """As with a broker: queueing sends nothing in this process (a worker would, after the commit)."""
    from tongzhou.celery import app

    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True


def phones(n: int) -> list[str]:
    return [f"1380000{i:04d}" for i in range(n)]


def test_a_message_is_queued_encrypted_and_sent_through_the_gateway(standin):
    row = send_message(to="13800000001", text="您的密码 Xk3-p9Q2mWz7", secrets=("Xk3-p9Q2mWz7",), scope="/52/")
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT and row.provider_id == f"p-{row.key}" and row.attempts == 1
    assert standin.delivered == {row.key: "13800000001"}
    assert row.to_masked == "138****0001" and row.text_masked == "您的密码 ****"
    with connection.cursor() as cursor:
        cursor.execute('SELECT "to", text FROM core_outboxmessage WHERE id = %s', [row.pk])
        stored = cursor.fetchone()
    assert "13800000001" not in stored[0] and "Xk3" not in stored[1]  # encrypted at rest


def test_a_temporary_failure_is_retried_after_the_back_off_and_a_permanent_one_recorded(standin):
    standin.script = {"13800000001": [503], "13800000002": [400]}
    sent = send_message(to="13800000001", text="a")
    refused = send_message(to="13800000002", text="b")
    sent.refresh_from_db()
    refused.refresh_from_db()
    assert (sent.status, sent.attempts) == (MessageStatus.QUEUED, 1) and "503" in sent.error
    assert (refused.status, refused.attempts) == (MessageStatus.FAILED, 1) and "400" in refused.error
    # Not due before the back-off has passed: nothing is sent.
    assert dispatch.deliver(now=timezone.now()) == {}
    later = timezone.now() + timedelta(seconds=settings.TONGZHOU_MESSAGE_RETRY_SECONDS + 1)
    assert dispatch.deliver(now=later) == {MessageStatus.SENT: 1}
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.error) == (MessageStatus.SENT, 2, "")
    assert standin.deliveries_to("13800000001") == 1 and standin.deliveries_to("13800000002") == 0


@override_settings(TONGZHOU_MESSAGE_MAX_ATTEMPTS=2)
def test_a_number_that_keeps_failing_is_failed_after_the_last_attempt(standin):
    standin.script = {"13800000001": [503, 503, 503]}
    row = send_message(to="13800000001", text="a")
    dispatch.deliver(now=timezone.now() + timedelta(days=1))
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 2)
    assert dispatch.deliver(now=timezone.now() + timedelta(days=2)) == {}
    assert len(standin.requests) == 2


class Killed(BaseException):
    """The worker process dies (SIGKILL, OOM): nothing after this point runs."""


class DiesAfter(HttpSmsGateway):
    """The gateway takes the `n`th message, then the worker dies before recording it."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.left = n

    def send(self, message: Message) -> str | None:
        answer = super().send(message)
        self.left -= 1
        if self.left == 0:
            raise Killed
        return answer


def test_a_worker_killed_in_the_middle_of_a_send_and_retried_sends_nobody_twice(standin):
    numbers = phones(12)
    with queued_only():
        rows = dispatch.enqueue([dispatch.Outgoing(to=n, text="请于明日8时到3号楼下核酸检测") for n in numbers])
    ids = [row.pk for row in rows]
    assert not standin.requests  # queued only: a worker sends

    with pytest.raises(Killed):
        dispatch.deliver(ids, gateway=DiesAfter(5))
    assert len(standin.delivered) == 5
    # A batch is recorded together, after its last message: the dead worker recorded nothing.
    assert not OutboxMessage.objects.filter(status=MessageStatus.SENT).exists()
    assert OutboxMessage.objects.filter(status=MessageStatus.SENDING).count() == 12  # the dead worker's claim

    # The broker hands the task to another worker at once: the dead worker's claim still holds.
    assert dispatch.deliver(ids) == {}
    assert len(standin.requests) == 5
    # After the claim has run out, the sweep sends all 12; the five the gateway had taken are sent
    # again with the same idempotency keys, and the gateway does not send them twice.
    later = timezone.now() + timedelta(seconds=settings.TONGZHOU_MESSAGE_CLAIM_SECONDS + 1)
    assert dispatch.deliver(now=later) == {MessageStatus.SENT: 12}
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 12
    assert sorted(standin.delivered.values()) == sorted(numbers)
    assert all(standin.deliveries_to(n) == 1 for n in numbers)
    assert len(standin.requests) == 17  # 12 numbers, five resends recognised by their keys


class FailsAfter(HttpSmsGateway):
    """The `n`th send raises an error (a bug, not the process dying): the batch so far is recorded."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.left = n

    def send(self, message: Message) -> str | None:
        self.left -= 1
        if self.left == 0:
            raise RuntimeError("bug")
        return super().send(message)


def test_an_error_in_the_middle_of_a_batch_records_what_was_sent_in_one_statement(standin):
    with queued_only():
        rows = dispatch.enqueue([dispatch.Outgoing(to=n, text="x") for n in phones(6)])
    with pytest.raises(RuntimeError):
        dispatch.deliver([r.pk for r in rows], gateway=FailsAfter(4))
    sent = OutboxMessage.objects.filter(status=MessageStatus.SENT)
    assert sent.count() == 3 and all(m.provider_id == f"p-{m.key}" and m.sent_at for m in sent)
    assert OutboxMessage.objects.filter(status=MessageStatus.SENDING).count() == 3


def test_the_gateway_is_posted_over_one_kept_alive_connection(standin):
    with queued_only():
        rows = dispatch.enqueue([dispatch.Outgoing(to=n, text="x") for n in phones(5)])
    gateway = HttpSmsGateway()
    assert dispatch.deliver([r.pk for r in rows], gateway=gateway) == {MessageStatus.SENT: 5}
    assert len(standin.connections) == 1 and gateway._open is None  # closed when the work is done


def test_two_workers_never_claim_the_same_message(standin):
    with queued_only():
        rows = dispatch.enqueue([dispatch.Outgoing(to=n, text="x") for n in phones(6)])
    now = timezone.now()
    first = dispatch.claim(ids=None, now=now, size=4)
    second = dispatch.claim(ids=None, now=now, size=4)
    assert len(first) == 4 and len(second) == 2
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert dispatch.claim(ids=[r.pk for r in rows], now=now) == []


def test_the_rate_limit_holds_at_the_gateway(standin):
    with override_settings(TONGZHOU_SMS_RATE=4):
        with queued_only():
            rows = dispatch.enqueue([dispatch.Outgoing(to=n, text="x") for n in phones(10)])
        assert dispatch.deliver([r.pk for r in rows]) == {MessageStatus.SENT: 10}
    assert len(standin.delivered) == 10
    # Counted per second of arrival, as the gateway's log has them.
    assert max(standin.per_second()) <= 4 and len(standin.per_second()) >= 3


def test_a_gateway_that_cannot_be_reached_is_a_temporary_failure():
    with override_settings(
        TONGZHOU_MESSAGE_BACKEND=GATEWAY,
        TONGZHOU_SMS_GATEWAY_URL="http://127.0.0.1:9/send",
        TONGZHOU_SMS_TIMEOUT_SECONDS=2,
    ):
        row = send_message(to="13800000001", text="x")
    row.refresh_from_db()
    assert row.status == MessageStatus.QUEUED and row.error


def test_a_key_is_taken_once_and_a_batch_with_a_taken_key_writes_nothing() -> None:
    """The keys live in their own table (the outbox is partitioned by month, its unique keys
    would have to include the time): each message's is taken with it, and a second message with
    a key already taken is refused, with the rest of its batch."""
    from django.db import IntegrityError, transaction

    from tongzhou.core.outbox.models import OutboxKey

    with queued_only():
        (first,) = dispatch.enqueue_many([dispatch.Outgoing(to="13800000001", text="a", key="k-1")], send=False)
        assert OutboxKey.objects.get(key="k-1").message_id == first
        with pytest.raises(IntegrityError), transaction.atomic():
            dispatch.enqueue_many(
                [
                    dispatch.Outgoing(to="13800000002", text="b", key="k-2"),
                    dispatch.Outgoing(to="13800000003", text="c", key="k-1"),
                ],
                send=False,
            )
        made = dispatch.enqueue_many([dispatch.Outgoing(to="13800000004", text="d")] * 2, send=False)
    assert list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True)) == [first, *made]
    assert set(OutboxKey.objects.values_list("message_id", flat=True)) == {first, *made}
    assert OutboxKey.objects.filter(key="k-2").count() == 0


def test_old_months_of_messages_go_with_their_keys() -> None:
    from tongzhou.core.outbox.models import OutboxKey
    from tongzhou.core.partitions import maintain_all

    with queued_only():
        old, new = dispatch.enqueue_many(
            [dispatch.Outgoing(to="13800000001", text="a"), dispatch.Outgoing(to="13800000002", text="b")], send=False
        )
    then = timezone.now() - timedelta(days=250)
    OutboxMessage.objects.filter(pk=old).update(created_at=then)
    OutboxKey.objects.filter(message_id=old).update(created_at=then)
    with override_settings(TONGZHOU_OUTBOX_RETENTION_MONTHS=6):
        report = maintain_all()["core_outboxmessage"]
    assert report["rows_deleted"] == 1 and report["keys_deleted"] == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [new]
    assert list(OutboxKey.objects.values_list("message_id", flat=True)) == [new]
