"""Background work of notices: queueing a sent notice's texts in batches (the outbox sends them)."""

from celery import shared_task

from tongzhou.notices import services


# acks_late: a worker killed in the middle hands the task back to the broker; the batches it
# queued are noted on the recipients, so the second run queues only the rest.
@shared_task(acks_late=True)
def send_notice_texts(notice_id: int) -> None:
    services.notice_texts_queue(notice_id)


@shared_task
def send_notice_texts_due() -> None:
    """Texts of sent notices that no task queued (a lost task)."""
    services.notices_texts_due()
