"""Scheduled work of the gates, run by Celery beat; without Celery, run
`manage.py passages_partitions` from cron."""

import logging

from celery import shared_task

from tongzhou.checkpoints.partitions import maintain

logger = logging.getLogger(__name__)


@shared_task
def maintain_partitions() -> dict[str, int]:
    """Idempotent: creates the partitions that are missing and drops those past retention; a
    second run finds both done."""
    report = maintain()
    logger.info("passage partitions: %s", report)
    return report
