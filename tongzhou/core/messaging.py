"""Messages to people (SMS and the like): one pipeline for every module.

`send_message` puts the message in the outbox (`core.outbox`); it is sent in the background (a
Celery worker when a broker is configured, in this process otherwise) through the backend named by
TONGZHOU_MESSAGE_BACKEND, at the backend's rate, retried on temporary failures, and shown in the one
message log. The default backend writes the message to the log, so a neighborhood committee's
laptop needs no gateway; `HttpSmsGateway` posts to an SMS gateway configured by settings.
Messages carry personal links and initial passwords, so the log gets them masked, and with DEBUG
off the console backend runs only when TONGZHOU_CONSOLE_MESSAGES_ALLOWED says so.
"""

import http.client
import json
import logging
import re
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from tongzhou.core.pii import mask_phone

if TYPE_CHECKING:
    from tongzhou.core.outbox.models import OutboxMessage

logger = logging.getLogger("tongzhou.messages")


@dataclass(frozen=True)
class Message:
    to: str
    text: str
    # Parts of the text that must not reach a log (an initial password); a gateway sends them.
    secrets: tuple[str, ...] = ()
    # The outbox row's idempotency key: the same on every attempt to send this message.
    key: str = ""
    # The text as a log may show it (masked when it was queued, when the secrets were known).
    log_text: str = ""


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


class TemporaryFailure(Exception):
    """The gateway could not take the message now (busy, down, timed out): try again later."""


class PermanentFailure(Exception):
    """The gateway refused the message for good (a bad number, a blocked text): do not retry."""


class Backend(Protocol):
    def send(self, message: Message) -> str | None:
        """Send the message or raise TemporaryFailure / PermanentFailure; returns the provider's
        id of the message when it has one. A backend may set `rate_per_second`."""
        ...


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
    rate_per_second: int | None = None

    def __init__(self) -> None:
        if not settings.DEBUG and not getattr(settings, "TONGZHOU_CONSOLE_MESSAGES_ALLOWED", False):
            raise ImproperlyConfigured(CONSOLE_REFUSED)

    def send(self, message: Message) -> str | None:
        self.outbox.append(message)
        del self.outbox[:-100]
        logger.info("message to %s: %s", mask_phone(message.to), message.log_text or masked_text(message))
        return None


class HttpSmsGateway:
    """An SMS gateway over HTTP: POSTs JSON {to, text, template, key} to TONGZHOU_SMS_GATEWAY_URL
    with the key TONGZHOU_SMS_GATEWAY_KEY as a bearer token and the message's idempotency key in
    the Idempotency-Key header (a resend after a crash is the same message to the gateway). A 2xx
    answer is sent (its JSON `id` is the provider id); 429, 5xx and network errors are temporary;
    any other answer is a permanent refusal. Sent at most TONGZHOU_SMS_RATE messages a second, over
    one kept-alive connection (HTTP/1.1) per worker batch."""

    def __init__(self) -> None:
        self.url = getattr(settings, "TONGZHOU_SMS_GATEWAY_URL", "")
        if not self.url:
            raise ImproperlyConfigured("HttpSmsGateway needs TONGZHOU_SMS_GATEWAY_URL.")
        self.api_key = getattr(settings, "TONGZHOU_SMS_GATEWAY_KEY", "")
        self.template = getattr(settings, "TONGZHOU_SMS_TEMPLATE", "")
        self.rate_per_second: int | None = getattr(settings, "TONGZHOU_SMS_RATE", None) or None
        self.timeout = getattr(settings, "TONGZHOU_SMS_TIMEOUT_SECONDS", 10)
        # One kept-alive connection per backend (a worker's batch), not one per message.
        self._open: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._open is None:
            parts = urllib.parse.urlsplit(self.url)
            kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            self._open = kind(parts.netloc, timeout=self.timeout)
        return self._open

    def close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None

    def send(self, message: Message) -> str | None:
        """One POST over the kept-alive connection. A connection the gateway closed while idle
        is opened again once; the idempotency key makes that resend harmless."""
        body = json.dumps(
            {"to": message.to, "text": message.text, "template": self.template, "key": message.key},
            ensure_ascii=False,
        ).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {self.api_key}",
            "Idempotency-Key": message.key,
        }
        parts = urllib.parse.urlsplit(self.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        for attempt in (1, 2):
            reused = self._open is not None
            try:
                connection = self._connection()
                connection.request("POST", target, body=body, headers=headers)
                response = connection.getresponse()
                answer = response.read(10_000)
                if response.will_close:
                    self.close()
                break
            except (http.client.HTTPException, OSError) as error:
                self.close()
                if reused and attempt == 1 and not isinstance(error, TimeoutError):
                    continue  # the kept connection had gone stale: once more on a new one
                raise TemporaryFailure(str(error)[:200] or type(error).__name__) from None
        status = response.status
        if status >= 300:
            detail = f"HTTP {status}: {answer[:200].decode(errors='replace')}".strip()
            if status == 429 or status >= 500:
                raise TemporaryFailure(detail)
            raise PermanentFailure(detail)
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            return None
        return str(data.get("id", "")) if isinstance(data, dict) else None


def backend() -> Backend:
    """The configured backend, made anew (settings may change, in tests)."""
    made: Backend = import_string(
        getattr(settings, "TONGZHOU_MESSAGE_BACKEND", "tongzhou.core.messaging.ConsoleBackend")
    )()
    return made


def send_message(
    *, to: str, text: str, secrets: tuple[str, ...] = (), scope: str = "", kind: str = ""
) -> "OutboxMessage":
    """Queue one message to the phone `to` and have it sent (now in this process, or by a worker
    after the caller's transaction commits). `scope` is the place path it belongs to, for the
    message log; without one, the scope resolvers (`core.outbox.dispatch.scope_resolvers`) find it
    from the number. `secrets` never reach the log nor the stored masked text."""
    from tongzhou.core.outbox.dispatch import Outgoing, enqueue

    return enqueue([Outgoing(to=to, text=text, secrets=secrets, scope=scope, kind=kind)])[0]
