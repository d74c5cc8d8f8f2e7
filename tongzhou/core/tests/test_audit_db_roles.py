"""On PostgreSQL the audit log holds against the application's own database role (issue #15,
item 4): after `audit_lock_down`, a runtime role that owns the database can add events and read
them, and cannot disable the trigger, update, delete, truncate or drop the table."""

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from tongzhou.core.audit import CoreAudit
from tongzhou.core.services import audit_log

RUNTIME = "tz_runtime_probe"
PASSWORD = "runtime-probe-password"


@pytest.fixture
def runtime_role(transactional_db):
    if connection.vendor != "postgresql":
        yield None
        return
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {RUNTIME}")
        cursor.execute(f"CREATE ROLE {RUNTIME} LOGIN PASSWORD '{PASSWORD}'")
        # As on a real install: the application's role owns the database (and so, on PostgreSQL
        # 15, its public schema).
        cursor.execute(f'ALTER DATABASE "{database}" OWNER TO {RUNTIME}')
    yield RUNTIME
    with connection.cursor() as cursor:
        cursor.execute("ALTER SCHEMA public OWNER TO pg_database_owner")
        cursor.execute("ALTER TABLE core_auditevent OWNER TO CURRENT_USER")
        cursor.execute("SELECT relid::text FROM pg_partition_tree('core_auditevent') WHERE level > 0")
        for (part,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {part} OWNER TO CURRENT_USER")
        cursor.execute("ALTER FUNCTION core_auditevent_append_only() OWNER TO CURRENT_USER")
        cursor.execute(f'ALTER DATABASE "{database}" OWNER TO CURRENT_USER')
        cursor.execute(f"DROP OWNED BY {RUNTIME}")
        cursor.execute(f"DROP ROLE {RUNTIME}")


def _connect_as_runtime() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        dbname=settings["NAME"],
        user=RUNTIME,
        password=PASSWORD,
        autocommit=True,
        options="-c lock_timeout=5s",
    )


ATTACKS = [
    "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update",
    "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
    "UPDATE core_auditevent SET purpose = 'rewritten'",
    "DELETE FROM core_auditevent",
    "TRUNCATE core_auditevent",
    "DROP TABLE core_auditevent CASCADE",
    "CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$"
    " LANGUAGE plpgsql",
    "ALTER TABLE core_auditevent OWNER TO tz_runtime_probe",
    # The monthly partitions (issue #22) are the owner's as well.
    "DELETE FROM core_auditevent_default",
    "TRUNCATE core_auditevent_default",
    "ALTER TABLE core_auditevent_default DISABLE TRIGGER ALL",
    "DROP TABLE core_auditevent_default",
    "ALTER TABLE core_auditevent DETACH PARTITION core_auditevent_default",
    "SELECT * FROM core_auditevent_default",
    "CREATE TABLE core_auditevent_p209901 PARTITION OF core_auditevent"
    " FOR VALUES FROM ('2099-01-01') TO ('2099-02-01')",
]


def test_the_runtime_role_cannot_rewrite_the_audit_log(runtime_role):
    if runtime_role is None:
        # SQLite has no roles: whoever can write the database file can change the log (docs/deploy.md).
        assert connection.vendor == "sqlite"
        return
    event = audit_log(action=CoreAudit.EXPORTED, actor_name="before", purpose="kept")
    call_command("audit_lock_down", runtime_role=runtime_role)
    with _connect_as_runtime() as runtime:
        refused = []
        for attack in ATTACKS:
            try:
                runtime.execute(attack)
            except psycopg.errors.InsufficientPrivilege:
                refused.append(attack)
        assert refused == ATTACKS
        # What the application needs still works.
        runtime.execute(
            "INSERT INTO core_auditevent (created_at, actor_name, action, object_type, object_id, object_repr,"
            " place_path, purpose, details) VALUES (now(), 'app', 'exported', '', '', '', '', 'added', '{}')"
        )
        purposes = [row[0] for row in runtime.execute("SELECT purpose FROM core_auditevent ORDER BY id")]
        assert purposes == ["kept", "added"]
        # ...including making tables (migrations, the monthly passage partitions) in the schema.
        runtime.execute("CREATE TABLE tz_runtime_probe_table (id int)")
        runtime.execute("DROP TABLE tz_runtime_probe_table")
    event.refresh_from_db()
    assert event.purpose == "kept"


def test_the_locked_down_log_has_its_months_ahead_and_the_maintenance_skips_it(runtime_role: str | None) -> None:
    """Only a table's owner may add partitions: the lock down makes ten years of months first, and
    the monthly maintenance, run by the application's role, skips the table and says so."""
    from datetime import date
    from io import StringIO

    from django.utils import timezone

    from tongzhou.core.partitions import AUDIT_EVENTS, AUDIT_MONTHS_AHEAD, existing_partitions, month_start

    if runtime_role is None:
        return
    call_command("audit_lock_down", runtime_role=runtime_role)
    call_command("audit_lock_down", runtime_role=runtime_role)  # idempotent
    today = timezone.localdate()
    have = set(existing_partitions(AUDIT_EVENTS))
    wanted = {AUDIT_EVENTS.partition_name(month_start(today, shift)) for shift in range(AUDIT_MONTHS_AHEAD + 1)}
    assert wanted <= have and AUDIT_EVENTS.default in have
    assert AUDIT_EVENTS.partition_name(date(today.year + 10, today.month, 1)) in have
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_partition_tree('core_auditevent') t "
            "JOIN pg_class c ON c.oid = t.relid"
        )
        assert cursor.fetchall() == [("tongzhou_audit",)]
        cursor.execute(f"SET ROLE {runtime_role}")
        try:
            out = StringIO()
            call_command("partitions", stdout=out)
            audit_log(action=CoreAudit.EXPORTED, actor_name="after", purpose="still written")
        finally:
            cursor.execute("RESET ROLE")
    assert "core_auditevent: skipped, this role does not own it" in out.getvalue()


def test_it_refuses_a_superuser_as_the_runtime_role(transactional_db):
    from django.core.management.base import CommandError

    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="Only on PostgreSQL"):
            call_command("audit_lock_down", runtime_role="tongzhou")
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (me,) = cursor.fetchone()
    with pytest.raises(CommandError, match="superuser"):
        call_command("audit_lock_down", runtime_role=me)
