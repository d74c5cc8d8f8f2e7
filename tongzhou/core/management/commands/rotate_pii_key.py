from typing import Any

from django.core.management.base import BaseCommand

from tongzhou.core.services import pii_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt all personal data with the first key of TONGZHOU_PII_KEY and rebuild the blind"
        " indexes under it. Afterwards the older keys can be removed from the list."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for model, count in pii_rotate().items():
            self.stdout.write(f"{model}: {count} rows re-encrypted")
