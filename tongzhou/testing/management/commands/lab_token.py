from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongzhou.testing.models import Lab
from tongzhou.testing.services import lab_token_issue


class Command(BaseCommand):
    help = "Issue a new API token for a laboratory (the old one stops working); printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("lab_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        lab = Lab.objects.filter(pk=options["lab_id"]).first()
        if lab is None:
            raise CommandError(f"No laboratory {options['lab_id']}; add one in the admin (/admin/testing/lab/).")
        self.stdout.write(lab_token_issue(lab=lab))
