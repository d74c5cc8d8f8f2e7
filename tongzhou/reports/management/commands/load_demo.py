from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongzhou.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo street, places and users (demo mode only: TONGZHOU_DEMO=true). Re-runnable."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            load_demo(log=self.stdout.write)
        except RuntimeError as error:
            raise CommandError(str(error)) from None
