from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tongzhou.monitoring.services import health_data_purge


class Command(BaseCommand):
    help = (
        "Delete the daily health checks of isolation orders ended more than TONGZHOU_HEALTH_RETENTION_DAYS ago "
        "and blank their alerts' outcomes; prints what it removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = health_data_purge()
        self.stdout.write(
            f"{report['orders']} orders ended more than {settings.TONGZHOU_HEALTH_RETENTION_DAYS} days ago: "
            f"{report['checks']} health checks deleted, {report['alerts']} alert outcomes blanked."
        )
