from typing import Any

from django.core.management.base import BaseCommand

from tongzhou.checkpoints.partitions import maintain


class Command(BaseCommand):
    help = (
        "Makes the passage log's monthly partitions ahead (PostgreSQL) and drops months older than "
        "TONGZHOU_PASSAGE_RETENTION_MONTHS. Run daily from cron when Celery beat is not used."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = maintain()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in report.items()))
