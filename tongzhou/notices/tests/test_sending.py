"""Sending a notice at scale: the recipients are frozen with their numbers and the send task
queues the texts in batches, each recipient once however often the task is retried; each
recipient keeps its message's status (from the worker's batch and from delivery receipts), and
the reach report reads the recipients, not the outbox."""

import json
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import reverse

from tongzhou.core import pii
from tongzhou.core.outbox import dispatch
from tongzhou.core.outbox.models import MessageStatus, OutboxMessage
from tongzhou.core.tests.gateway_standin import gateway_standin
from tongzhou.core.tests.test_outbox import queued_only
from tongzhou.notices.models import Recipient
from tongzhou.notices.selectors import reach_report
from tongzhou.notices.services import notice_create, notice_send, notice_texts_queue, recipient_key
from tongzhou.notices.tests.test_notices import building, draft
from tongzhou.people.models import Person

RECEIPT_KEY = "receipt-key-for-tests"
GATEWAY = "tongzhou.core.messaging.HttpSmsGateway"


class Killed(BaseException):
    """The worker dies in the middle of a batch: its transaction is rolled back."""


@pytest.fixture
def standin():
    with (
        gateway_standin() as standin,
        override_settings(TONGZHOU_MESSAGE_BACKEND=GATEWAY, TONGZHOU_SMS_GATEWAY_URL=standin.url),
    ):
        yield standin


def sent_without_texts(demo):
    """A notice to 2栋 approved with a broker: the recipients are frozen, no text is queued yet."""
    with queued_only():
        notice = notice_send(
            actor=demo.taian_staff, notice=notice_create(actor=demo.taian_staff, draft=draft(building(demo)))
        )
    return notice


def test_freezing_writes_no_outbox_row_and_keeps_each_number_sealed(demo):
    notice = sent_without_texts(demo)
    people = Person.objects.filter(place_path__startswith=building(demo).path)
    assert not OutboxMessage.objects.filter(kind="notice").exists()
    recipients = Recipient.objects.filter(notice=notice)
    assert recipients.count() == people.count() == notice.recipient_count
    with_phone = recipients.exclude(sealed_to="")
    assert with_phone.count() == people.exclude(phone_index="").count() > 0
    assert all(r.status == MessageStatus.QUEUED and r.message_id is None for r in with_phone)
    one = with_phone.first()
    assert one.to_index == pii.blind_index(pii.decrypt(one.sealed_to)) and one.to_masked.startswith("*******")
    assert "】核酸检测通知：" in notice.message_text  # the text, frozen with the list
    _report, totals = reach_report(notice)
    assert totals["pending"] > 0 and "delivered" not in totals


