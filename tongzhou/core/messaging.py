"""Messages to people (SMS and the like) behind one interface.

The default backend writes the message to the log, so a neighborhood committee's laptop needs no
gateway; a deployment sets TONGZHOU_MESSAGE_BACKEND to a class with the same `send` method.
"""

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("tongzhou.messages")


@dataclass(frozen=True)
class Message:
    to: str
    text: str


class Backend(Protocol):
    def send(self, message: Message) -> None: ...


class ConsoleBackend:
    """Logs the message. The outbox keeps the last ones in memory for tests and the demo."""

    outbox: list[Message] = []

    def send(self, message: Message) -> None:
        self.outbox.append(message)
        del self.outbox[:-100]
        logger.info("message to %s: %s", message.to, message.text)


@lru_cache(maxsize=4)
def _backend(path: str) -> Backend:
    backend: Backend = import_string(path)()
    return backend


def send_message(*, to: str, text: str) -> None:
    _backend(getattr(settings, "TONGZHOU_MESSAGE_BACKEND", "tongzhou.core.messaging.ConsoleBackend")).send(
        Message(to=to, text=text)
    )
