"""A gate device's scan, the busiest request of the site, on a shorter way through the stack.

`POST /api/v1/checkpoints/{gate_id}/passages` with a device's bearer token (`gd_...`) and a body
that reads as a scan is answered here, by `checkpoints.api.device_scan` (what the API's operation
calls for a device), without the middleware listed in SKIPPED (a device has no session, no cookie,
no log-in and no page) and without django-ninja's routing, authentication and parameter models.
The middleware before this one (security headers, content security policy) has run; every one
after it that is not in SKIPPED runs around the scan as usual (language, Content-Length,
X-Frame-Options, the replica's write watch).

Anything else goes on down the whole stack unchanged, to the API's operation: another method, path
or token, a body that does not parse or validate (its 400 and 422 answers are the operation's own).
The operation stays where it is, in the OpenAPI document and the URL configuration, and answers
the same scan the same way (`test_passages.py` compares them).
"""

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed, RequestDataTooBig, ValidationError
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.module_loading import import_string

from tongzhou.checkpoints.api import PassageIn, device_scan_answer
from tongzhou.checkpoints.services import DeviceScan, PassageItem, device_scan_find, is_device_token, parse_item

# The middleware a device's scan skips, and why it may.
SKIPPED = {
    "django.contrib.sessions.middleware.SessionMiddleware": "a device authenticates by its token, never a session",
    "django.middleware.csrf.CsrfViewMiddleware": "API operations are exempt: a browser sends no bearer token itself",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "request.user is a session's person; a device is none",
    "django.contrib.messages.middleware.MessageMiddleware": "no page shows the messages",
    "tongzhou.accounts.middleware.DemoNotFoundMiddleware": "the answers are JSON, never the technical 404 page",
    "axes.middleware.AxesMiddleware": "it locks out failed log-ins; a device does not log in",
    "tongzhou.accounts.middleware.IdleTimeoutMiddleware": "it logs idle sessions out; a device has none",
    "tongzhou.accounts.access.DeclaredAccessMiddleware": "the scan declares GATE_SCAN, checks the device at the gate",
}
# Hooks the shorter way does not call (no view is resolved): a middleware after this one that has
# one must be in SKIPPED, or the shorter way would leave it out silently.
VIEW_HOOKS = ("process_view", "process_exception", "process_template_response")
SCAN = "tongzhou.checkpoints.middleware.DeviceScanMiddleware"


class DeviceScanMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.pattern: re.Pattern[str] | None = None
        after = settings.MIDDLEWARE[settings.MIDDLEWARE.index(SCAN) + 1 :]
        handler: Callable[[HttpRequest], Any] = convert_exception_to_response(self.scan)
        for path in reversed(after):
            if path in SKIPPED:
                continue
            middleware = import_string(path)
            hooks = [hook for hook in VIEW_HOOKS if hasattr(middleware, hook)]
            if hooks:
                raise ImproperlyConfigured(
                    f"{path} has {', '.join(hooks)}: add it to {__name__}.SKIPPED or before {SCAN}"
                )
            try:
                handler = convert_exception_to_response(middleware(handler))
            except MiddlewareNotUsed:
                continue
        self.shorter = handler

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        found = self.read(request)
        if found is None:
            return self.get_response(request)
        request.device_scan = found  # type: ignore[attr-defined]
        return self.shorter(request)

    def read(self, request: HttpRequest) -> tuple[DeviceScan, PassageItem] | None:
        """A device's well-formed scan at a gate it is bound to, found (read only), or None."""
        if request.method != "POST":
            return None
        if self.pattern is None:  # the operation's own address, however the API is mounted
            example = reverse("api:checkpoint_passage", kwargs={"gate_id": 1})
            head, tail = example.rsplit("/1/", 1)
            self.pattern = re.compile(re.escape(head) + r"/([0-9]+)/" + re.escape(tail))
        address = self.pattern.fullmatch(request.path_info)
        if address is None:
            return None
        # As ninja's HttpBearer reads the header.
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not is_device_token(token):
            return None
        try:
            data = json.loads(request.body)  # as ninja's parser reads a body
            payload = PassageIn.model_validate(data)
            item = parse_item(payload.model_dump())
        except (RequestDataTooBig, ValueError, ValidationError):  # pydantic's is a ValueError
            return None  # the operation answers it
        found = device_scan_find(raw=token, gate_id=int(address.group(1)), item=item)
        return None if found is None else (found, item)  # None: the operation's 401 or 404

    def scan(self, request: HttpRequest) -> HttpResponse:
        return device_scan_answer(*request.device_scan)  # type: ignore[attr-defined]
