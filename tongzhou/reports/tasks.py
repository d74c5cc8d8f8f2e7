"""Scheduled work of the daily report, run by Celery beat at the cut-off (CELERY_BEAT_SCHEDULE);
without Celery, run `manage.py snapshot_daily` from cron at the same time."""

import logging
from datetime import date

from celery import shared_task
from django.utils import timezone

from tongzhou.reports.services import snapshot_day

logger = logging.getLogger(__name__)


@shared_task
def snapshot_today(day: str = "") -> int:
    """Snapshot every community's figures for `day` (ISO date; today by default). Idempotent by
    (community, day): a second run replaces the day's snapshots, it does not add to them."""
    when = date.fromisoformat(day) if day else timezone.localdate()
    count = snapshot_day(day=when)
    logger.info("daily report snapshots for %s: %d communities", when, count)
    return count
