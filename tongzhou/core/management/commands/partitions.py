from typing import Any

from django.core.management.base import BaseCommand

from tongzhou.core.partitions import maintain_all


class Command(BaseCommand):
    help = (
        "Makes the monthly partitions of every partitioned event table ahead (PostgreSQL) and drops "
        "the months older than each table's retention setting (on SQLite: deletes such rows). Run "
        "daily from cron when Celery beat is not used."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for table, report in maintain_all().items():
            self.stdout.write(f"{table}: " + ", ".join(f"{key}: {value}" for key, value in report.items()))
