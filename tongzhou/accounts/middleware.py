import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from tongzhou.accounts.services import logout_record

LAST_SEEN = "tongzhou_last_seen"
# The last-seen time is written to the session at most this often, not on every request.
SAVE_EVERY_SECONDS = 60


def start_idle_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """At log-in, with the session being written anyway, so a page right after it writes nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = time.time()


class IdleTimeoutMiddleware:
    """Logs a session out after TONGZHOU_IDLE_MINUTES without a request (0: never), so a phone or
    a shared office computer left logged in does not stay open for the session's 14 days. The
    log-out is audited like any other; the next page asks to log in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        idle_seconds = settings.TONGZHOU_IDLE_MINUTES * 60
        user = getattr(request, "user", None)
        if idle_seconds and user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN)
            if isinstance(last_seen, int | float) and now - last_seen > idle_seconds:
                logout_record(user=user, request=request)
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.TONGZHOU_IDLE_MINUTES},
                )
            elif not isinstance(last_seen, int | float) or now - last_seen >= SAVE_EVERY_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


# Django's technical 404 page (DEBUG on) carries this tag; the product's own 404 pages do not.
TECHNICAL_PAGE_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'


class DemoNotFoundMiddleware:
    """The demo runs with DEBUG on, where Django answers a missing page with its technical 404
    (every URL pattern of the site): in demo mode a newcomer gets the product's 404 page instead,
    as on a real deployment. Pages that answer 404 themselves (an expired personal link) keep
    their own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and settings.TONGZHOU_DEMO
            and not getattr(response, "streaming", False)
            and TECHNICAL_PAGE_MARK in response.content
        ):
            return page_not_found(request, Http404())
        return response
