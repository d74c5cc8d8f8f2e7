"""On PostgreSQL, the audit log becomes a table partitioned by month of `created_at`, converted
with its rows (tongzhou.core.partitions.convert_to_partitioned): the primary key becomes
(id, created_at), the id sequence carries on, the append-only trigger is made again on the new
table (and so on every partition). No foreign key points into it. Kept for ever: no month is
dropped.

On a database locked down before (`audit_lock_down`: the table belongs to a role nobody logs in
as), the application's role may not convert it: the table is left plain here, and the next
`audit_lock_down`, run as a superuser, converts it, makes its months ahead and gives every
partition to the audit owner. Taken back, it is one plain table again (by its owner). SQLite
keeps the plain table."""

import sys

from django.db import migrations

NOT_OWNER = (
    "\n  core_auditevent belongs to another role (audit_lock_down): left as it is; run "
    "`manage.py audit_lock_down` as a superuser to {what} it.\n"
)


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.partitions import AUDIT_EVENTS, convert_to_partitioned, is_partitioned, owned

    if is_partitioned(AUDIT_EVENTS, schema_editor.connection):
        return
    if not owned(AUDIT_EVENTS, schema_editor.connection):
        sys.stdout.write(NOT_OWNER.format(what="partition"))
        return
    convert_to_partitioned(schema_editor, AUDIT_EVENTS)


def unpartition(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.partitions import AUDIT_EVENTS, convert_to_plain, owned

    if not owned(AUDIT_EVENTS, schema_editor.connection):
        sys.stdout.write("\n  core_auditevent belongs to another role (audit_lock_down): left partitioned.\n")
        return
    convert_to_plain(schema_editor, AUDIT_EVENTS)


class Migration(migrations.Migration):
    dependencies = [("core", "0014_partition_outbox")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
