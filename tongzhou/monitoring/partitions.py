"""The daily health checks are partitioned by month of `done_at` on PostgreSQL (migration 0005,
the shared mechanism in tongzhou.core.partitions).

Retention: the data rule's purge is per order (services.scheduled: detailed health data goes
TONGZHOU_HEALTH_RETENTION_DAYS after release, and the order's history says what went). Whole
months are dropped only when TONGZHOU_HEALTH_CHECK_RETENTION_MONTHS is set (0, the default: off),
a backstop for a deployment whose orders outlive the emergency's end."""

from tongzhou.core.partitions import PartitionedTable, register

HEALTH_CHECKS = register(
    PartitionedTable(
        table="monitoring_healthcheck",
        column="done_at",
        retention_setting="TONGZHOU_HEALTH_CHECK_RETENTION_MONTHS",
    )
)
