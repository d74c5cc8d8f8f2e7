"""On PostgreSQL, the daily health checks become a table partitioned by month of `done_at`,
converted with their rows (tongzhou.core.partitions.convert_to_partitioned): the primary key
becomes (id, done_at), the id sequence carries on. No foreign key points into the table (the old
alert's went with 0002). Taken back, it is one plain table again. SQLite keeps the plain table."""

from django.db import migrations


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.partitions import convert_to_partitioned
    from tongzhou.monitoring.partitions import HEALTH_CHECKS

    convert_to_partitioned(schema_editor, HEALTH_CHECKS)


def unpartition(apps, schema_editor):  # type: ignore[no-untyped-def]
    from tongzhou.core.partitions import convert_to_plain
    from tongzhou.monitoring.partitions import HEALTH_CHECKS

    convert_to_plain(schema_editor, HEALTH_CHECKS)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0004_check_not_reached_by_phone")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
