import re
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from tongzhou.core.partitions import AUDIT_EVENTS, AUDIT_MONTHS_AHEAD, convert_to_partitioned, ensure_partitions

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def months_ahead_sql() -> str:
    """The SQL that makes the audit log's monthly partitions from this month to AUDIT_MONTHS_AHEAD
    ahead (those missing), when it is partitioned: after the lock down only the owner could, and
    nobody logs in as the owner, so the maintenance skips the table. Bounds in TIME_ZONE."""
    zone = settings.TIME_ZONE
    if not re.match(r"^[A-Za-z0-9_/+-]+$", zone):
        raise CommandError(f"{zone!r} is not a plain time zone name.")
    return f"""
DO $$
DECLARE
    first date := date_trunc('month', now() AT TIME ZONE '{zone}')::date;
    low date;
BEGIN
    IF EXISTS (SELECT FROM pg_partitioned_table WHERE partrelid = 'core_auditevent'::regclass) THEN
        FOR i IN 0..{AUDIT_MONTHS_AHEAD} LOOP
            low := first + make_interval(months => i);
            EXECUTE format(
                'CREATE TABLE IF NOT EXISTS %I PARTITION OF core_auditevent FOR VALUES FROM (%L) TO (%L)',
                'core_auditevent_p' || to_char(low, 'YYYYMM'),
                low::timestamp AT TIME ZONE '{zone}',
                (low + interval '1 month')::timestamp AT TIME ZONE '{zone}'
            );
        END LOOP;
    END IF;
END $$;
"""  # noqa: S608


def lock_down_sql(*, runtime_role: str, audit_owner: str) -> str:
    """The SQL that makes the audit log's months ahead (if it is partitioned), then gives it and
    every partition to `audit_owner` (a role nobody logs in as) and leaves `runtime_role`, the
    application's, only INSERT and SELECT on it (through the partitioned table). Idempotent."""
    for name in (runtime_role, audit_owner):
        if not ROLE_NAME.match(name):
            raise CommandError(f"{name!r} is not a plain role name (a-z, 0-9, _).")
    if runtime_role == audit_owner:
        raise CommandError("The audit log's owner must not be the application's role.")
    # Role names cannot be bound as parameters; both were checked against ROLE_NAME above.
    owner_sql = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{audit_owner}') THEN
        CREATE ROLE "{audit_owner}" NOLOGIN;
    END IF;
END $$;
-- The owner of a schema may drop any table in it; the application keeps CREATE (migrations,
-- monthly partitions) but no longer owns the schema, so it cannot drop the log either.
ALTER SCHEMA public OWNER TO "{audit_owner}";
GRANT USAGE, CREATE ON SCHEMA public TO "{runtime_role}";
ALTER TABLE core_auditevent OWNER TO "{audit_owner}";
ALTER FUNCTION core_auditevent_append_only() OWNER TO "{audit_owner}";
REVOKE ALL ON core_auditevent FROM PUBLIC;
REVOKE ALL ON core_auditevent FROM "{runtime_role}";
GRANT SELECT, INSERT ON core_auditevent TO "{runtime_role}";
DO $$ BEGIN
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO "{runtime_role}"', pg_get_serial_sequence('core_auditevent', 'id'));
END $$;
-- Each partition too (an owner of one could empty or drop it): the application writes and reads
-- them through core_auditevent only.
DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT relid FROM pg_partition_tree('core_auditevent') WHERE relid <> 'core_auditevent'::regclass
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO "{audit_owner}"', part);
        EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', part);
        EXECUTE format('REVOKE ALL ON %s FROM "{runtime_role}"', part);
    END LOOP;
END $$;
"""  # noqa: S608
    return months_ahead_sql() + owner_sql


class _Editor:
    """What `convert_to_partitioned` needs of a migration's schema editor: its connection."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection


class Command(BaseCommand):
    help = (
        "PostgreSQL: make the audit log append-only against the application itself. The table and its "
        "trigger go to a role nobody logs in as (--audit-owner, made if missing); the application's "
        "role (--runtime-role) keeps INSERT and SELECT on it, so it can neither disable the trigger nor "
        "UPDATE, DELETE or TRUNCATE. The log's monthly partitions are made first, ten years ahead: only "
        "the owner may add them, so the maintenance skips the table afterwards. Run it as a superuser "
        "after the first migrate (or pipe --print-sql "
        "into `sudo -u postgres psql DBNAME`). See docs/deploy.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runtime-role", required=True, help="the role in the application's DATABASE_URL")
        parser.add_argument("--audit-owner", default="tongzhou_audit", help="default: tongzhou_audit")
        parser.add_argument("--print-sql", action="store_true", help="print the SQL instead of running it")

    def handle(self, *args: Any, runtime_role: str, audit_owner: str, print_sql: bool, **options: Any) -> None:
        sql = lock_down_sql(runtime_role=runtime_role, audit_owner=audit_owner)
        if print_sql:
            self.stdout.write(sql)
            return
        if connection.vendor != "postgresql":
            raise CommandError(
                "Only on PostgreSQL. On SQLite, whoever can write the database file can change the log "
                "(see docs/deploy.md)."
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [runtime_role])
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"There is no role {runtime_role!r}.")
            if row[0]:
                raise CommandError(f"{runtime_role!r} is a superuser: no grant restrains it. Use an ordinary role.")
        with transaction.atomic():
            # A log left plain by migration 0015 (locked down before) is converted now, as its owner;
            # its months ahead are made here too (rows of theirs in the default partition moved).
            convert_to_partitioned(_Editor(connection), AUDIT_EVENTS)
            made = ensure_partitions(AUDIT_EVENTS, months_ahead=AUDIT_MONTHS_AHEAD)
            with connection.cursor() as cursor:
                cursor.execute(sql)
        self.stdout.write(
            f"core_auditevent now belongs to {audit_owner}, with its monthly partitions "
            f"({len(made)} made, up to {AUDIT_MONTHS_AHEAD} months ahead); {runtime_role} may only INSERT and "
            "SELECT it."
        )
