"""An index for an object's history in the audit log (a person's page: who changed and who viewed
their record), which read every month of the log before. On a database locked down
(`audit_lock_down`: the table belongs to a role nobody logs in as) the application's role may not
add it: the SQL to run as a superuser is printed instead, and the page works without it, slower."""

import sys

from django.db import migrations, models

INDEX = models.Index(fields=["object_type", "object_id", "-created_at"], name="audit_object_history")


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.partitions import AUDIT_EVENTS, owned

    model = apps.get_model("core", "AuditEvent")
    if not owned(AUDIT_EVENTS, schema_editor.connection):
        sql = str(INDEX.create_sql(model, schema_editor))
        sys.stdout.write(f"\n  core_auditevent belongs to the audit owner: as a superuser run\n  {sql};\n")
        return
    schema_editor.add_index(model, INDEX)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.partitions import AUDIT_EVENTS, owned

    if owned(AUDIT_EVENTS, schema_editor.connection):
        schema_editor.remove_index(apps.get_model("core", "AuditEvent"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("core", "0015_partition_audit")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add, remove, elidable=False)],
            state_operations=[migrations.AddIndex(model_name="auditevent", index=INDEX)],
        )
    ]
