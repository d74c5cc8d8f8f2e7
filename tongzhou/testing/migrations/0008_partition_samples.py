"""On PostgreSQL, the samples become a table partitioned by month of `round_on` (the round's first
day), converted with their rows (tongzhou.core.partitions.convert_to_partitioned): the primary key
becomes (id, round_on), the id sequence carries on. No foreign key points into the table. Taken
back, it is one plain table again. SQLite keeps the plain table."""

from django.db import migrations


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.partitions import convert_to_partitioned
    from tongzhou.testing.partitions import SAMPLES

    convert_to_partitioned(schema_editor, SAMPLES)


def unpartition(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.partitions import convert_to_plain
    from tongzhou.testing.partitions import SAMPLES

    convert_to_plain(schema_editor, SAMPLES)


class Migration(migrations.Migration):
    dependencies = [("testing", "0007_sample_round_on")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
