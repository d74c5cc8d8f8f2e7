from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tongzhou.assistance.services import help_requests_auto_confirm


class Command(BaseCommand):
    help = (
        "Confirm the help requests done longer ago than TONGZHOU_HELP_AUTO_CONFIRM_HOURS that the resident "
        "has not confirmed. Celery beat runs this every 15 minutes; without Celery, run it from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = help_requests_auto_confirm()
        self.stdout.write(
            f"{count} help requests confirmed automatically "
            f"(done more than {settings.TONGZHOU_HELP_AUTO_CONFIRM_HOURS} h ago)."
        )
