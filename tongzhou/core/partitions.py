"""Event tables partitioned by month on PostgreSQL: one mechanism for every table that grows
without bound. Each app declares its tables in its own `partitions.py` module with `register()`;
`maintain_all()` (beat task `tongzhou.core.tasks.maintain_partitions`, command
`manage.py partitions`) makes the months ahead and drops those past each table's retention.

A table's monthly partition is `<table>_pYYYYMM` for [first of the month, first of the next) in
settings.TIME_ZONE (a date column, `by_day`, is split on its days as they are), and
`<table>_default` takes whatever falls outside (a device whose clock is years off). A month whose
rows already landed in the default partition is made by moving those rows into a new table and
attaching it, so making a partition never fails.

On SQLite the tables stay plain; retention is a DELETE of the rows older than the cutoff.

`convert_to_partitioned()` turns an existing plain table (with its rows) into a partitioned one in
a migration: the primary key becomes (id, time column), as PostgreSQL requires the partition key
in every unique key; indexes, check and outgoing foreign-key constraints and triggers are made
again on the new table; the id sequence carries on from the largest id. A foreign key pointing
INTO the table must have been taken off the database first (`db_constraint=False`).

Which tables (issue #22):
- checkpoints_passage (by scanned_at; TONGZHOU_PASSAGE_RETENTION_MONTHS, 6) and
  monitoring_healthcheck (by done_at; TONGZHOU_HEALTH_CHECK_RETENTION_MONTHS, 0 = off: the
  per-order purge is the data rule's, and records what it removed) are partitioned.
- testing_sample is partitioned by round_on (by_day), its round's first day copied onto each
  sample: "sampled once per round" (round, person, round_on) and the offline replay key
  (client_uuid, round_on) lose nothing, as the round fixes the day and a replay carries the same
  round, and a round's reads name the day (`round_samples`), so they read one month.
  TONGZHOU_SAMPLE_RETENTION_MONTHS, 0 = off: the per-round results purge is the data rule's.
  Results are columns of the tube.
- supplies_entry (by created_at; kept for ever, no retention) is partitioned: "reversed once"
  and "arrives once" are the unique key of supplies_entryclaim, written with the entry, and the
  keys pointing into the ledger (reversals, arrivals, donation and purchase lines) have no
  database constraint. A store's entries read by (store, created_at).
- core_outboxmessage (by created_at; TONGZHOU_OUTBOX_RETENTION_MONTHS, 6: texts carry phone
  numbers) is partitioned (tongzhou/core/outbox/partitions.py). Its idempotency key is taken
  once in a plain key table (core_outboxkey, unique, written with the message in the same
  transaction, deleted with its month by the table's housekeeping); notice recipients hold
  their message without a database constraint (set NULL before a month goes, the recipient
  keeping its status); the sweep reads a partial index of the pending rows in each month.
- core_auditevent (by created_at; kept for ever) is partitioned. `audit_lock_down` gives it to a
  role nobody logs in as, and only a table's owner may add partitions: the lock down makes its
  months AUDIT_MONTHS_AHEAD (ten years) ahead first, while still the owner, and `maintain_all`
  skips a table this role does not own (`owned`) and says so. A month made late (rows already in
  the default partition) moves them with the append-only trigger off for that statement.
Each of these has its hot queries' plans checked in a test (tests/test_query_plans.py).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone

# How far back a conversion makes monthly partitions for the rows it finds; older rows go to the
# default partition (and leave it by retention).
CONVERT_MONTHS_BACK = 36


@dataclass(frozen=True)
class PartitionedTable:
    """`retention_setting`: the name of the setting giving the months kept (None or a value of 0:
    kept for ever). `references`: (table, column) pairs holding this table's ids without a
    database constraint; they are set NULL before a month is dropped. `housekeeping`: run by
    `maintain_all()` after this table's partitions (e.g. the gates' replay memory). `by_day`: the
    column is a date (a DateField), not a moment: a month is [its first day, the next month's),
    with no time zone in it."""

    table: str
    column: str
    retention_setting: str | None = None
    references: tuple[tuple[str, str], ...] = ()
    housekeeping: Callable[[], dict[str, int]] | None = field(default=None, compare=False)
    by_day: bool = False

    @property
    def default(self) -> str:
        return f"{self.table}_default"

    def partition_name(self, month: date) -> str:
        return f"{self.table}_p{month:%Y%m}"

    def bound(self, day: date) -> str:
        """A partition bound: the day itself for a date column, its local midnight otherwise."""
        return day.isoformat() if self.by_day else bound(day)

    def retention_months(self) -> int | None:
        if self.retention_setting is None:
            return None
        months = getattr(settings, self.retention_setting, None)
        return months or None


_REGISTRY: dict[str, PartitionedTable] = {}


def register(spec: PartitionedTable) -> PartitionedTable:
    _REGISTRY[spec.table] = spec
    return spec


def tables() -> list[PartitionedTable]:
    """Every declared table (each installed app's `partitions` module is imported first)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("partitions")
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def month_start(day: date, shift: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(settings.TIME_ZONE))


def bound(day: date) -> str:
    return start_of(day).isoformat()


def existing_partitions(spec: PartitionedTable, connection: Any = None) -> list[str]:
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname",
            [spec.table],
        )
        return [row[0] for row in cursor.fetchall()]


def is_partitioned(spec: PartitionedTable, connection: Any = None) -> bool:
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table t JOIN pg_class c ON c.oid = t.partrelid WHERE c.relname = %s",
            [spec.table],
        )
        return cursor.fetchone() is not None


