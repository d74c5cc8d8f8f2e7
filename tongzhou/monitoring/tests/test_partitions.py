"""The health checks' months (tongzhou/monitoring/partitions.py): kept until the per-order purge
unless TONGZHOU_HEALTH_CHECK_RETENTION_MONTHS is set; then the shared maintenance drops the months
past it on PostgreSQL and deletes such rows on SQLite, and says how many went."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tongzhou.core.partitions import maintain_all
from tongzhou.monitoring.models import CheckMethod, HealthCheck


@pytest.mark.django_db
def test_old_health_checks_go_only_when_a_retention_is_set(make_order: Callable[..., Any]) -> None:
    order = make_order()
    now = timezone.now()
    for days in (0, 400):
        HealthCheck.objects.create(order=order, done_at=now - timedelta(days=days), method=CheckMethod.PHONE)

    assert maintain_all()["monitoring_healthcheck"]["rows_deleted"] == 0
    assert HealthCheck.objects.count() == 2

    with override_settings(TONGZHOU_HEALTH_CHECK_RETENTION_MONTHS=6):
        report = maintain_all()["monitoring_healthcheck"]
    assert report["rows_deleted"] == 1
    assert list(HealthCheck.objects.values_list("done_at", flat=True)) == [now]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tableoid::regclass::text FROM monitoring_healthcheck")
            assert cursor.fetchone()[0] == f"monitoring_healthcheck_p{timezone.localdate(now):%Y%m}"


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_the_checks_already_there(make_order: Callable[..., Any]) -> None:
    """Monitoring 0005 on a deployment with checks: taken back it leaves one plain table; made
    again it partitions that table with every check, its id and its month, and ids carry on."""
    from django.db.migrations.executor import MigrationExecutor

    from tongzhou.core.partitions import is_partitioned
    from tongzhou.monitoring.partitions import HEALTH_CHECKS

    order = make_order()
    now = timezone.now()
    executor = MigrationExecutor(connection)
    executor.migrate([("monitoring", "0004_check_not_reached_by_phone")])
    assert not is_partitioned(HEALTH_CHECKS)
    old = executor.loader.project_state([("monitoring", "0004_check_not_reached_by_phone")]).apps
    OldCheck = old.get_model("monitoring", "HealthCheck")
    kept = [
        OldCheck.objects.create(order_id=order.pk, done_at=now - timedelta(days=days), method="phone").pk
        for days in (0, 45, 100)
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert is_partitioned(HEALTH_CHECKS) == (connection.vendor == "postgresql")
    assert sorted(HealthCheck.objects.values_list("pk", flat=True)) == sorted(kept)
    added = HealthCheck.objects.create(order=order, done_at=now, method=CheckMethod.PHONE)
    assert added.pk > max(kept)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, tableoid::regclass::text FROM monitoring_healthcheck ORDER BY id")
            places = dict(cursor.fetchall())
        assert places[kept[2]] == HEALTH_CHECKS.partition_name(
            timezone.localdate(now - timedelta(days=100)).replace(day=1)
        )
        assert HEALTH_CHECKS.default not in places.values()
