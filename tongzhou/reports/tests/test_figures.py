"""Figures named once: every module's figures are found, counted set-based, and their drill-down
lists exactly the rows counted; a parent's value is the sum of its children's."""

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from tongzhou.alerts.models import Alert
from tongzhou.core.figures import Day, compute, figures
from tongzhou.places.models import Place, PlaceKind
from tongzhou.reports.models import Snapshot
from tongzhou.reports.selectors import children_rollups, rollups
from tongzhou.reports.services import snapshot_day

EXPECTED = {
    "residents",
    "isolating_home_isolation",
    "orders_new",
    "orders_released",
    "checks_done",
    "checks_overdue",
    "alerts_open",
    "passages",
    "refusals",
    "fevers",
    "help_opened",
    "help_done",
    "help_overdue",
    "volunteers_on_duty",
    "volunteer_hours",
    "sampled_in_round",
    "in_positive_tubes",
    "recalls_outstanding",
    "notice_households",
    "notice_not_reached",
}


def test_every_module_declares_its_figures_in_its_own_module() -> None:
    keys = {f.key for f in figures()}
    assert keys >= EXPECTED
    for fig in figures():
        assert fig.doc and fig.columns and fig.label


def test_each_figure_is_one_query_for_many_communities(demo: Any, django_assert_max_num_queries: Any) -> None:
    communities = list(Place.objects.filter(kind=PlaceKind.COMMUNITY).values_list("path", flat=True))
    day = Day.of(timezone.localdate())
    declared = figures()
    with django_assert_max_num_queries(len(declared)):
        values = compute(declared, day=day, communities=communities, within=[demo.places["er_ge"].path])
    assert set(values) == {f.key for f in declared}


def test_a_drill_down_lists_exactly_the_rows_its_figure_counted(demo: Any, settings: Any) -> None:
    # A cut-off at the end of the day, so the demo's rows written a moment ago are counted.
    settings.TONGZHOU_REPORT_CUTOFF = "23:59"
    today = timezone.localdate()
    snapshot_day(day=today)
    day = Day.of(today)
    assert Snapshot.objects.filter(day=today).count() >= 3
    seen: set[str] = set()
    for snap in Snapshot.objects.filter(day=today):
        for fig in figures():
            rows = fig.drill(day, snap.place_path)
            assert rows.count() == len(list(rows))
            assert sum(fig.value_of(r) for r in rows) == snap.values[fig.key], (fig.key, snap.place_path)
            if snap.values[fig.key]:
                seen.add(fig.key)
    print("SEEN", sorted(seen))
    # The demo has residents everywhere: the figure is not vacuous.
    assert Snapshot.objects.get(day=today, place=demo.places["taian"]).values["residents"] > 0


def _tree(district: Place, shape: list[int]) -> list[Place]:
    communities = []
    for s, width in enumerate(shape):
        street = Place.objects.create(
            kind=PlaceKind.STREET,
            code=f"{district.code}{s + 901:03d}"[:12],
            name=f"街道{s}",
            parent=district,
            depth=district.depth + 1,
            path=f"{district.path}{district.code}{s + 901:03d}/",
        )
        for c in range(width):
            code = f"{street.code}{c + 1:03d}"
            communities.append(
                Place.objects.create(
                    kind=PlaceKind.COMMUNITY,
                    code=code,
                    name=f"社区{s}-{c}",
                    parent=street,
                    depth=street.depth + 1,
                    path=f"{street.path}{code}/",
                )
            )
    return communities


@examples(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    alerts=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 2), st.integers(0, 23), st.booleans()), max_size=25),
)
def test_a_parents_value_is_the_sum_of_its_childrens_for_every_figure_and_day(
    demo: Any, shape: list[int], alerts: list[tuple[int, int, int, bool]]
) -> None:
    district = demo.places["er_ge"].parent
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(3)]
    with transaction.atomic():
        communities = _tree(district, shape)
        for index, back, hour, closed in alerts:
            place = communities[index % len(communities)]
            at = timezone.make_aware(datetime.combine(today - timedelta(days=back), datetime.min.time())) + timedelta(
                hours=hour
            )
            Alert.objects.create(
                kind="test",
                place=place,
                place_path=place.path,
                created_at=at,
                closed_at=at + timedelta(hours=3) if closed else None,
                status="closed" if closed else "open",
            )
        for day in days:
            snapshot_day(day=day, within=district, now=timezone.now())
        for day in days:
            for parent in [district, *Place.objects.filter(parent=district)]:
                whole = rollups(parent, [day])[day].totals
                parts = [roll.totals for _, roll in children_rollups(parent, day)]
                for fig in figures():
                    if fig.key in whole.missing:
                        continue
                    assert whole.values.get(fig.key, 0) == sum(p.values.get(fig.key, 0) for p in parts), fig.key
            # And the sums are the rows: the district's open alerts are its drill-down.
            alerts_open = next(f for f in figures() if f.key == "alerts_open")
            assert rollups(district, [day])[day].totals.values["alerts_open"] == (
                alerts_open.drill(Day.of(day), district.path).count()
            )
        transaction.set_rollback(True)


def test_a_late_run_rebuilds_dated_figures_and_says_which_it_cannot(demo: Any) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    snapshot_day(day=yesterday, now=timezone.now())
    snap = Snapshot.objects.get(day=yesterday, place=demo.places["taian"])
    assert snap.late
    assert snap.values["residents"] is None
    assert snap.missing.get("residents")
    assert snap.values["alerts_open"] is not None
    assert "alerts_open" not in snap.missing


def test_a_late_run_keeps_what_the_on_time_run_counted(demo: Any) -> None:
    day = date(2026, 3, 1)
    on_time = timezone.make_aware(datetime(2026, 3, 1, 16, 0))
    snapshot_day(day=day, now=on_time)
    before = Snapshot.objects.get(day=day, place=demo.places["taian"]).values["residents"]
    snapshot_day(day=day, now=on_time + timedelta(days=2))
    after = Snapshot.objects.get(day=day, place=demo.places["taian"])
    assert after.late and after.values["residents"] == before and "residents" not in after.missing
