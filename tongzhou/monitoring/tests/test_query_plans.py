"""PostgreSQL plans of monitoring's hot queries with a city's worth of orders and two months of
health checks: today's list, its counts and the checks of an order use indexes, and the checks
of a month read that month's partition only (tongzhou.core.query_plans)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongzhou.core import partitions
from tongzhou.core.query_plans import assert_no_seq_scan, clone_rows
from tongzhou.core.scope import Scope
from tongzhou.monitoring.models import CheckMethod, HealthCheck
from tongzhou.monitoring.partitions import HEALTH_CHECKS
from tongzhou.monitoring.selectors import checks_of, today_counts, today_page

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BIG = ("monitoring_isolationorder", "monitoring_healthcheck")


@pytest.fixture
def order(make_order: Callable[..., Any]) -> Any:
    """20,000 orders (one in ten active, one in ten in the first order's compound) and 200,000
    checks over two months."""
    first = make_order()
    now = timezone.now()
    partitions.ensure_partitions(HEALTH_CHECKS, since=timezone.localdate(now - timedelta(days=70)))
    HealthCheck.objects.create(order=first, done_at=now, method=CheckMethod.PHONE)
    clone_rows(
        "monitoring_isolationorder",
        20_000,
        status="CASE WHEN g % 10 = 0 THEN 'active' ELSE 'released' END",
        place_path="CASE WHEN g % 10 = 3 THEN t.place_path ELSE '/99/' || g || '/' END",
        next_due_at="now() + (g % 48 - 24) * interval '1 hour'",
    )
    clone_rows(
        "monitoring_healthcheck",
        200_000,
        # The cloned orders' ids follow the first's (foreign keys are checked at the test's end).
        order_id=f"{first.pk} + g % 20001",
        done_at="now() - g * interval '25 seconds'",
    )
    return first


def test_todays_list_and_counts_use_indexes(order: Any) -> None:
    scope = Scope.of([order.place_path])
    assert_no_seq_scan(lambda: today_page(scope), *BIG)
    assert_no_seq_scan(lambda: today_counts(scope), *BIG)


def test_an_orders_checks_use_the_index_and_a_month_its_partition(order: Any) -> None:
    assert_no_seq_scan(lambda: list(checks_of(order)[:20]), *BIG)
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = partitions.start_of(partitions.month_start(start.date(), 1))
    month = {HEALTH_CHECKS.partition_name(start.date())}
    this_month = checks_of(order).filter(done_at__gte=start, done_at__lt=end)
    for plan in assert_no_seq_scan(lambda: list(this_month[:20]), *BIG):
        assert plan.relations("monitoring_healthcheck") <= month
