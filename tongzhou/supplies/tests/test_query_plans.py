"""PostgreSQL plans of the stores' hot queries over a city's ledger: stock on hand and a store's
balances read the balance table by index, a store's latest entries the ledger by index
(tongzhou.core.query_plans). The ledger itself is not partitioned (see core/partitions.py)."""

from typing import Any

import pytest

from tongzhou.core.query_plans import assert_no_seq_scan, clone_rows
from tongzhou.supplies.models import Balance, Store
from tongzhou.supplies.selectors import stock_on_hand, stock_per_child, store_balances, store_entries

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BIG = ("supplies_balance", "supplies_entry")


@pytest.fixture
def city(supplies: Any) -> Store:
    """30,000 lots with a balance each (one in a hundred in the first store's area) and 100,000
    ledger entries spread over the demo's stores."""
    balance = Balance.objects.order_by("pk").first()
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
