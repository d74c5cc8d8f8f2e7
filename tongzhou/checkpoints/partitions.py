"""The passage log's monthly partitions on PostgreSQL, by the shared mechanism
(tongzhou.core.partitions): made ahead of time, dropped whole when older than
TONGZHOU_PASSAGE_RETENTION_MONTHS; on SQLite the same retention is a DELETE. The gates' replay
memory is forgotten with them (the table's housekeeping)."""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from tongzhou.core import partitions as shared


def drop_old_replays(*, now: datetime | None = None) -> int:
    """Forgets the gates' first answers older than REPLAY_KEPT_DAYS (a scan sent again after that is
    stored again only if its scanned_at differs). Returns how many went."""
    from tongzhou.checkpoints.models import REPLAY_KEPT_DAYS, PassageReplay

    cutoff = (now or timezone.now()) - timedelta(days=REPLAY_KEPT_DAYS)
    deleted, _kinds = PassageReplay.objects.filter(received_at__lt=cutoff).delete()
    return deleted


def _housekeeping() -> dict[str, int]:
    return {"replays_deleted": drop_old_replays()}


PASSAGES = shared.register(
    shared.PartitionedTable(
        table="checkpoints_passage",
        column="scanned_at",
        retention_setting="TONGZHOU_PASSAGE_RETENTION_MONTHS",
        housekeeping=_housekeeping,
    )
)
TABLE = PASSAGES.table
DEFAULT = PASSAGES.default


def partition_name(month: Any) -> str:
    return PASSAGES.partition_name(month)


def existing_partitions(connection: Any = None) -> list[str]:
    return shared.existing_partitions(PASSAGES, connection)


def ensure_partitions(*, months_ahead: int = 2, now: datetime | None = None, connection: Any = None) -> list[str]:
    """Makes the monthly partitions from last month to `months_ahead` ahead; returns those made."""
    return shared.ensure_partitions(PASSAGES, months_ahead=months_ahead, now=now, connection=connection)


def drop_old_passages(*, months: int | None = None, now: datetime | None = None) -> dict[str, int]:
    """Drops whole months older than the retention (and such rows of the default partition, or of
    the plain table on SQLite). Returns what went."""
    return shared.drop_old(PASSAGES, months=months, now=now)


def maintain() -> dict[str, int]:
    """The passage log's part of `tongzhou.core.partitions.maintain_all()`."""
    made = ensure_partitions() if shared.is_partitioned(PASSAGES) else []
    return {"partitions_made": len(made), **drop_old_passages(), **_housekeeping()}
