"""Reads of the alert inbox. What a user sees is, for each permission that shows some kinds, those
kinds inside the places where the user holds it: one query, whatever the number of alerts."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tongzhou.alerts.kinds import AlertKind, all_kinds, view_perms
from tongzhou.alerts.models import Alert, AlertStatus
from tongzhou.core.access import get_for_user, scope_of
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope


def _visible(user: Any) -> Q | None:
    condition: Q | None = None
    for perm, keys in view_perms().items():
        scope = scope_of(user, perm)
        if scope.is_empty:
            continue
        part = Q(kind__in=keys) & scope.q("place_path")
        condition = part if condition is None else condition | part
    return condition


def kinds_for_user(user: Any) -> list[AlertKind]:
    """The kinds `user` may see somewhere (the inbox's kind filter; empty: no inbox)."""
    return [kind for kind in all_kinds() if not scope_of(user, kind.view_perm).is_empty]


def may_close(user: Any, alert: Alert, kind: AlertKind | None) -> bool:
    return kind is not None and alert.is_open and scope_of(user, kind.closing_perm).contains(alert.place_path)


def inbox_for_user(*, user: Any, status: str = AlertStatus.OPEN, kind: str = "") -> QuerySet[Alert]:
    """The alerts `user` may see (each kind where they hold its view permission), open ones newest
    first, or closed ones last closed first; `status` "" for both. One query, with the place and
    the people who raised and closed it."""
    condition = _visible(user)
    if condition is None:
        return Alert.objects.none()
    rows = Alert.objects.filter(condition).select_related("place", "raised_by", "closed_by")
    if status in AlertStatus.values:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if status == AlertStatus.CLOSED:
        return rows.order_by("-closed_at", "-id")
    return rows.order_by("-created_at", "-id")


def get_alert_for_user(*, user: Any, pk: Any, perm: Perm | None = None, write: bool = False) -> Alert:
    """The alert `pk` if `user` holds `perm` over its place and `perm` shows or closes its kind;
    with `perm` None, the kind's own view permission. Http404 otherwise, exactly as for an alert
    that does not exist. `write=True` locks the row."""
    perms: Iterable[tuple[Perm, list[str]]]
    if perm is None:
        perms = view_perms().items()
    else:
        perms = [(perm, [k.key for k in all_kinds() if perm in (k.view_perm, k.closing_perm)])]
    for each, keys in perms:
        if not keys or scope_of(user, each).is_empty:
            continue
        try:
            return get_for_user(
                Alert.objects.filter(kind__in=keys).select_related("place", "raised_by", "closed_by"),
                user=user,
                pk=pk,
                perm=each,
                path_field="place_path",
                write=write,
            )
        except Http404:
            continue
    raise Http404


def open_alert_count(scope: Scope, kinds: Iterable[str]) -> int:
    """Open alerts of `kinds` in `scope` (for a dashboard figure)."""
    return Alert.objects.filter(scope.q("place_path"), kind__in=list(kinds), status=AlertStatus.OPEN).count()


def open_alerts_about(*, subject_type: str, subject_id: int) -> QuerySet[Alert]:
    """The open alerts about one subject, oldest first (for the subject's own page, whose view has
    checked access to the subject)."""
    return Alert.objects.filter(subject_type=subject_type, subject_id=subject_id, status=AlertStatus.OPEN).order_by(
        "created_at", "id"
    )
