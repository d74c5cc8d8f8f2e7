from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant
from tongzhou.core.permissions import Role
from tongzhou.places.models import Place


class Command(BaseCommand):
    help = "Give USERNAME the ROLE at the place with official CODE (to set up the first administrator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("code", help="official code of the place, e.g. 520102029")

    def handle(self, *args: Any, username: str, role: str, code: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}: create it with `manage.py createsuperuser` or the admin.")
        place = Place.objects.filter(code=code).first()
        if place is None:
            raise CommandError(f"No place with code {code}: run import_divisions first.")
        role_grant(actor=None, user=user, role=role, place=place)
        self.stdout.write(f"{username} is {Role(role).label} at {place.name} ({code}).")
