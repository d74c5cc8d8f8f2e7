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
