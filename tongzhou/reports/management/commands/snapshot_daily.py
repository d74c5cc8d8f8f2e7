from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tongzhou.places.models import Place
from tongzhou.reports.services import snapshot_day


class Command(BaseCommand):
    help = "Snapshot every community's daily-report figures for a day (today by default), as beat does."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="YYYY-MM-DD (a past day is a late run)")
        parser.add_argument("--place", help="official code of a place: only its communities")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["day"]) if options["day"] else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--day: {error}") from error
        within = None
        if options["place"]:
            within = Place.objects.filter(code=options["place"]).first()
            if within is None:
                raise CommandError(f"--place: no place has the code {options['place']}")
        count = snapshot_day(day=day, within=within)
        self.stdout.write(f"{count} communities snapshotted for {day}")
