"""A figure that jumps against the last days is flagged with the change."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tongzhou.core.figures import figures
from tongzhou.places.models import Place
from tongzhou.reports.models import Snapshot
from tongzhou.reports.selectors import _change, daily_report


def test_doubled_and_rising_figures_are_flagged() -> None:
    assert _change("doubled", [1, 2, 4]).startswith("doubled") or "4" in _change("doubled", [1, 2, 4])
    assert _change("doubled", [3, 3, 4]) == ""
    assert _change("rising", [1, 2, 3]) != ""
    assert _change("rising", [1, 3, 3]) == ""
    assert _change("", [1, 100, 1000]) == ""
    assert _change("doubled", [None, None, 5]) == ""


def _snap(place: Place, day: Any, **values: int) -> None:
    full = dict.fromkeys((f.key for f in figures()), 0) | values
    Snapshot.objects.update_or_create(
        place=place,
        day=day,
        defaults={"place_path": place.path, "cutoff": timezone.now(), "taken_at": timezone.now(), "values": full},
    )


def test_the_report_flags_fevers_doubled_and_a_fall_in_the_share_sampled(demo: Any) -> None:
    taian, today = demo.places["taian"], timezone.localdate()
    yesterday = today - timedelta(days=1)
    _snap(taian, yesterday, fevers=2, residents=100, sampled_in_round=80)
    _snap(taian, today, fevers=5, residents=100, sampled_in_round=60)
    lines = {line.key: line for line in daily_report(taian, today).lines}
    assert lines["fevers"].change and lines["fevers"].value == 5
    assert lines["share_sampled"].value == 60.0
    assert "20" in lines["share_sampled"].change
    assert lines["residents"].change == ""
