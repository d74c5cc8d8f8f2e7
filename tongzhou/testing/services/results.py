"""A tube's result: recalls of a positive or invalid pool, a cleared recall on a negative retest,
the alerts, the reconciliation against the chain of custody, who saw whose result, and the purge
after the retention period."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.alerts.services import NewAlert, alerts_raise, alerts_scrub
from tongzhou.core.access import require
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.core.services import AuditTarget, audit_log, audit_log_many
from tongzhou.people.models import Person
from tongzhou.testing.alert_kinds import SUBJECT, Kind
from tongzhou.testing.audit import TestingAudit
from tongzhou.testing.models import (
    Box,
    Exemption,
    Notification,
    Recall,
    RecallStatus,
    Result,
    Round,
    RoundStatus,
    Sample,
    Tube,
)


@dataclass(frozen=True)
class TubeResult:
    tube: Tube
    result: str
    ct_value: Decimal | None = None
    result_at: datetime | None = None


def results_record(*, actor: User | None, results: list[TubeResult]) -> dict[str, int]:
    """Store tubes' results (inside the caller's transaction). A positive or invalid pooled tube
    recalls each of its members for a single-tube retest (a message to their phone and one alert
    for the health officer per tube); a negative retest clears the person's recall; a positive
    single tube raises an alert proposing to register a key person. Returns counts."""
    now = timezone.now()
    counts = {"results": 0, "recalled": 0, "cleared": 0}
    tubes = [r.tube for r in results]
    # One UPDATE per (result, Ct, time): a lab's file is mostly negatives stamped alike.
    groups: dict[tuple[str, Decimal | None, datetime], list[int]] = defaultdict(list)
    for r in results:
        r.tube.result, r.tube.ct_value, r.tube.result_at = r.result, r.ct_value, r.result_at or now
        groups[(r.tube.result, r.tube.ct_value, r.tube.result_at)].append(r.tube.pk)
    for (result, ct_value, result_at), ids in groups.items():
        for start in range(0, len(ids), 5000):
            Tube.objects.filter(pk__in=ids[start : start + 5000]).update(
                result=result, ct_value=ct_value, result_at=result_at
            )
    counts["results"] = len(tubes)

    flagged = [t for t in tubes if t.result in (Result.POSITIVE, Result.INVALID)]
    pooled = [t for t in flagged if not t.retest and t.capacity > 1]
    single_positive = [t for t in tubes if t.result == Result.POSITIVE and (t.retest or t.capacity == 1)]
    negative_retests = [t.pk for t in tubes if t.retest and t.result == Result.NEGATIVE]

    days = _round_days(tubes)
    members = list(
        Sample.objects.filter(tube__in=pooled, round_on__in=days)
        .select_related("person", "tube")
        .order_by("tube_id", "pk")
    )
    recalls = [
        Recall(
            round_id=s.round_id,
            person_id=s.person_id,
            household_id=s.household_id,
            place_path=s.place_path,
            tube_id=s.tube_id,
        )
        for s in members
    ]
    Recall.objects.bulk_create(recalls, batch_size=1000, ignore_conflicts=True)
    counts["recalled"] = len(recalls)
    if negative_retests:
        retested = Sample.objects.filter(tube_id__in=negative_retests, round_on__in=days).values_list(
            "round_id", "person_id"
        )
        for round_id, person_id in retested:
            counts["cleared"] += Recall.objects.filter(
                round_id=round_id, person_id=person_id, status=RecallStatus.OPEN
            ).update(status=RecallStatus.CLEARED, cleared_at=now)

    alerts = [
        NewAlert(
            kind=Kind.POOL_RECALL,
            place_path=t.place_path,
            subject_type=SUBJECT,
            subject_id=t.round_id,
            subject_label=t.barcode,
            details={"tube": t.barcode, "members": t.filled},
            once_key=f"testing:recall:{t.pk}",
        )
        for t in pooled
    ]
    positives = Sample.objects.filter(tube__in=single_positive, round_on__in=days).select_related("person", "tube")
    alerts += [
        NewAlert(
            kind=Kind.SINGLE_POSITIVE,
            place_path=s.place_path,
            subject_type=SUBJECT,
            subject_id=s.round_id,
            subject_label=mask_name(s.person.name),
            details={"tube": s.tube.barcode},
            once_key=f"testing:positive:{s.tube_id}",
        )
        for s in positives
    ]
    alerts += _reconcile_results(tubes)
    alerts_raise(alerts=alerts)
    people = {s.person_id: s.person for s in members}
    transaction.on_commit(lambda: _tell_recalled(list(people.values())))
    return counts


def _round_days(tubes: list[Tube]) -> list[date]:
    """The first days of the tubes' rounds (their samples' round_on): named in the reads of the
    tubes' samples, so that PostgreSQL reads those months only. A lab's file is of a few rounds."""
    rounds = {t.round_id for t in tubes}
    if not rounds:
        return []
    return list(Round.objects.filter(pk__in=rounds).values_list("starts_on", flat=True).distinct())


def _reconcile_results(tubes: list[Tube]) -> list[NewAlert]:
    """In a round whose tubes go through boxes: results for tubes no lab has received, or stamped
    before the lab received their box, are raised at once (one alert per round and file)."""
    rounds = {t.round_id for t in tubes}
    boxed_rounds = set(Box.objects.filter(round_id__in=rounds).values_list("round_id", flat=True).distinct())
    if not boxed_rounds:
        return []
    receipts = dict(
        Tube.objects.filter(pk__in=[t.pk for t in tubes if t.round_id in boxed_rounds]).values_list(
            "pk", "box__received_at"
        )
    )
    alerts = []
    for round_id in boxed_rounds:
        mine = [t for t in tubes if t.round_id == round_id]
        never = [t.barcode for t in mine if receipts.get(t.pk) is None]
        early = []
        for t in mine:
            received = receipts.get(t.pk)
            if received is not None and t.result_at is not None and t.result_at < received:
                early.append(t.barcode)
        if not never and not early:
            continue
        parts = []
        if never:
            parts.append(
                _("%(n)d results for tubes no lab received (%(first)s…)") % {"n": len(never), "first": never[0]}
            )
        if early:
            text = _("%(n)d results stamped before receipt (%(first)s…)")
            parts.append(text % {"n": len(early), "first": early[0]})
        alerts.append(
            NewAlert(
                kind=Kind.CUSTODY,
                place_path=mine[0].place_path,
                subject_type=SUBJECT,
                subject_id=round_id,
                subject_label=mine[0].barcode,
                details={"what": "；".join(parts)},
            )
        )
    return alerts


def _tell_recalled(people: list[Person]) -> None:
    text = _(
        "Your community asks you to stay at home and give a single-tube sample again. "
        "Staff will tell you when and where."
    )
    for person in people:
        if person.phone:
            send_message(to=person.phone, text=text)


def results_view_record(*, actor: User, round_: Round, people: list[Person]) -> None:
    """Results are health data: who saw whose (a recall shows a pooled result) goes on each person's
    record, as a view of the register does."""
    require(actor, Perm.HEALTH_VIEW, round_.place_path)
    audit_log_many(
        action=TestingAudit.RESULT_VIEWED,
        actor=actor,
        details={"round": round_.pk},
        targets=(AuditTarget("people.person", str(p.pk), p.name, p.place_path) for p in people),
    )


def results_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Results are health data with monitoring's retention: TONGZHOU_HEALTH_RETENTION_DAYS after a
    closed round's last day, who was sampled into which tube, recalls, exemptions and door ticks are
    deleted and the round's alerts blanked. The tubes stay, with no one in them: the round's
    figures and the pool advice of later rounds still read them. Audited per round."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - timedelta(days=settings.TONGZHOU_HEALTH_RETENTION_DAYS)
    report = {"rounds": 0, "samples": 0, "recalls": 0}
    rounds = Round.objects.filter(status=RoundStatus.CLOSED, ends_on__lt=cutoff, purged_at__isnull=True)
    for round_ in rounds:
        with transaction.atomic():
            recalls, _detail = Recall.objects.filter(round=round_).delete()
            # By round alone (every month): the purge of health data does not rely on the day.
            samples, _detail = Sample.objects.filter(round=round_).delete()
            Exemption.objects.filter(round=round_).delete()
            Notification.objects.filter(round=round_).delete()
            alerts_scrub(subject_type=SUBJECT, subject_id=round_.pk)
            Round.objects.filter(pk=round_.pk).update(purged_at=now)
            audit_log(
                action=TestingAudit.RESULTS_PURGED,
                obj=round_,
                place_path=round_.place_path,
                details={"samples": samples, "recalls": recalls},
            )
        report["rounds"] += 1
        report["samples"] += samples
        report["recalls"] += recalls
    return report
