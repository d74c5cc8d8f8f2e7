from typing import Any

from django.core.management.base import BaseCommand

from tongzhou.core.pii import generate_key


class Command(BaseCommand):
    help = "Print a new key for TONGZHOU_PII_KEY (put it first in the list, then run rotate_pii_key)."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(generate_key())
