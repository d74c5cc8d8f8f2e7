"""Check times and isolation policies: plain functions of dates and times, in Asia/Shanghai.

A check covers every scheduled time up to an hour after it was made (so a check at 07:30 covers
08:00); the next one is due at the first scheduled time after that. Dates are stepped in the local
calendar, so midnight, month ends and leap days need no special case.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

EARLY = timedelta(hours=1)


def parse_check_times(values: list[str]) -> list[time]:
    """`["08:00", "20:00"]` -> sorted times; refuses anything else, naming it."""
    times = []
    for value in values:
        try:
            hours, minutes = value.strip().split(":")
            times.append(time(int(hours), int(minutes)))
        except ValueError:
            raise ValidationError(
                {"check_times": _("“%(value)s” is not a time of day like 08:00.") % {"value": value}}
            ) from None
    if not times or len(times) > 6:
        raise ValidationError({"check_times": _("Give one to six check times a day.")})
    return sorted(set(times))


def next_slot_after(moment: datetime, times: list[time]) -> datetime:
    """The first scheduled check time strictly after `moment`."""
    local = timezone.localtime(moment)
    day = local.date()
    for offset in range(0, 3):
        for at in times:
            slot = timezone.make_aware(datetime.combine(day + timedelta(days=offset), at))
            if slot > local:
                return slot
    raise AssertionError("a schedule has a time every day")


def first_due(starts_on: date, times: list[time], now: datetime) -> datetime:
    """The first check of a new order: the first scheduled time from its start, never in the past."""
    start = timezone.make_aware(datetime.combine(starts_on, time(0, 0)))
    return next_slot_after(max(start - timedelta(microseconds=1), now), times)


def due_after_check(done_at: datetime, times: list[time]) -> datetime:
    return next_slot_after(done_at + EARLY, times)


def policy_days() -> dict[str, tuple[int, int]]:
    """`{kind: (days, follow-up monitoring days)}` from TONGZHOU_ISOLATION_DAYS, e.g.
    `home_isolation=14,centralized=7+7`."""
    policies: dict[str, tuple[int, int]] = {}
    for item in settings.TONGZHOU_ISOLATION_DAYS.split(","):
        if not item.strip():
            continue
        kind, _sep, days = item.partition("=")
        first, _plus, follow = days.partition("+")
        try:
            policies[kind.strip()] = (int(first), int(follow or 0))
        except ValueError:
            raise ImproperlyConfigured(
                f"TONGZHOU_ISOLATION_DAYS: {item!r} is not kind=DAYS or kind=DAYS+DAYS"
            ) from None
    return policies