def ensure_partitions(
    spec: PartitionedTable,
    *,
    months_ahead: int = 2,
    now: datetime | None = None,
    since: date | None = None,
    connection: Any = None,
) -> list[str]:
    """Makes the monthly partitions from last month (or `since`'s month) to `months_ahead` ahead;
    returns those made. Nothing on SQLite."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    today = timezone.localdate(now or timezone.now())
    first = month_start(since) if since is not None else month_start(today, -1)
    last = month_start(today, months_ahead)
    have = set(existing_partitions(spec, connection))
    made = []
    start = first
    while start <= last:
        if spec.partition_name(start) not in have:
            made.append(make_month(spec, start, connection=connection))
        start = month_start(start, 1)
    return made


def make_month(spec: PartitionedTable, start: date, *, connection: Any = None) -> str:
    """Makes the partition of `start`'s month, moving its rows out of the default partition."""
    connection = connection or default_connection
    name = spec.partition_name(start)
    low, high = spec.bound(start), spec.bound(month_start(start, 1))
    # Table names are ours (declared constants and dates), never input.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{name}" (LIKE "{spec.table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
        cursor.execute(
            f'SELECT EXISTS (SELECT FROM "{spec.default}" WHERE "{spec.column}" >= %s AND "{spec.column}" < %s)',  # noqa: S608
            [low, high],
        )
        if cursor.fetchone()[0]:
            # A move, not a deletion: a trigger refusing DELETE (the audit log's and the ledger's
            # append-only ones) is off meanwhile, in this transaction only. A table with pending trigger events (rows
            # written earlier in the transaction) cannot be altered: deferred checks run first.
            cursor.execute(
                "SELECT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
                "AND tgenabled <> 'D' AND tgtype & 8 <> 0)",
                [spec.default],
            )
            (guarded,) = cursor.fetchone()
            if guarded:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f'ALTER TABLE "{spec.default}" DISABLE TRIGGER USER')
            cursor.execute(
                f'WITH moved AS (DELETE FROM "{spec.default}" WHERE "{spec.column}" >= %s AND "{spec.column}" < %s '  # noqa: S608
                f'RETURNING *) INSERT INTO "{name}" SELECT * FROM moved',
                [low, high],
            )
            if guarded:
                cursor.execute(f'ALTER TABLE "{spec.default}" ENABLE TRIGGER USER')
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            f"ALTER TABLE \"{spec.table}\" ATTACH PARTITION \"{name}\" FOR VALUES FROM ('{low}') TO ('{high}')"
        )
    return name


