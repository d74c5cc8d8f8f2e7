"""Scheduled work of monitoring, run by Celery beat (CELERY_BEAT_SCHEDULE); without Celery, run
`manage.py escalate_checks` and `manage.py purge_health_data` from cron."""

import logging

from celery import shared_task

from tongzhou.monitoring.services import health_data_purge, monitoring_escalate

logger = logging.getLogger(__name__)


@shared_task
def escalate() -> dict[str, int]:
    """Idempotent by the alert's key (order and missed slot): an alert already raised is not raised
    again, so a second run adds nothing (monitoring_escalate)."""
    report = monitoring_escalate()
    logger.info("monitoring alerts raised: %s", report)
    return report


@shared_task
def purge() -> dict[str, int]:
    """Idempotent: deletes what is past its keeping time; a second run finds nothing more."""
    report = health_data_purge()
    logger.info("health data purged: %s", report)
    return report
