"""Scheduled work of the core, run by Celery beat; without Celery, run `manage.py partitions`
from cron."""

import logging

from celery import shared_task

from tongzhou.core.partitions import maintain_all

logger = logging.getLogger(__name__)


@shared_task
def maintain_partitions() -> dict[str, dict[str, int]]:
    """Idempotent: for every partitioned event table, creates the monthly partitions that are
    missing and drops those past retention; a second run finds both done."""
    report = maintain_all()
    logger.info("partitions: %s", report)
    return report
