"""Benchmark: how the daily report reads its snapshots, before and after, side by side in one run.

    .venv/bin/python bench/daily_report_history.py   (after bench/daily_report.py, on its database)

The report page needs today's figures whole (its own and its children's) but the six days before
only for the anomaly flags and the trend chart. Before: the 7 days of every community's snapshot
were read whole and summed in Python (309 communities x 7 days x 48 figures of JSON). After:
today's snapshots read whole, the days before as one aggregate in the database of the dozen
figures their flags and chart need (`history_rollups`). Both are timed alternately (20 runs each,
median) on the district that bench/daily_report.py generated (database tz_daily_bench), and their
results compared figure by figure first. Figures are printed, never asserted.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tongzhou.settings_test",
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tz_daily_bench"),
            "TONGZHOU_DEMO": "true",
            "DEBUG": "false",
        }
    )
    import django

    django.setup()
    from tongzhou.places.models import Place, PlaceKind
    from tongzhou.reports import selectors
    from tongzhou.reports.models import Snapshot

    day = Snapshot.objects.order_by("-day").values_list("day", flat=True).first()
    if day is None:
        sys.exit("No snapshots: run bench/daily_report.py first.")
    district = max(
        Place.objects.filter(kind=PlaceKind.DISTRICT),
        key=lambda p: Snapshot.objects.filter(place_path__startswith=p.path, day=day).count(),
    )
    days = [day - timedelta(days=n) for n in range(selectors.ANOMALY_DAYS - 1, -1, -1)]
    keys = selectors._history_keys()

    def before() -> dict:
        rows = selectors._snapshot_rows(district, days)
        history = selectors.rollups(district, days, rows)
        selectors.children_rollups(district, day, rows)
        return history

    def after() -> dict:
        rows = selectors._snapshot_rows(district, [day])
        history = selectors.history_rollups(district, days[:-1], keys)
        history[day] = selectors.rollups(district, [day], rows)[day]
        selectors.children_rollups(district, day, rows)
        return history

    old, new = before(), after()
    for d in days:
        for key in keys:
            assert (old[d].totals.values.get(key) or 0) == (new[d].totals.values.get(key) or 0), (d, key)
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(20):
        for name, fn in (("before", before), ("after", after)):
            started = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - started) * 1000)
    communities = Snapshot.objects.filter(day=day, place_path__startswith=district.path).count()
    print(f"{district.name}: {communities} communities, {len(keys)} figures read for the days before, {day}")
    print(f"  before: 7 days of snapshots read whole      median {statistics.median(times['before']):7.1f} ms")
    print(f"  after:  today whole + one aggregate before  median {statistics.median(times['after']):7.1f} ms")


if __name__ == "__main__":
    main()
