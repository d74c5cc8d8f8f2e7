"""Scheduled work of the help desk. Celery beat runs it (CELERY_BEAT_SCHEDULE); a machine without
Celery runs `manage.py confirm_done_requests` from cron instead."""

import logging

from celery import shared_task

from tongzhou.assistance.services import help_requests_auto_confirm

logger = logging.getLogger(__name__)


@shared_task
def auto_confirm() -> int:
    """Idempotent by the request's status: only requests still `done` past the deadline move to
    confirmed, so a second run finds none of the first run's."""
    count = help_requests_auto_confirm()
    logger.info("help requests confirmed automatically: %d", count)
    return count
