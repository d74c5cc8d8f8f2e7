from typing import Any

from django.core.management.base import BaseCommand

from tongzhou.testing.services import results_purge


class Command(BaseCommand):
    help = "Purge the people's test results of rounds closed more than TONGZHOU_HEALTH_RETENTION_DAYS ago."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(results_purge()))
