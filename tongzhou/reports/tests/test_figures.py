"""Figures named once: every module's figures are found, counted set-based, and their drill-down
lists exactly the rows counted; a parent's value is the sum of its children's."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from tongzhou.alerts.models import Alert
from tongzhou.assistance.figures import DONE_BY_HOURS, HOURS_TO_DONE, MEDIAN_TO_DONE
from tongzhou.assistance.models import HelpRequest, Status
from tongzhou.core.figures import Bucket, Day, Median, compute, figures
from tongzhou.places.models import Place, PlaceKind
from tongzhou.reports.models import Snapshot
from tongzhou.reports.selectors import children_rollups, rollups
from tongzhou.reports.services import snapshot_day
from tongzhou.supplies.models import ItemKind, StoreKind
from tongzhou.supplies.services.catalogue import item_create, store_create
from tongzhou.supplies.services.ledger import stock_issue, stock_receive

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
    "stock_mask",
    "issued_mask",
    "stock_disinfectant",
    "welfare_covered",
    "claims_paid_yuan",
    "visits_due",
    *(f"help_done_hours_{n}" for n in range(len(HOURS_TO_DONE))),
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
    # The demo's rows make these figures more than zero somewhere: the check is not vacuous.
    assert seen >= {"residents", "help_opened", "help_done", "help_done_hours_0"}
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
    helps=st.lists(
        st.tuples(st.integers(0, 11), st.integers(0, 2), st.integers(0, 15), st.integers(0, 4000)), max_size=20
    ),
    stock=st.lists(st.tuples(st.integers(0, 11), st.integers(1, 500), st.integers(0, 100)), max_size=6),
)
def test_a_parents_value_is_the_sum_of_its_childrens_for_every_figure_and_day(
    demo: Any,
    settings: Any,
    shape: list[int],
    alerts: list[tuple[int, int, int, bool]],
    helps: list[tuple[int, int, int, int]],
    stock: list[tuple[int, int, int]],
) -> None:
    # A cut-off at the end of the day, so the stock moved a moment ago is counted today.
    settings.TONGZHOU_REPORT_CUTOFF = "23:59"
    district = demo.places["er_ge"].parent
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(3)]
    template = HelpRequest.objects.order_by("pk").first()
    assert template is not None
    with transaction.atomic():
        communities = _tree(district, shape)
        for index, back, hour, closed in alerts:
            place = communities[index % len(communities)]
            at = _at(today - timedelta(days=back), hour)
            Alert.objects.create(
                kind="test",
                place=place,
                place_path=place.path,
                created_at=at,
                closed_at=at + timedelta(hours=3) if closed else None,
                status="closed" if closed else "open",
            )
        # Help requests done on a day after `minutes`: the histogram's rows (minutes to done, by path).
        took: list[tuple[date, str, float]] = []
        for index, back, hour, minutes in helps:
            place = communities[index % len(communities)]
            done = _at(today - timedelta(days=back), hour)
            row = HelpRequest.objects.get(pk=template.pk)
            row.pk = None
            row.place_path = place.path
            row.save()
            HelpRequest.objects.filter(pk=row.pk).update(
                created_at=done - timedelta(minutes=minutes), done_at=done, status=Status.DONE
            )
            took.append((done.date(), place.path, minutes / 60))
        # Masks received and issued in the communities' storerooms (today, before the cut-off).
        if stock:
            mask = item_create(actor=None, name="测试口罩", kind=ItemKind.MASK, unit="只")
            stores: dict[int, Any] = {}
            for index, received, share in stock:
                place = communities[index % len(communities)]
                store = stores.get(place.pk) or store_create(
                    actor=None, place=place, name=f"{place.name}库房", kind=StoreKind.STOREROOM
                )
                stores[place.pk] = store
                stock_receive(actor=None, store=store, item=mask, quantity=received)
                if received * share // 100:
                    stock_issue(actor=None, store=store, item=mask, quantity=received * share // 100)
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
                # The histogram's buckets split the requests done, and the median read from the
                # summed buckets falls in the bucket of the middle request of the place's.
                assert sum(whole.values[b.key] for b in DONE_BY_HOURS) == whole.values["help_done"]
                mine = sorted(h for d, path, h in took if d == day and path.startswith(parent.path))
                median = MEDIAN_TO_DONE.of(whole.values)
                if mine and parent.pk in {c.parent_id for c in communities}:  # the demo's own are elsewhere
                    middle = mine[(len(mine) - 1) // 2]
                    bucket = next(
                        b for b in MEDIAN_TO_DONE.buckets if middle >= b.low and (b.high is None or middle < b.high)
                    )
                    assert median is not None and bucket.low <= median <= (bucket.high or bucket.low)
            # And the sums are the rows: each figure of the district is its drill-down's sum.
            district_values = rollups(district, [day])[day].totals.values
            for fig in figures():
                if fig.key in rollups(district, [day])[day].totals.missing:
                    continue
                counted = fig.drill(Day.of(day), district.path).aggregate(v=fig.measure())["v"] or 0
                assert district_values.get(fig.key, 0) == pytest.approx(float(counted)), fig.key
        if stock:
            street = Place.objects.get(pk=communities[stock[0][0] % len(communities)].parent_id)
            values = rollups(street, [today])[today].totals.values
            assert values["stock_mask"] + values["issued_mask"] > 0
        transaction.set_rollback(True)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=hour)


def test_a_median_is_read_from_the_summed_buckets() -> None:
    median = Median(key="m", label="m", buckets=(Bucket("a", 0, 1), Bucket("b", 1, 2), Bucket("c", 2, None)))
    assert median.of({"a": 2, "b": 1, "c": 1}) == 1.0  # the half of 4 is at the end of bucket a
    assert median.of({"a": 4, "b": 1, "c": 1}) == 0.8  # 0.75, interpolated within bucket a, to one decimal
    assert median.of({"a": 0, "b": 2, "c": 0}) == 1.5
    assert median.of({"a": 0, "b": 0, "c": 3}) == 2  # the open bucket: at least its lower bound
    assert median.of({"a": 0, "b": 0, "c": 0}) is None
    assert median.of({"a": 1, "b": None, "c": 0}) is None
    # A street's median is read from its communities' summed buckets, not averaged from their medians.
    one, two = {"a": 3, "b": 0, "c": 0}, {"a": 0, "b": 0, "c": 1}
    assert median.of({k: one[k] + two[k] for k in one}) == pytest.approx(2 / 3, abs=0.05)


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
