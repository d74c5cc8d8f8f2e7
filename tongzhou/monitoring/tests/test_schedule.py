"""Check times in Asia/Shanghai across midnight, month and year ends and leap days."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from tongzhou.monitoring.schedule import due_after_check, first_due, next_slot_after, parse_check_times, policy_days

SH = ZoneInfo("Asia/Shanghai")
TWICE = [time(8), time(20)]


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 3, 10, 7, 59), at(2026, 3, 10, 8, 0)),
        (at(2026, 3, 10, 8, 0), at(2026, 3, 10, 20, 0)),
        (at(2026, 3, 10, 20, 0), at(2026, 3, 11, 8, 0)),
        (at(2026, 1, 31, 23, 59), at(2026, 2, 1, 8, 0)),  # month end
        (at(2026, 12, 31, 21, 0), at(2027, 1, 1, 8, 0)),  # year end
        (at(2028, 2, 28, 22, 0), at(2028, 2, 29, 8, 0)),  # leap day
        (at(2027, 2, 28, 22, 0), at(2027, 3, 1, 8, 0)),
    ],
)
def test_next_slot_after(moment, expected):
    assert next_slot_after(moment, TWICE) == expected


def test_a_check_covers_the_time_an_hour_ahead_and_earlier():
    assert due_after_check(at(2026, 3, 10, 7, 30), TWICE) == at(2026, 3, 10, 20, 0)
    assert due_after_check(at(2026, 3, 10, 6, 30), TWICE) == at(2026, 3, 10, 8, 0)
    assert due_after_check(at(2026, 4, 30, 23, 50), TWICE) == at(2026, 5, 1, 8, 0)
    # A midnight check time: a check at 23:30 covers it, the next is due at 08:00.
    assert due_after_check(at(2026, 4, 30, 23, 30), [time(0, 0), time(8)]) == at(2026, 5, 1, 8, 0)


def test_the_first_check_of_a_new_order_is_never_in_the_past():
    assert first_due(date(2026, 3, 10), TWICE, at(2026, 3, 10, 15, 0)) == at(2026, 3, 10, 20, 0)
    assert first_due(date(2026, 3, 11), TWICE, at(2026, 3, 10, 15, 0)) == at(2026, 3, 11, 8, 0)
    assert first_due(date(2026, 3, 11), [time(0, 0)], at(2026, 3, 10, 15, 0)) == at(2026, 3, 11, 0, 0)


@pytest.mark.parametrize(
    "bad", [["8点"], ["25:00"], [], ["08:00"] * 7 + ["09:00"] * 0 + [f"0{i}:00" for i in range(7)]]
)
def test_bad_check_times_are_named(bad):
    with pytest.raises(ValidationError) as error:
        parse_check_times(bad)
    assert "check_times" in error.value.message_dict


def test_policy_from_the_setting(settings):
    settings.TONGZHOU_ISOLATION_DAYS = "home_isolation=14,centralized=7+7"
    assert policy_days() == {"home_isolation": (14, 0), "centralized": (7, 7)}