def test_a_send_task_killed_and_retried_queues_and_sends_each_recipient_once(demo, standin):
    notice = sent_without_texts(demo)
    waiting = Recipient.objects.filter(notice=notice).exclude(sealed_to="")
    total = waiting.count()
    assert total >= 4
    with queued_only():
        # The first run queues one batch of 2, then dies in the second: that batch is undone.
        assert notice_texts_queue(notice.pk, batch=2, limit=2) == 2
        with pytest.raises(Killed), transaction.atomic():
            notice_texts_queue(notice.pk, batch=2, limit=2)
            raise Killed
        assert OutboxMessage.objects.filter(kind="notice").count() == 2
        # The task is handed to another worker: it queues the rest, and a third run nothing.
        assert notice_texts_queue(notice.pk, batch=2) == total - 2
        assert notice_texts_queue(notice.pk, batch=2) == 0
        # Even a run that had missed the notes on the recipients could not queue one twice.
        first = waiting.order_by("pk").first()
        with pytest.raises(IntegrityError), transaction.atomic():
            dispatch.enqueue_many(
                [dispatch.Outgoing(to="13800000001", text="x", key=recipient_key(notice.pk, first.pk))], send=False
            )
    messages = OutboxMessage.objects.filter(kind="notice")
    assert messages.count() == total
    assert set(waiting.values_list("message__key", flat=True)) == {recipient_key(notice.pk, r.pk) for r in waiting}

    assert dispatch.deliver() == {MessageStatus.SENT: total}
    numbers = [pii.decrypt(r.sealed_to) for r in waiting]
    assert sorted(standin.delivered.values()) == sorted(numbers)
    assert len(standin.requests) == total  # nobody texted twice
    # The worker's batch record moved every recipient with it.
    assert set(waiting.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert reach_report(notice)[1]["pending"] == 0 and reach_report(notice)[1]["delivered"] > 0


def _post_receipt(body: bytes):
    with override_settings(TONGZHOU_SMS_RECEIPT_KEY=RECEIPT_KEY):
        return Client().post(
            reverse("notices:receipt"),
            body,
            content_type="application/json",
            HTTP_X_TONGZHOU_SIGNATURE=dispatch.receipt_signature(body),
        )


def test_the_recipient_takes_the_status_of_each_batch_and_each_receipt(demo, standin):
    place = building(demo)
    phones = list(Person.objects.filter(place_path__startswith=place.path).exclude(phone_index="").order_by("pk"))
    standin.script = {phones[0].phone: [400], phones[1].phone: [503]}
    notice = notice_send(actor=demo.taian_staff, notice=notice_create(actor=demo.taian_staff, draft=draft(place)))
    recipients = Recipient.objects.filter(notice=notice).exclude(sealed_to="").select_related("message")
    by_number = {pii.decrypt(r.sealed_to): r for r in recipients}
    assert by_number[phones[0].phone].status == MessageStatus.FAILED  # refused for good
    assert by_number[phones[1].phone].status == MessageStatus.QUEUED  # to be retried
    assert all(r.status == r.message.status for r in recipients)
    _report, totals = reach_report(notice)
    assert totals["delivered"] >= 1

    sent = by_number[phones[2].phone]
    body = json.dumps({"key": sent.message.key, "status": "delivered"}).encode()
    assert _post_receipt(body).json() == {"changed": 1}
    sent.refresh_from_db()
    assert sent.status == MessageStatus.DELIVERED
    lost = by_number[phones[3].phone]
    body = json.dumps({"key": lost.message.key, "status": "failed", "error": "关机"}).encode()
    assert _post_receipt(body).json() == {"changed": 1}
    lost.refresh_from_db()
    assert lost.status == MessageStatus.FAILED
    forged = json.dumps({"key": sent.message.key, "status": "failed"}).encode()
    with override_settings(TONGZHOU_SMS_RECEIPT_KEY=RECEIPT_KEY):
        answer = Client().post(
            reverse("notices:receipt"), forged, content_type="application/json", HTTP_X_TONGZHOU_SIGNATURE="0" * 64
        )
    assert answer.status_code == 403
    sent.refresh_from_db()
    assert sent.status == MessageStatus.DELIVERED
    assert all(r.status == r.message.status for r in Recipient.objects.filter(notice=notice).exclude(sealed_to=""))


def test_a_recipient_whose_message_went_with_its_month_is_not_texted_again(demo: Any, standin: Any) -> None:
    """The outbox keeps TONGZHOU_OUTBOX_RETENTION_MONTHS; a dropped month sets the recipients'
    message NULL (no database constraint), and they keep the status their text had reached."""
    from datetime import timedelta

    from django.utils import timezone

    from tongzhou.core.outbox.models import OutboxKey
    from tongzhou.core.partitions import maintain_all

    notice = sent_without_texts(demo)
    with queued_only():
        total = notice_texts_queue(notice.pk)
    assert dispatch.deliver() == {MessageStatus.SENT: total}
    then = timezone.now() - timedelta(days=250)
    OutboxMessage.objects.filter(kind="notice").update(created_at=then)
    OutboxKey.objects.filter(key__startswith=f"notice-{notice.pk}-").update(created_at=then)
    with override_settings(TONGZHOU_OUTBOX_RETENTION_MONTHS=6):
        maintain_all()
    texted = Recipient.objects.filter(notice=notice).exclude(sealed_to="")
    assert not OutboxMessage.objects.filter(kind="notice").exists()
    assert texted.count() == total and not texted.filter(message__isnull=False).exists()
    assert set(texted.values_list("status", flat=True)) == {MessageStatus.SENT}
    with queued_only():
        assert notice_texts_queue(notice.pk) == 0
    assert reach_report(notice)[1]["pending"] == 0
