"""Scheduled work of supplies, run by Celery beat (CELERY_BEAT_SCHEDULE); without Celery, run
`manage.py check_stock_ledger` from cron."""

import logging

from celery import shared_task

from tongzhou.supplies.services.checks import ledger_check
from tongzhou.supplies.tally_check import tally_check

logger = logging.getLogger(__name__)


@shared_task
def check_ledger() -> dict[str, float]:
    """Idempotent by (balance, day): it compares, and raises one alert per differing balance once a
    day, so a second run raises none again."""
    report = ledger_check()
    logger.info(
        "stock ledger checked: %d entries, %d balances, %d differ (%.2f s)",
        report.entries,
        report.balances,
        len(report.mismatches),
        report.seconds,
    )
    tallies = tally_check()
    logger.info(
        "hand-out tallies checked: %d tallies, %d differ (%.2f s)",
        tallies.tallies,
        len(tallies.mismatches),
        tallies.seconds,
    )
    return {
        "entries": report.entries,
        "mismatches": len(report.mismatches),
        "seconds": report.seconds,
        "tally_mismatches": len(tallies.mismatches),
    }
