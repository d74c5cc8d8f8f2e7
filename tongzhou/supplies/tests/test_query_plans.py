"""PostgreSQL plans of the stores' hot queries over a city's ledger: stock on hand and a store's
balances read the balance table by index, a store's latest entries the ledger by index
(tongzhou.core.query_plans). The ledger is partitioned by month: a store's entries of a month
read that month's partition only, the dashboard's week of issues no month before the week."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongzhou.core import partitions
from tongzhou.core.query_plans import assert_no_seq_scan, clone_rows
from tongzhou.core.scope import Scope
from tongzhou.supplies.models import Balance, Entry, Store
from tongzhou.supplies.partitions import LEDGER
from tongzhou.supplies.selectors import (
    stock_on_hand,
    stock_per_child,
    store_balances,
    store_entries,
    supplies_figures,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BIG = ("supplies_balance", "supplies_entry")


@pytest.fixture
def city(supplies: Any) -> Store:
    """30,000 lots with a balance each (one in a hundred in the first store's area) and 100,000
    ledger entries spread over the demo's stores and the last 70 days (three months), one in a
    hundred in the first entry's area."""
    partitions.ensure_partitions(LEDGER, since=timezone.localdate() - timedelta(days=70))
    balance = Balance.objects.order_by("pk").first()
    assert balance is not None
    stores = list(Store.objects.values_list("pk", flat=True))
    clone_rows("supplies_lot", 30_000, code="'L' || g")
    clone_rows(
        "supplies_balance",
        30_000,
        lot_id="(SELECT max(id) FROM supplies_lot) - g + 1",
        place_path="CASE WHEN g % 100 = 0 THEN t.place_path ELSE '/99/' || g || '/' END",
        store_id=f"CASE WHEN g % 100 = 0 THEN t.store_id ELSE (ARRAY{stores})[g % {len(stores)} + 1] END",
    )
    clone_rows(
        "supplies_entry",
        100_000,
        store_id=f"(ARRAY{stores})[g % {len(stores)} + 1]",
        place_path="CASE WHEN g % 100 = 0 THEN t.place_path ELSE '/99/' || g || '/' END",
        created_at="now() - g * interval '1 minute'",
    )
    return balance.store


def test_stock_on_hand_and_a_stores_balances_and_entries_use_indexes(supplies: Any, city: Store) -> None:
    assert_no_seq_scan(lambda: stock_on_hand(supplies.taian_keeper), *BIG)
    assert_no_seq_scan(lambda: list(store_balances(city)), *BIG)
    assert_no_seq_scan(lambda: list(store_entries(city)), *BIG)


def test_the_totals_per_child_place_read_the_balances_by_index(supplies: Any, city: Store) -> None:
    street = supplies.store_warehouse.place
    assert_no_seq_scan(lambda: stock_per_child([street]), *BIG)
    assert_no_seq_scan(lambda: stock_per_child([supplies.store_taian.place, supplies.store_songhua.place]), *BIG)


def test_a_stores_entries_read_by_index_and_a_month_of_them_its_partition(city: Store) -> None:
    assert partitions.is_partitioned(LEDGER)
    for plan in assert_no_seq_scan(lambda: list(store_entries(city)), *BIG):
        # Over every month, by the (store, created_at) index.
        assert len(plan.relations("supplies_entry_p")) >= 3
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = partitions.start_of(partitions.month_start(start.date(), 1))
    this_month = (
        Entry.objects.filter(store=city, created_at__gte=start, created_at__lt=end)
        .select_related("item", "lot", "actor")
        .order_by("-created_at", "-pk")[:50]
    )
    for plan in assert_no_seq_scan(lambda: list(this_month), *BIG):
        assert plan.relations("supplies_entry") == {LEDGER.partition_name(start.date())}


def test_the_weeks_issues_skip_the_months_before_the_week(supplies: Any, city: Store) -> None:
    """The dashboard's issues since a week ago: no month before the week's first is read (those
    ahead and the default partition are empty, the bound being open above)."""
    first = LEDGER.partition_name(partitions.month_start(timezone.localdate() - timedelta(days=7)))
    scope = Scope.of([supplies.store_warehouse.place_path])
    plans = assert_no_seq_scan(lambda: supplies_figures(scope), *BIG)
    ledger = [plan for plan in plans if plan.relations("supplies_entry")]
    assert ledger
    for plan in ledger:
        read = plan.relations("supplies_entry_p")
        assert first in read and not {name for name in read if name < first}, plan.text()
