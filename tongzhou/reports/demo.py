"""The demo's daily report snapshot (called by `tongzhou.demo`)."""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from tongzhou.places.models import Place


@transaction.atomic
def _daily_report(street: Place, *, log: Callable[[str], None]) -> None:
    """Today's figures of the street's communities, as the cut-off would take them (the page has
    numbers before 16:00)."""
    from tongzhou.reports.services import snapshot_day

    count = snapshot_day(day=timezone.localdate(), within=street)
    log(f"daily report: {count} communities snapshotted for today")
