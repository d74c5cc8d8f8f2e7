"""Background work of notices: queueing a sent notice's texts in batches (the outbox sends them)."""

from celery import shared_task

from tongzhou.notices import services


@shared_task(acks_late=True)
def send_notice_texts(notice_id: int) -> None:
    """Idempotent by recipient: each batch of texts is queued and noted on its recipients in one
    transaction, under a key per recipient (`recipient_key`) that the outbox refuses twice, so a
    second run (a killed worker's task handed out again) queues only the rest."""
    services.notice_texts_queue(notice_id)


@shared_task
def send_notice_texts_due() -> None:
    """Texts of sent notices that no task queued (a lost task). Idempotent as `send_notice_texts`:
    it queues only recipients without a message."""
    services.notices_texts_due()
