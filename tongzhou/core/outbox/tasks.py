"""Background sending of the outbox. Without a broker (no REDIS_URL) messages are sent in-process
when queued; the sweep also runs from `manage.py send_messages` (cron)."""

from celery import shared_task

from tongzhou.core.outbox import dispatch


@shared_task(acks_late=True)
def send_outbox(ids: list[int]) -> None:
    """Idempotent by the messages' keys: a message moves queued -> sending -> sent by
    compare-and-set, so a second run (a killed worker's task handed out again, acks_late) sends only
    what is still due; a message the killed worker had claimed is resent by the sweep once its claim
    runs out, under the same idempotency key, which the gateway recognises."""
    dispatch.deliver(ids)


@shared_task
def send_outbox_due() -> None:
    """Retries whose back-off has passed and messages a killed worker left half-claimed: the delayed
    work of the outbox, released from the database (next_attempt_at) every minute by beat instead
    of a countdown. Idempotent as `send_outbox`: it claims due rows only."""
    dispatch.deliver()
