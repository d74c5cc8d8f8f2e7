"""Writes of the daily report: snapshots at the cut-off, words, adjustments, sign-off, reminders."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import RoleAssignment
from tongzhou.core.access import require
from tongzhou.core.figures import Day, compute, figure, figures
from tongzhou.core.outbox.dispatch import Outgoing, enqueue
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.scope import subtree_q
from tongzhou.core.services import audit_log
from tongzhou.places.models import Place, PlaceKind
from tongzhou.reports.audit import ReportsAudit
from tongzhou.reports.models import Adjustment, DailyReport, Snapshot


def _clock(text: str) -> time:
    hour, _sep, minute = text.partition(":")
    return time(int(hour), int(minute or 0))


# Each level of the tree signs its report by its own deadline (a setting, local time), and who signs
# it: the community's staff, the street's administrator, the district's (a city is signed by a
# district administrator's grant at the city). The same sign-off, reminders and versions serve all.
DEADLINES = {
    PlaceKind.COMMUNITY: "TONGZHOU_REPORT_CUTOFF",
    PlaceKind.STREET: "TONGZHOU_REPORT_STREET_DEADLINE",
    PlaceKind.DISTRICT: "TONGZHOU_REPORT_DISTRICT_DEADLINE",
    PlaceKind.CITY: "TONGZHOU_REPORT_CITY_DEADLINE",
}
SIGNERS = {
    PlaceKind.COMMUNITY: Role.COMMUNITY_STAFF,
    PlaceKind.STREET: Role.STREET_ADMIN,
    PlaceKind.DISTRICT: Role.DISTRICT_ADMIN,
    PlaceKind.CITY: Role.DISTRICT_ADMIN,
}


def deadline_time(kind: str) -> str:
    return str(getattr(settings, DEADLINES[PlaceKind(kind)]))


def deadline(place: Place, day: date) -> datetime:
    """When `place` signs its report for `day`, by its kind: a community by the cut-off, a street,
    district or city by its own deadline (local time)."""
    return timezone.make_aware(
        datetime.combine(day, _clock(deadline_time(place.kind))), timezone.get_current_timezone()
    )


@transaction.atomic
def snapshot_day(*, day: date, within: Place | None = None, now: datetime | None = None) -> int:
    """Count every figure for every community (under `within`, or everywhere) for `day` and store
    one Snapshot per community, replacing the day's earlier one. One query per figure, whatever
    the number of communities. A run after the day ("late") rebuilds the figures that can be
    rebuilt from dated rows; the others keep an on-time run's value if there was one, else are
    stored as missing with the figure's reason. Returns the number of communities."""
    now = now or timezone.now()
    bounds = Day.of(day)
    late = timezone.localdate(now) > day
    communities = Place.objects.filter(kind=PlaceKind.COMMUNITY)
    if within is not None:
        communities = communities.filter(subtree_q(within.path))
    places = dict(communities.values_list("path", "pk"))
    if not places:
        return 0
    roots = [within.path] if within is not None else sorted({p[: p.index("/", 1) + 1] for p in places})
    declared = figures()
    counted = compute(
        [f for f in declared if f.reproducible or not late], day=bounds, communities=list(places), within=roots
    )
    before = {s.place_path: s for s in Snapshot.objects.filter(day=day, place_path__in=list(places))} if late else {}
    rows = []
    for path, pk in places.items():
        values: dict[str, Any] = {}
        missing: dict[str, str] = {}
        earlier = before.get(path)
        for fig in declared:
            if fig.key in counted:
                values[fig.key] = counted[fig.key][path]
            elif earlier is not None and earlier.values.get(fig.key) is not None and fig.key not in earlier.missing:
                values[fig.key] = earlier.values[fig.key]
            else:
                values[fig.key] = None
                missing[fig.key] = str(fig.why_not)
        rows.append(
            Snapshot(
                place_id=pk,
                place_path=path,
                day=day,
                cutoff=bounds.cutoff,
                taken_at=now,
                late=late,
                values=values,
                missing=missing,
            )
        )
    Snapshot.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["place", "day"],
        update_fields=["cutoff", "taken_at", "late", "values", "missing", "place_path"],
    )
    return len(rows)


