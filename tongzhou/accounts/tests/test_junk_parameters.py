"""No URL answers a server error (5xx) to junk: every URL pattern (Django's resolver through every
include, the API's operations among them) is requested with junk in its path where it takes an id,
and with junk in the query string and the form body under every parameter name the code reads, by
a few personas (the street's admin, who reaches every object, a community's staff, a volunteer, an
anonymous visitor, and once each the auditor and the health officer for the pages only they reach).
Junk is a 400, a form error or a 404; never a traceback. Each failure is collected and all are
reported together (method, URL, parameters, persona, error).

The URLs are found by walking the resolver, so a new URL is tried without anyone remembering to
add it. The objects the street's admin opens come from test_object_urls' REGISTRY (松花巷's).
"""

import re
import uuid
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, get_resolver
from django.urls.converters import IntConverter, UUIDConverter

from tongzhou.accounts.tests.test_object_urls import OUTSIDE, REGISTRY, Songhua, Target, _walk
from tongzhou.people.services import personal_link_token

# Every parameter name the views and the API read from the query string or the form body, and a
# few more; each request sends them all at once.
NAMES = (
    "place", "page", "hpage", "q", "shift", "assignment", "volunteer", "purchase", "change", "limit",
    "offset", "kind", "status", "state", "date", "day", "from", "to", "level", "gate", "action",
    "decision", "outcome", "approve", "members", "leader", "hours", "reason", "note", "back", "actor",
    "last4", "to_place", "household", "person", "amount", "rating", "direction", "temperature",
    "field", "purpose", "community_id", "code", "name", "role", "method", "starts_on", "ends_on",
)  # fmt: skip
JUNK = ("abc", "1e5", "1.5", "-1", "", "\x00", "9" * 30, "2026-02-30")
# The values of `action`/`decision` that choose a branch in some view; each is tried with junk in
# every other name.
BRANCHES = ("publish", "remove", "add", "confirm", "received", "correct", "approve", "reject", "move_out")
SKIP = ("accounts:logout",)  # it would end the persona's session; it reads no parameter
PERSONAS = ("street_admin", "taian_staff", "volunteer", None)  # None: an anonymous visitor
# Who else tries every page once with junk (the pages only they reach: the audit log, the orders).
OTHERS = ("auditor", "health_officer")
INT_JUNK = ("0", "999999999", "9" * 30)


def _urls() -> list[tuple[str, str, URLPattern]]:
    return [
        (name, route, pattern)
        for name, route, pattern in _walk(get_resolver().url_patterns)
        if not route.startswith(OUTSIDE) and name not in SKIP
    ]


def _fill(route: str, values: dict[str, Any]) -> str:
    """`route` with each `<conv:name>` (or `<name>`) replaced by `values[name]`, as a path."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def _junk_paths(pattern: URLPattern) -> list[dict[str, str]]:
    """Junk values for the URL's arguments: ids that resolve to nothing, out of every integer
    column's range, and strings that are no object's."""
    converters = pattern.pattern.converters
    variants = []
    for i in range(len(INT_JUNK)):
        variant = {}
        for name, converter in converters.items():
            if isinstance(converter, IntConverter):
                variant[name] = INT_JUNK[i]
            elif isinstance(converter, UUIDConverter):
                variant[name] = str(uuid.uuid4())
            else:
                variant[name] = ("abc", "0", "9" * 30)[i]
        variants.append(variant)
    return variants


def _real(name: str, pattern: URLPattern, songhua: Songhua) -> dict[str, Any]:
    """The URL's arguments naming real objects the street's admin reaches (junk where none is known)."""
    if name == "portal:help_request":  # the 松花巷 resident's own link to their own request
        return {"token": personal_link_token(songhua.person), "pk": songhua.help_request.pk}
    if name in REGISTRY:
        target: Target = REGISTRY[name](songhua)
        return target.kwargs
    if "token" in pattern.pattern.converters:
        return {"token": personal_link_token(songhua.person)}
    return _junk_paths(pattern)[0] if pattern.pattern.converters else {}


@pytest.mark.django_db(transaction=False)
def test_junk_parameters_never_answer_a_server_error(demo):
    songhua = Songhua(demo)
    clients: dict[str | None, Client] = {None: Client()}
    for username in PERSONAS + OTHERS:
        if username is not None:
            clients[username] = Client()
            clients[username].force_login(demo.users[username])
    failures: list[str] = []

    def attempt(persona: str | None, method: str, url: str, params: dict[str, Any]) -> None:
        client = clients[persona]
        try:
            # A savepoint each: an error on PostgreSQL would spoil the test's transaction.
            with transaction.atomic():
                response = client.get(url, params) if method == "GET" else client.post(url, params)
        except Exception as error:
            failures.append(f"{method} {url} {params!r} as {persona or 'anonymous'}: {error!r}")
            return
        if response.status_code >= 500:
            failures.append(f"{method} {url} {params!r} as {persona or 'anonymous'}: {response.status_code}")

    urls = _urls()
    assert len(urls) > 80
    # Every object first: a request below may change what making one gives (passes issued).
    real = {name: _fill(route, _real(name, pattern, songhua)) for name, route, pattern in urls}
    for name, route, pattern in urls:
        # Junk in the path, with no parameters: the street's admin every junk id, the others the
        # one out of every column's range; both methods.
        for i, values in enumerate(_junk_paths(pattern) if pattern.pattern.converters else []):
            for persona in PERSONAS if i == len(INT_JUNK) - 1 else PERSONAS[:1]:
                for method in ("GET", "POST"):
                    attempt(persona, method, _fill(route, values), {})
        # Junk parameters: the street's admin on real objects, every junk value; the others with
        # one value (their objects are elsewhere: the junk reaches their list and form pages).
        url = real[name]
        for junk in JUNK:
            params = dict.fromkeys(NAMES, junk)
            for method in ("GET", "POST"):
                attempt("street_admin", method, url, params)
        for branch in BRANCHES:
            params = {**dict.fromkeys(NAMES, "1.5"), "action": branch, "decision": branch}
            attempt("street_admin", "POST", url, params)
        for persona in PERSONAS[1:] + OTHERS:
            attempt(persona, "GET", url, dict.fromkeys(NAMES, "\x00"))
            attempt(persona, "POST", url, dict.fromkeys(NAMES, "abc"))
    if failures:
        pytest.fail(f"{len(failures)} server errors:\n" + "\n".join(failures), pytrace=False)
