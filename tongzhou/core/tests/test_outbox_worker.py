"""The outbox on the real parts: a Celery worker consuming from Redis sends the queued messages to
the stand-in gateway, each once. Elsewhere in the suite tasks run eagerly, as without REDIS_URL."""

import time

import pytest
from django.test import override_settings

from tongzhou.core.outbox.dispatch import Outgoing, enqueue
from tongzhou.core.outbox.models import MessageStatus, OutboxMessage
from tongzhou.core.tests.gateway_standin import gateway_standin
from tongzhou.people.tests.test_celery_worker import REDIS_URL, worker  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_sends_the_queued_messages_once_each(worker):  # noqa: F811
    from tongzhou.celery import app

    assert app.conf.task_always_eager is False and app.conf.broker_url == REDIS_URL
    numbers = [f"1380000{i:04d}" for i in range(20)]
    with (
        gateway_standin() as standin,
        override_settings(
            TONGZHOU_MESSAGE_BACKEND="tongzhou.core.messaging.HttpSmsGateway", TONGZHOU_SMS_GATEWAY_URL=standin.url
        ),
    ):
        standin.fail_every = 7  # some temporary failures: retried by the sweep, not twice
        rows = enqueue([Outgoing(to=n, text="核酸检测通知", scope="/52/") for n in numbers])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if not OutboxMessage.objects.filter(status=MessageStatus.SENDING).exists() and len(standin.requests) >= len(
                numbers
            ):
                break
            time.sleep(0.2)
        assert set(OutboxMessage.objects.values_list("status", flat=True)) <= {MessageStatus.SENT, MessageStatus.QUEUED}
        queued = OutboxMessage.objects.filter(status=MessageStatus.QUEUED).count()
        assert queued == sum(1 for *_r, code in standin.requests if code == 503) > 0
        assert len(standin.delivered) == len(numbers) - queued
        assert all(standin.deliveries_to(n) <= 1 for n in numbers)
    assert len(rows) == len(numbers)
