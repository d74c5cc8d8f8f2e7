"""Scheduled work of testing, run by Celery beat (CELERY_BEAT_SCHEDULE); without Celery, run
`manage.py purge_test_results` from cron."""

import logging

from celery import shared_task

from tongzhou.testing.services import results_purge

logger = logging.getLogger(__name__)


@shared_task
def purge() -> dict[str, int]:
    """Idempotent: deletes what is past its keeping time; a second run finds nothing more."""
    report = results_purge()
    logger.info("test results purged: %s", report)
    return report