def _editable(*, place: Place, day: date) -> DailyReport:
    """The version of the report open for changes: the latest one if unsigned; after sign-off a
    new version copying the signed one's words and adjustments (the signed one stays as it was)."""
    latest = DailyReport.objects.select_for_update().filter(place=place, day=day).order_by("-version").first()
    if latest is None:
        return DailyReport.objects.create(place=place, place_path=place.path, day=day)
    if not latest.is_signed:
        return latest
    fresh = DailyReport.objects.create(
        place=place,
        place_path=place.path,
        day=day,
        version=latest.version + 1,
        key_work=latest.key_work,
        difficulties=latest.difficulties,
        requests=latest.requests,
    )
    Adjustment.objects.bulk_create(
        [
            Adjustment(report=fresh, figure=a.figure, delta=a.delta, reason=a.reason, created_by_id=a.created_by_id)
            for a in latest.adjustments.all()
        ]
    )
    return fresh


def _check_place(place: Place) -> None:
    if place.kind not in DEADLINES:
        raise ValidationError(_("Only a community, street, district or city writes and signs a daily report."))


@transaction.atomic
def report_words_save(
    *, actor: Any, place: Place, day: date, key_work: str, difficulties: str, requests: str
) -> DailyReport:
    """Write the day's narrative. Needs REPORT_SIGN over the place; after sign-off this makes a
    new unsigned version."""
    require(actor, Perm.REPORT_SIGN, place.path)
    _check_place(place)
    report = _editable(place=place, day=day)
    report.key_work, report.difficulties, report.requests = key_work, difficulties, requests
    report.full_clean()
    report.save(update_fields=["key_work", "difficulties", "requests", "updated_at"])
    audit_log(action=ReportsAudit.REPORT_CHANGED, actor=actor, obj=report, place_path=place.path)
    return report


@transaction.atomic
def adjustment_add(*, actor: Any, place: Place, day: date, figure_key: str, delta: Decimal, reason: str) -> Adjustment:
    """Add a correction of one figure with its reason, as its own line. After sign-off this makes
    a new version; the signed one keeps its lines."""
    require(actor, Perm.REPORT_SIGN, place.path)
    _check_place(place)
    if figure(figure_key) is None:
        raise ValidationError({"figure": _("There is no such figure.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the figure is adjusted.")})
    if not delta:
        raise ValidationError({"delta": _("An adjustment changes the figure: give a change other than 0.")})
    report = _editable(place=place, day=day)
    row = Adjustment(report=report, figure=figure_key, delta=delta, reason=reason.strip(), created_by=actor)
    row.full_clean()
    row.save()
    audit_log(
        action=ReportsAudit.REPORT_CHANGED,
        actor=actor,
        obj=report,
        place_path=place.path,
        details={"figure": figure_key, "delta": str(delta)},
    )
    return row


@transaction.atomic
def report_sign(*, actor: Any, place: Place, day: date, now: datetime | None = None) -> DailyReport:
    """Sign the latest version (making the first one if there is none). Signing a signed version
    again is an error; it records whether the deadline was missed."""
    require(actor, Perm.REPORT_SIGN, place.path)
    _check_place(place)
    now = now or timezone.now()
    report = _editable(place=place, day=day)
    report.signed_by, report.signed_at = actor, now
    report.signed_late = now > deadline(place, day)
    report.save(update_fields=["signed_by", "signed_at", "signed_late", "updated_at"])
    audit_log(
        action=ReportsAudit.REPORT_SIGNED,
        actor=actor,
        obj=report,
        place_path=place.path,
        details={"version": report.version},
    )
    return report


@transaction.atomic
def reminders_send(*, actor: Any, place: Place, day: date, unsigned: list[Place]) -> int:
    """Text whoever signs each place in `unsigned` (places under `place`: a street's communities, a
    district's streets, a city's districts) that the day's report waits for their signature by its
    deadline, through the message pipeline. Needs REPORT_SIGN over `place`. Returns the messages
    queued."""
    require(actor, Perm.REPORT_SIGN, place.path)
    below = [c for c in unsigned if c.path.startswith(place.path) and c.path != place.path and c.kind in SIGNERS]
    wanted = Q(pk__in=[])
    for child in below:
        wanted |= Q(role=SIGNERS[PlaceKind(child.kind)], place__path=child.path)
    signers = RoleAssignment.objects.filter(wanted).select_related("user", "place").order_by("pk") if below else []
    items = [
        Outgoing(
            to=grant.user.phone,
            text=_("%(community)s: the daily report of %(day)s waits for your signature (by %(time)s).")
            % {"community": grant.place.name, "day": day.isoformat(), "time": deadline_time(grant.place.kind)},
            scope=grant.place.path,
            kind="daily_report_reminder",
        )
        for grant in signers
        if grant.user.phone
    ]
    if items:
        enqueue(items)
    audit_log(
        action=ReportsAudit.REMINDER_SENT,
        actor=actor,
        place_path=place.path,
        details={"day": day.isoformat(), "communities": len(below), "messages": len(items)},
    )
    return len(items)
