"""Monthly partitions of the passage log on PostgreSQL: made ahead of time, dropped whole when
older than the retention setting. On SQLite the same retention is a DELETE.

Each monthly partition is `checkpoints_passage_pYYYYMM` for [first of the month, first of the
next) in Asia/Shanghai. A month whose rows already landed in the default partition is made by
moving those rows into a new table and attaching it, so making a partition never fails.
"""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone

TABLE = "checkpoints_passage"
DEFAULT = f"{TABLE}_default"


def _month_start(day: date, shift: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def _bound(day: date) -> str:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()


def partition_name(month: date) -> str:
    return f"{TABLE}_p{month:%Y%m}"


def existing_partitions(connection: Any = None) -> list[str]:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname",
            [TABLE],
        )
        return [row[0] for row in cursor.fetchall()]


def ensure_partitions(*, months_ahead: int = 2, now: datetime | None = None, connection: Any = None) -> list[str]:
    """Makes the monthly partitions from last month to `months_ahead` ahead; returns those made."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    today = timezone.localdate(now or timezone.now())
    have = set(existing_partitions(connection))
    made = []
    for shift in range(-1, months_ahead + 1):
        start = _month_start(today, shift)
        name = partition_name(start)
        if name in have:
            continue
        low, high = _bound(start), _bound(_month_start(start, 1))
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f'CREATE TABLE "{name}" (LIKE "{TABLE}" INCLUDING DEFAULTS)')
            # Table names are ours (constants and dates), never input.
            cursor.execute(
                f'WITH moved AS (DELETE FROM "{DEFAULT}" WHERE scanned_at >= %s AND scanned_at < %s RETURNING *) '  # noqa: S608
                f'INSERT INTO "{name}" SELECT * FROM moved',
                [low, high],
            )
            cursor.execute(
                f"ALTER TABLE \"{TABLE}\" ATTACH PARTITION \"{name}\" FOR VALUES FROM ('{low}') TO ('{high}')"
            )
        made.append(name)
    return made


def drop_old_passages(*, months: int | None = None, now: datetime | None = None) -> dict[str, int]:
    """Drops whole months older than the retention (and deletes such rows from the default
    partition, or from the plain table on SQLite). Returns what went."""
    months = settings.TONGZHOU_PASSAGE_RETENTION_MONTHS if months is None else months
    cutoff_month = _month_start(timezone.localdate(now or timezone.now()), -months)
    cutoff = _bound(cutoff_month)
    report = {"partitions_dropped": 0, "rows_deleted": 0}
    connection = default_connection
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in existing_partitions(connection):
                if name != DEFAULT and name < partition_name(cutoff_month):
                    cursor.execute(f'DROP TABLE "{name}"')
                    report["partitions_dropped"] += 1
            cursor.execute(f'DELETE FROM "{DEFAULT}" WHERE scanned_at < %s', [cutoff])  # noqa: S608
        else:
            cursor.execute(f'DELETE FROM "{TABLE}" WHERE scanned_at < %s', [cutoff])  # noqa: S608
        report["rows_deleted"] = cursor.rowcount
    return report


def drop_old_replays(*, now: datetime | None = None) -> int:
    """Forgets the gates' first answers older than REPLAY_KEPT_DAYS (a scan sent again after that is
    stored again only if its scanned_at differs). Returns how many went."""
    from tongzhou.checkpoints.models import REPLAY_KEPT_DAYS, PassageReplay

    cutoff = (now or timezone.now()) - timedelta(days=REPLAY_KEPT_DAYS)
    deleted, _kinds = PassageReplay.objects.filter(received_at__lt=cutoff).delete()
    return deleted


def maintain() -> dict[str, int]:
    made = ensure_partitions()
    return {"partitions_made": len(made), **drop_old_passages(), "replays_deleted": drop_old_replays()}
