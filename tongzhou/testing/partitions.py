"""The samples are partitioned by month of `round_on` (their round's first day) on PostgreSQL
(migration 0008, the shared mechanism in tongzhou.core.partitions); a round's reads name the day
(`models.round_samples`) and so read one month.

Retention: the data rule's purge is per round (services.results.results_purge: who was sampled
into which tube goes TONGZHOU_HEALTH_RETENTION_DAYS after a closed round's last day, audited per
round). Whole months are dropped only when TONGZHOU_SAMPLE_RETENTION_MONTHS is set (0, the
default: off), a backstop for rounds never closed."""

from tongzhou.core.partitions import PartitionedTable, register

SAMPLES = register(
    PartitionedTable(
        table="testing_sample",
        column="round_on",
        retention_setting="TONGZHOU_SAMPLE_RETENTION_MONTHS",
        by_day=True,
    )
)
