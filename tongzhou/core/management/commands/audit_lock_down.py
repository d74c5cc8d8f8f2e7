import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def lock_down_sql(*, runtime_role: str, audit_owner: str) -> str:
    """The SQL that gives the audit log to `audit_owner` (a role nobody logs in as) and leaves
    `runtime_role`, the application's, only INSERT and SELECT on it. Idempotent."""
    for name in (runtime_role, audit_owner):
        if not ROLE_NAME.match(name):
            raise CommandError(f"{name!r} is not a plain role name (a-z, 0-9, _).")
    if runtime_role == audit_owner:
        raise CommandError("The audit log's owner must not be the application's role.")
    # Role names cannot be bound as parameters; both were checked against ROLE_NAME above.
    return f"""
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
"""  # noqa: S608


class Command(BaseCommand):
    help = (
        "PostgreSQL: make the audit log append-only against the application itself. The table and its "
        "trigger go to a role nobody logs in as (--audit-owner, made if missing); the application's "
        "role (--runtime-role) keeps INSERT and SELECT on it, so it can neither disable the trigger nor "
        "UPDATE, DELETE or TRUNCATE. Run it as a superuser after the first migrate (or pipe --print-sql "
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
            cursor.execute(sql)
        self.stdout.write(
            f"core_auditevent now belongs to {audit_owner}; {runtime_role} may only INSERT and SELECT it."
        )
