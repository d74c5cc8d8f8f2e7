from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongzhou.accounts.models import User
from tongzhou.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (shown once; only its digest is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for, e.g. the gate device")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        _token, raw = api_token_create(user=user, name=name)
        self.stdout.write(raw)
