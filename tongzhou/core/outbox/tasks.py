"""Background sending of the outbox. Without a broker (no REDIS_URL) messages are sent in-process
when queued; the sweep also runs from `manage.py send_messages` (cron)."""

from celery import shared_task

from tongzhou.core.outbox import dispatch


# acks_late: a worker killed in the middle hands the task back to the broker; the claim rules of
# `dispatch` make the second run skip what the first one sent.
@shared_task(acks_late=True)
def send_outbox(ids: list[int]) -> None:
    dispatch.deliver(ids)


@shared_task
def send_outbox_due() -> None:
    """Retries whose back-off has passed and messages a killed worker left half-claimed."""
    dispatch.deliver()
