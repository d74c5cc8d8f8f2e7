from typing import Any

from django.core.management.base import BaseCommand

from tongzhou.monitoring.services import monitoring_escalate


class Command(BaseCommand):
    help = "Raise the alerts for overdue daily checks and for orders at their planned end (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = monitoring_escalate()
        self.stdout.write(", ".join(f"{kind}: {n} new" for kind, n in report.items()))
