"""On PostgreSQL, the stock ledger becomes a table partitioned by month of `created_at`, converted
with its rows (tongzhou.core.partitions.convert_to_partitioned): the primary key becomes
(id, created_at), the id sequence carries on, the append-only trigger is made again on the new
table. Nothing points into it with a constraint any more (0010). Taken back, it is one plain table
again. SQLite keeps the plain table."""

from django.db import migrations


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.partitions import convert_to_partitioned
    from tongzhou.supplies.partitions import LEDGER

    convert_to_partitioned(schema_editor, LEDGER)


def unpartition(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.partitions import convert_to_plain
    from tongzhou.supplies.partitions import LEDGER

    convert_to_plain(schema_editor, LEDGER)


class Migration(migrations.Migration):
    dependencies = [("supplies", "0010_entry_claims")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
