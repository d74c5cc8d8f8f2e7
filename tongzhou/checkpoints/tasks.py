"""Scheduled work of the gates, run by Celery beat. The passage log's partitions are maintained
with every other partitioned table by `tongzhou.core.tasks.maintain_partitions`."""

import logging

from celery import shared_task

from tongzhou.core.partitions import maintain_all

logger = logging.getLogger(__name__)


@shared_task
def maintain_partitions() -> dict[str, dict[str, int]]:
    """The former beat task, kept so messages already queued under this name still run: it does
    what `tongzhou.core.tasks.maintain_partitions` does, and is idempotent as it is."""
    report = maintain_all()
    logger.info("partitions: %s", report)
    return report