def drop_old(
    spec: PartitionedTable, *, months: int | None = None, now: datetime | None = None, connection: Any = None
) -> dict[str, int]:
    """Drops whole months older than the retention (PostgreSQL) and deletes such rows from the
    default partition, or from the plain table on SQLite. Nothing when the table is kept for ever.
    Returns what went: `rows_deleted` counts the rows of the dropped months too."""
    connection = connection or default_connection
    months = spec.retention_months() if months is None else months
    report = {"partitions_dropped": 0, "rows_deleted": 0}
    if not months:
        return report
    cutoff_month = month_start(timezone.localdate(now or timezone.now()), -months)
    # As the engine stores it (on SQLite: naive UTC text, or the day's text, compared as text).
    if spec.by_day:
        cutoff = connection.ops.adapt_datefield_value(cutoff_month)
    else:
        cutoff = connection.ops.adapt_datetimefield_value(start_of(cutoff_month))
    partitioned = is_partitioned(spec, connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        old = []
        if partitioned:
            old = [
                name
                for name in existing_partitions(spec, connection)
                if name != spec.default and name < spec.partition_name(cutoff_month)
            ]
        for table, column in spec.references:
            # The ids about to go, set NULL where they are held without a constraint.
            sources = [f'SELECT id FROM "{name}"' for name in old]  # noqa: S608
            sources.append(
                f'SELECT id FROM "{spec.default if partitioned else spec.table}" WHERE "{spec.column}" < %s'  # noqa: S608
            )
            cursor.execute(
                f'UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" IN ({" UNION ALL ".join(sources)})',  # noqa: S608
                [cutoff],
            )
        for name in old:
            cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608
            report["rows_deleted"] += cursor.fetchone()[0]
            cursor.execute(f'DROP TABLE "{name}"')
            report["partitions_dropped"] += 1
        target = spec.default if partitioned else spec.table
        cursor.execute(f'DELETE FROM "{target}" WHERE "{spec.column}" < %s', [cutoff])  # noqa: S608
        report["rows_deleted"] += cursor.rowcount
    return report


def owned(spec: PartitionedTable, connection: Any = None) -> bool:
    """Whether this connection's role may alter the table (owns it, or is a member of its owner's
    role or a superuser): only the owner may add or drop partitions. True on SQLite."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c "
            "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace",
            [spec.table],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def maintain_all(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Idempotent: for every declared table, makes the partitions that are missing and drops
    those past retention, then runs the table's housekeeping. A table this role does not own (the
    audit log after `audit_lock_down`, whose months were made ahead then) is skipped: its report
    is `{"skipped_not_owner": 1}`."""
    report: dict[str, dict[str, int]] = {}
    for spec in tables():
        if not owned(spec):
            report[spec.table] = {"skipped_not_owner": 1}
            continue
        made = ensure_partitions(spec, now=now) if is_partitioned(spec) else []
        report[spec.table] = {"partitions_made": len(made), **drop_old(spec, now=now)}
        if spec.housekeeping is not None:
            report[spec.table].update(spec.housekeeping())
    return report


def _table_shape(cursor: Any, table: str) -> tuple[list[Any], list[Any], list[Any]]:
    """What a conversion makes again on the new table: its constraints (name, type, definition,
    backing index), the indexes not backing a constraint (oid, name, definition, unique) and its
    own triggers (name, definition; not those a partition has from its parent)."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid), conindid FROM pg_constraint "
        "WHERE conrelid = %s::regclass ORDER BY contype, conname",
        [table],
    )
    constraints = cursor.fetchall()
    backing = {row[3] for row in constraints if row[3]}
    cursor.execute(
        "SELECT i.indexrelid, c.relname, pg_get_indexdef(i.indexrelid), i.indisunique FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass ORDER BY c.relname",
        [table],
    )
    indexes = [row for row in cursor.fetchall() if row[0] not in backing]
    cursor.execute(
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
        "AND tgparentid = 0",
        [table],
    )
    return constraints, indexes, cursor.fetchall()


def _free_names(cursor: Any, table: str, constraints: list[Any], indexes: list[Any], triggers: list[Any]) -> None:
    """Drops the table's triggers, constraints and indexes, so the new table can take their names."""
    for name, _definition in triggers:
        cursor.execute(f'DROP TRIGGER "{name}" ON "{table}"')
    for name, *_rest in constraints:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for _oid, name, *_rest in indexes:
        cursor.execute(f'DROP INDEX "{name}"')


def convert_to_partitioned(schema_editor: Any, spec: PartitionedTable, *, now: datetime | None = None) -> None:
    """In a migration: turns the plain table `spec.table` (rows and all) into one partitioned by
    month of `spec.column`. Nothing on SQLite. Refuses when a foreign key still points into the
    table, or when a unique index other than a constraint lacks the partition key."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or is_partitioned(spec, connection):
        return
    table, column, old = spec.table, spec.column, f"{spec.table}__unpartitioned"
    with connection.cursor() as cursor:
        # Deferred checks of rows written earlier in this transaction are done now: a table with
        # pending trigger events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conname, conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = %s::regclass",
            [table],
        )
        incoming = cursor.fetchall()
        if incoming:
            raise RuntimeError(f"{table}: foreign keys still point into it: {incoming}")
        constraints, indexes, triggers = _table_shape(cursor, table)
        for _oid, name, definition, unique in indexes:
            if unique and not re.search(rf'\b"?{column}"?\b', definition.split(" USING ", 1)[-1]):
                raise RuntimeError(f"{table}: unique index {name} lacks the partition key {column}")
        cursor.execute("SELECT attidentity FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id'", [table])
        identity = cursor.fetchone()[0]

        # Free every name on the old table, then set it aside.
        _free_names(cursor, table, constraints, indexes, triggers)
        if identity:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "id" DROP IDENTITY')
        else:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "id" DROP DEFAULT')
            cursor.execute(f'DROP SEQUENCE IF EXISTS "{table}_id_seq"')
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')

        cursor.execute(
            f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS) '
            f'PARTITION BY RANGE ("{column}")'
        )
        cursor.execute(f'CREATE SEQUENCE "{table}_id_seq" AS bigint OWNED BY "{table}"."id"')
        cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "id" SET DEFAULT nextval(\'{table}_id_seq\')')
        for name, kind, definition, _index in constraints:
            if kind == "p":
                definition = f'PRIMARY KEY ("id", "{column}")'
            elif kind == "u" and column not in definition:
                definition = definition.rstrip(")") + f', "{column}")'
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for _oid, _name, definition, _unique in indexes:
            cursor.execute(definition)
        for _name, definition in triggers:
            cursor.execute(definition)
        cursor.execute(f'CREATE TABLE "{spec.default}" PARTITION OF "{table}" DEFAULT')

        # The months the rows fall in (back to CONVERT_MONTHS_BACK), then the usual ones ahead.
        today = timezone.localdate(now or timezone.now())
        since = month_start(today, -CONVERT_MONTHS_BACK)
        if spec.by_day:
            cursor.execute(
                f'SELECT DISTINCT date_trunc(\'month\', "{column}")::date FROM "{old}" WHERE "{column}" >= %s',  # noqa: S608
                [since],
            )
        else:
            cursor.execute(
                f'SELECT DISTINCT date_trunc(\'month\', "{column}" AT TIME ZONE %s)::date FROM "{old}" '  # noqa: S608
                f'WHERE "{column}" >= %s',
                [settings.TIME_ZONE, start_of(since)],
            )
        for (month,) in cursor.fetchall():
            make_month(spec, month, connection=connection)
        ensure_partitions(spec, now=now, connection=connection)
        cursor.execute(f'SELECT max("id") FROM "{old}"')  # noqa: S608
        (last_id,) = cursor.fetchone()
        cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')  # noqa: S608
        cursor.execute("SELECT setval(%s, %s, false)", [f"{table}_id_seq", (last_id or 0) + 1])
        cursor.execute(f'DROP TABLE "{old}"')
        cursor.execute(f'ANALYZE "{table}"')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def convert_to_plain(schema_editor: Any, spec: PartitionedTable) -> None:
    """The reverse of `convert_to_partitioned` (a migration taken back): one plain table with
    every row, the primary key on id alone and the unique keys without the partition key again.
    Nothing on SQLite or when the table is plain already."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not is_partitioned(spec, connection):
        return
    table, column, old = spec.table, spec.column, f"{spec.table}__partitioned"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        constraints, indexes, triggers = _table_shape(cursor, table)
        _free_names(cursor, table, constraints, indexes, triggers)
        cursor.execute(f'ALTER SEQUENCE "{table}_id_seq" OWNED BY NONE')
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
        cursor.execute(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS)')
        cursor.execute(f'ALTER SEQUENCE "{table}_id_seq" OWNED BY "{table}"."id"')
        cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')  # noqa: S608
        cursor.execute(f'DROP TABLE "{old}"')  # and its partitions
        for name, kind, definition, _index in constraints:
            if kind == "p":
                definition = 'PRIMARY KEY ("id")'
            elif kind == "u":
                definition = re.sub(rf', "?{column}"?\)$', ")", definition)
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for _oid, _name, definition, _unique in indexes:
            cursor.execute(definition.replace(" ON ONLY ", " ON "))
        for _name, definition in triggers:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# The core's own tables. The audit log is kept for ever; after `audit_lock_down` it belongs to a
# role nobody logs in as, which made its months ahead (AUDIT_MONTHS_AHEAD), and the maintenance
# skips it (`owned`).
AUDIT_EVENTS = register(PartitionedTable(table="core_auditevent", column="created_at"))
AUDIT_MONTHS_AHEAD = 120

# The outbox (its spec lives with it).
from tongzhou.core.outbox import partitions as _outbox  # noqa: E402, F401
