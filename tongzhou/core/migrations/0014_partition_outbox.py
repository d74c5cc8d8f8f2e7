"""On PostgreSQL, the outbox becomes a table partitioned by month of `created_at`, converted with
its rows (tongzhou.core.partitions.convert_to_partitioned): the primary key becomes
(id, created_at), the id sequence carries on. The keys are unique in their own table (0013) and
the notices' recipients hold their message without a database constraint (notices 0005). Taken
back, it is one plain table again. SQLite keeps the plain table."""

from django.db import migrations


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.outbox.partitions import OUTBOX
    from tongzhou.core.partitions import convert_to_partitioned

    convert_to_partitioned(schema_editor, OUTBOX)


def unpartition(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.outbox.partitions import OUTBOX
    from tongzhou.core.partitions import convert_to_plain

    convert_to_plain(schema_editor, OUTBOX)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0013_outbox_keys"),
        ("notices", "0005_recipient_message_unconstrained"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
