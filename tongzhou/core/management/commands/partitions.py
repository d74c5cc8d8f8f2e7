from typing import Any

from django.core.management.base import BaseCommand

from tongzhou.core.partitions import maintain_all


class Command(BaseCommand):
    help = (
        "Makes the monthly partitions of every partitioned event table ahead (PostgreSQL) and drops "
        "the months older than each table's retention setting (on SQLite: deletes such rows). A table "
        "this role does not own (the audit log after audit_lock_down) is skipped and said so. Run "
        "daily from cron when Celery beat is not used."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for table, report in maintain_all().items():
            if report.get("skipped_not_owner"):
                # The audit log after `audit_lock_down`: its months were made ahead then.
                self.stdout.write(f"{table}: skipped, this role does not own it (only its owner may add partitions)")
                continue
            self.stdout.write(f"{table}: " + ", ".join(f"{key}: {value}" for key, value in report.items()))
