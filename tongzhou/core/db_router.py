"""Read-heavy pages read from a streaming replica, with read-your-writes.

With `REPLICA_DATABASE_URL` set, settings add a `replica` database, this router and
`ReplicaMiddleware`. Everything reads and writes the primary (`default`) except the views marked
`@replica_reads` (reports, dashboards, drill-downs, exports, the public ledger, the daily report
API), whose reads go to the replica when it is safe:

- **read-your-writes**: a request that wrote on the primary leaves the primary's WAL position
  (`pg_current_wal_lsn()`) in a signed cookie; that browser's eligible reads stay on the primary
  until the replica has replayed past it (`pg_last_wal_replay_lsn()`), then the cookie is dropped;
- within one request, a read after a write goes to the primary;
- a replica lagging more than `REPLICA_MAX_LAG_SECONDS`, or one that cannot be reached (tried once
  per request, with a short connect timeout; then left alone for `REPLICA_RETRY_SECONDS` by this
  process), is not used: the page reads the primary, without an error.

Sessions and log-in state are always read on the primary. Nothing here runs on SQLite: without a
replica the router and the middleware are not installed and the decorator does nothing.
"""

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, OperationalError, connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
WAL_COOKIE = "tz_wal"
_COOKIE_SALT = "tongzhou.core.db_router.wal"
# Read on the primary wherever: whether someone is logged in must never lag.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes"})
_WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "TRUNCATE", "CREATE", "ALTER", "DROP"})
# Writes to these do not keep the rest of the request on the primary: no eligible page reads back
# what it just wrote there (an export's own audit event). Session writes are not the user's data.
_APPEND_ONLY = ('"core_auditevent"',)
_NOT_DATA = ('"django_session"',)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Reads:
    """Where this request's reads go, and why (shown by the bench and asserted by the tests)."""

    alias: str = PRIMARY
    why: str = "not eligible"
    wrote: bool = False  # the request wrote data it may read back: its later reads stay on the primary
    changed: bool = False  # the request wrote: the browser's next eligible reads wait for the replica
    caught_up: bool = False  # the replica has replayed the browser's last write: its cookie can go


_reads: ContextVar[Reads | None] = ContextVar("tongzhou_reads", default=None)
_down_until: dict[str, float] = {}


def replica_enabled() -> bool:
    return REPLICA in settings.DATABASES and bool(getattr(settings, "REPLICA_READS", False))


def current_reads() -> Reads | None:
    return _reads.get()


def lsn_value(text: str) -> int:
    """'16/B374D848' as a number, to compare WAL positions."""
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def forget_failures() -> None:
    """Try the replica again at the next eligible request (tests; after the replica is back)."""
    _down_until.clear()


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        state = _reads.get()
        if state is None or state.alias != REPLICA or state.wrote or model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY


class _WriteWatch:
    """Notes the primary's writes during a request (an execute wrapper on `default`)."""

    def __init__(self, state: Reads) -> None:
        self.state = state

    def __call__(self, execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if not self.state.wrote:
            text = sql if isinstance(sql, str) else ""
            head = text.lstrip()[:80]
            verb = head.split(None, 1)[0].upper() if head else "?"
            if verb == "WITH":
                upper = text.upper()
                writes = any(f"{word} " in upper for word in ("INSERT", "UPDATE", "DELETE"))
            else:
                writes = verb in _WRITE_VERBS or not text
            if writes and not any(table in head for table in _NOT_DATA):
                self.state.changed = True
                if not any(table in head for table in _APPEND_ONLY):
                    self.state.wrote = True
        return result


class ReplicaMiddleware:
    """Watches each request's writes on the primary; after one (or any unsafe method), leaves the
    primary's WAL position in the browser's signed cookie for `replica_reads` to wait for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not replica_enabled():
            return self.get_response(request)
        state = Reads()
        request.reads = state  # type: ignore[attr-defined]
        token = _reads.set(state)
        try:
            with connections[PRIMARY].execute_wrapper(_WriteWatch(state)):
                response = self.get_response(request)
        finally:
            _reads.reset(token)
        if state.changed or request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            _remember_position(response)
        return response


def _remember_position(response: HttpResponseBase) -> None:
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            (lsn,) = cursor.fetchone()
    except DatabaseError:
        logger.warning("could not read the primary's WAL position", exc_info=True)
        return
    response.set_signed_cookie(
        WAL_COOKIE,
        lsn,
        salt=_COOKIE_SALT,
        max_age=24 * 60 * 60,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _fail(now: float) -> None:
    """The replica failed: this process leaves it alone for REPLICA_RETRY_SECONDS."""
    _down_until[REPLICA] = now + settings.REPLICA_RETRY_SECONDS
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


def _choose(request: HttpRequest, state: Reads) -> None:
    """Decides, once per request, whether its reads may go to the replica."""
    if state.wrote:
        state.why = "wrote"
        return
    now = time.monotonic()
    if _down_until.get(REPLICA, 0.0) > now:
        state.why = "down"
        return
    mine = request.get_signed_cookie(WAL_COOKIE, default=None, salt=_COOKIE_SALT)
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                " ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            recovering, replayed, lag = cursor.fetchone()
    except DatabaseError:
        logger.warning("replica unreachable; reading the primary", exc_info=True)
        _fail(now)
        state.why = "down"
        return
    if recovering and replayed is None:
        state.why = "behind"
        return
    if recovering and lag is not None and float(lag) > settings.REPLICA_MAX_LAG_SECONDS:
        state.why = "lagging"
        return
    if recovering and mine:
        try:
            behind = lsn_value(replayed) < lsn_value(mine)
        except ValueError:
            behind = False  # not a position we wrote: ignore it
        if behind:
            state.why = "behind"
            return
        state.caught_up = True
    state.alias, state.why = REPLICA, "replica"


def replica_reads(view: F) -> F:
    """Marks a read-only view whose reads may go to the replica (see the module's docstring).
    Put it above the access decorator: the user and their session are loaded first, on the primary."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        state = _reads.get()
        if state is None or not replica_enabled():
            return view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 (loads the user and the session on the primary)
        _choose(request, state)
        try:
            response = view(request, *args, **kwargs)
        except OperationalError:
            if state.alias != REPLICA or state.changed:
                raise
            # The replica went away (or cancelled a query replaying the primary's) mid-page: the
            # page is read-only and wrote nothing, so it is read again from the primary.
            logger.warning("replica failed during a page; reading it from the primary", exc_info=True)
            _fail(time.monotonic())
            state.alias, state.why = PRIMARY, "failed"
            response = view(request, *args, **kwargs)
        chosen, state.alias = state.alias, PRIMARY
        if isinstance(response, HttpResponseBase):
            if state.caught_up:
                response.delete_cookie(WAL_COOKIE, samesite="Lax")
            if response.streaming and chosen == REPLICA:
                body = response.streaming_content  # type: ignore[attr-defined]
                response.streaming_content = _within(Reads(alias=chosen, why=state.why), body)  # type: ignore[attr-defined]
        return response

    return cast(F, wrapper)


def _within(state: Reads, chunks: Iterable[Any]) -> Iterator[Any]:
    """A streamed body is read after the view returned: its reads go where the view's went."""
    previous = _reads.get()
    _reads.set(state)
    try:
        yield from chunks
    finally:
        _reads.set(previous)


__all__ = [
    "Reads",
    "ReplicaMiddleware",
    "ReplicaRouter",
    "current_reads",
    "forget_failures",
    "replica_enabled",
    "replica_reads",
]
