"""The beat task and the command are two doors to the same snapshot."""

from typing import Any

from django.core.management import call_command
from django.utils import timezone

from tongzhou.reports.models import Snapshot
from tongzhou.reports.tasks import snapshot_today


def _stored() -> dict[str, tuple[Any, Any]]:
    return {s.place_path: (s.values, s.missing) for s in Snapshot.objects.order_by("place_path")}


def test_the_snapshot_is_the_same_by_beat_task_or_command(demo: Any) -> None:
    today = timezone.localdate().isoformat()
    assert snapshot_today.apply(kwargs={"day": today}).get() >= 3
    by_task = _stored()
    Snapshot.objects.all().delete()
    call_command("snapshot_daily", day=today)
    assert _stored() == by_task
    assert Snapshot.objects.filter(day=today).count() == len(by_task)


def test_the_command_names_a_bad_day() -> None:
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--day"):
        call_command("snapshot_daily", day="2026-13-40")
