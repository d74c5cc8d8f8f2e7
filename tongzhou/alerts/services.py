"""Every write of the alert inbox: raising (one or a batch, idempotent on a key), closing with an
outcome from the kind's list (once, by someone holding the kind's permission over the place), and
the two writes a module makes on its own subjects (closing what the subject's end answers, and
blanking health details at the end of their retention)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.alerts.kinds import AlertKind, kind_of
from tongzhou.alerts.models import Alert, AlertStatus
from tongzhou.core.access import require
from tongzhou.places.models import Place

MAX_NOTE = 2000
LABEL_LENGTH = 100
CHUNK = 1000


@dataclass(frozen=True)
class NewAlert:
    """One alert to raise in a batch. `place_id` may be left out: it is found from `place_path`.
    `subject_label` names the subject masked and without health details (the inbox shows it to
    everyone who may see the kind)."""

    kind: str
    place_path: str
    place_id: int | None = None
    subject_type: str = ""
    subject_id: int | None = None
    subject_label: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    raised_by_id: int | None = None
    once_key: str | None = None
    severity: str = ""
    assignee_role: str = ""


def _kind(key: str) -> AlertKind:
    kind = kind_of(key)
    if kind is None:
        raise ValueError(f"Unknown alert kind {key!r}: declare it with tongzhou.alerts.kinds.register.")
    return kind


def _row(new: NewAlert, place_id: int) -> Alert:
    kind = _kind(new.kind)
    return Alert(
        kind=kind.key,
        place_id=place_id,
        place_path=new.place_path,
        subject_type=new.subject_type,
        subject_id=new.subject_id,
        subject_label=new.subject_label[:LABEL_LENGTH],
        details=new.details,
        raised_by_id=new.raised_by_id,
        once_key=new.once_key,
        severity=new.severity or kind.severity,
        assignee_role=new.assignee_role or (kind.assignee_roles[0] if kind.assignee_roles else ""),
        created_at=timezone.now(),
    )


def alerts_raise(*, alerts: Sequence[NewAlert]) -> list[NewAlert]:
    """Raise a batch of alerts and return those that are new: an alert whose `once_key` was raised
    already is skipped (a replay, a task run twice; also under a concurrent raise, by the unique
    key). Places are found from their paths in one query when not given. Runs in the caller's
    transaction."""
    if not alerts:
        return []
    missing = {a.place_path for a in alerts if a.place_id is None}
    place_ids = dict(Place.objects.filter(path__in=missing).values_list("path", "pk")) if missing else {}
    keys = [a.once_key for a in alerts if a.once_key]
    known: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        known.update(key for key in Alert.objects.filter(once_key__in=chunk).values_list("once_key", flat=True) if key)
    new = []
    for alert in alerts:
        if alert.once_key:
            if alert.once_key in known:
                continue
            known.add(alert.once_key)
        new.append(alert)
    rows = [_row(a, a.place_id if a.place_id is not None else place_ids[a.place_path]) for a in new]
    Alert.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)
    return new


def alert_raise(
    *,
    kind: str,
    place: Place,
    subject_type: str = "",
    subject_id: int | None = None,
    subject_label: str = "",
    raised_by: User | None = None,
    details: dict[str, Any] | None = None,
    severity: str = "",
    assignee_role: str = "",
    once_key: str | None = None,
) -> Alert:
    """Raise one alert of a declared `kind` at `place`; with `once_key`, raising it again returns
    the alert raised first. Runs in the caller's transaction (its own savepoint)."""
    if once_key:
        existing = Alert.objects.filter(once_key=once_key).first()
        if existing is not None:
            return existing
    row = _row(
        NewAlert(
            kind=kind,
            place_path=place.path,
            subject_type=subject_type,
            subject_id=subject_id,
            subject_label=subject_label,
            details=details or {},
            raised_by_id=raised_by.pk if raised_by else None,
            once_key=once_key,
            severity=severity,
            assignee_role=assignee_role,
        ),
        place.pk,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        if not once_key:
            raise
        return Alert.objects.get(once_key=once_key)
    return row


@transaction.atomic
def alert_close(*, actor: User, alert: Alert, outcome: str, note: str = "") -> Alert:
    """Close an open alert with an outcome from its kind's list (and a note where the kind asks
    for one). PermissionDenied unless `actor` holds the kind's closing permission over the alert's
    place; ValidationError naming the field for a bad outcome or note, or when it is closed
    already (compare-and-set: two people closing at once, exactly one wins)."""
    kind = kind_of(alert.kind)
    if kind is None:
        raise ValidationError(_("This kind of alert is no longer known."))
    require(actor, kind.closing_perm, alert.place_path)
    errors: dict[str, str] = {}
    if outcome not in kind.outcome_keys:
        errors["outcome"] = _("Choose an outcome.")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("At most %(n)d characters.") % {"n": MAX_NOTE}
    elif not note and outcome in kind.note_required_for:
        errors["note"] = _("Say what was done.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    closed = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
        status=AlertStatus.CLOSED, outcome=outcome, note=note, closed_by=actor, closed_at=now
    )
    if not closed:
        raise ValidationError(_("This alert was closed already."))
    alert.refresh_from_db()
    return alert


def alerts_close_for_subject(
    *,
    kind: str,
    subject_type: str,
    subject_id: int,
    closed_by: User | None,
    outcome: str,
    note: str = "",
    now: datetime | None = None,
) -> int:
    """Close the open alerts of `kind` about one subject that a change of the subject answers (an
    order released answers its release reminder). The calling service has checked the actor's
    permission on the subject. Returns how many were closed."""
    if outcome not in _kind(kind).outcome_keys:
        raise ValueError(f"{outcome!r} is not an outcome of alert kind {kind!r}.")
    rows = Alert.objects.filter(kind=kind, subject_type=subject_type, subject_id=subject_id, status=AlertStatus.OPEN)
    return rows.update(
        status=AlertStatus.CLOSED, outcome=outcome, note=note, closed_by=closed_by, closed_at=now or timezone.now()
    )


def alerts_scrub(*, subject_type: str, subject_id: int) -> int:
    """Blank the outcome, note and details of every alert about one subject (the health data a
    retention period ends); the alert itself, its kind and times stay. Returns how many."""
    return Alert.objects.filter(subject_type=subject_type, subject_id=subject_id).update(
        outcome="", note="", details={}
    )
