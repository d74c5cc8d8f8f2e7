"""Messages to people (SMS and the like) behind one interface.

The default backend writes the message to the log, so a neighborhood committee's laptop needs no
gateway; a deployment sets TONGZHOU_MESSAGE_BACKEND to a class with the same `send` method.
Messages carry personal links and initial passwords, so the log gets them masked, and with DEBUG
off the console backend runs only when TONGZHOU_CONSOLE_MESSAGES_ALLOWED says so.
"""

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from tongzhou.core.pii import mask_phone

logger = logging.getLogger("tongzhou.messages")


@dataclass(frozen=True)
class Message:
    to: str
    text: str
    # Parts of the text that must not reach a log (an initial password); a gateway sends them.
    secrets: tuple[str, ...] = ()


# A path segment of 12 or more token characters after a single slash: the token of a personal link
# (a signed value), not a host name (after `//`) nor a short word like `login`.
_TOKEN_IN_PATH = re.compile(r"(?<!/)/[A-Za-z0-9_.:=~-]{12,}")
MASK = "****"


def masked_text(message: Message) -> str:
    """The message's text for a log: declared secrets and link tokens replaced by ****."""
    text = message.text
    for secret in message.secrets:
        if secret:
            text = text.replace(secret, MASK)
    return _TOKEN_IN_PATH.sub("/" + MASK, text)


class Backend(Protocol):
    def send(self, message: Message) -> None: ...


CONSOLE_REFUSED = (
    "The console message backend writes messages to residents (personal links, passwords) to the log "
    "instead of sending them, and DEBUG is off. Set TONGZHOU_MESSAGE_BACKEND to a gateway, or "
    "TONGZHOU_CONSOLE_MESSAGES_ALLOWED=true if the log is where messages should go (they are masked there)."
)


class ConsoleBackend:
    """Logs the message, masked (`masked_text`, and the phone number). The outbox keeps the last
    ones in memory, unmasked, for tests and the demo. Refuses to start with DEBUG off unless
    TONGZHOU_CONSOLE_MESSAGES_ALLOWED is set: otherwise residents would never get their links."""

    outbox: list[Message] = []

    def __init__(self) -> None:
        if not settings.DEBUG and not getattr(settings, "TONGZHOU_CONSOLE_MESSAGES_ALLOWED", False):
            raise ImproperlyConfigured(CONSOLE_REFUSED)

    def send(self, message: Message) -> None:
        self.outbox.append(message)
        del self.outbox[:-100]
        logger.info("message to %s: %s", mask_phone(message.to), masked_text(message))


@lru_cache(maxsize=4)
def _backend(path: str) -> Backend:
    backend: Backend = import_string(path)()
    return backend


def send_message(*, to: str, text: str, secrets: tuple[str, ...] = ()) -> None:
    _backend(getattr(settings, "TONGZHOU_MESSAGE_BACKEND", "tongzhou.core.messaging.ConsoleBackend")).send(
        Message(to=to, text=text, secrets=secrets)
    )
