import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant, user_create
from tongzhou.core.permissions import Role
from tongzhou.places.models import Place


class Command(BaseCommand):
    help = "Give USERNAME the ROLE at the place with official CODE (to set up the first administrator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("code", help="official code of the place, e.g. 520102029")
        parser.add_argument("--create", action="store_true", help="create the user first, asking for a password")

    def handle(self, *args: Any, username: str, role: str, code: str, create: bool, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None and create:
            password = getpass.getpass(f"Password for {username}: ")
            if password != getpass.getpass("Again: "):
                raise CommandError("The passwords differ.")
            try:
                user = user_create(actor=None, username=username, password=password)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
        if user is None:
            raise CommandError(f"No user {username!r}: add --create to create it.")
        place = Place.objects.filter(code=code).first()
        if place is None:
            raise CommandError(f"No place with code {code}: run import_divisions first.")
        role_grant(actor=None, user=user, role=role, place=place)
        self.stdout.write(f"{username} is {Role(role).label} at {place.name} ({code}).")
