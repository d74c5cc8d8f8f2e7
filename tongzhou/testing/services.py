"""Writes of the testing module: plan a round, exempt someone, take a sample into a tube (never
past its size), record a tube's result (recalling a positive pool's members), and clear a recall
on a negative retest."""

import hashlib
import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.alerts.services import NewAlert, alerts_raise, alerts_scrub
from tongzhou.core.access import require, scope_of
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.core.services import AuditTarget, audit_log, audit_log_many
from tongzhou.people.models import Person
from tongzhou.people.services import personal_link_token
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.testing.alert_kinds import SUBJECT, Kind
from tongzhou.testing.audit import TestingAudit
from tongzhou.testing.models import (
    POOL_SIZES,
    Box,
    Coverage,
    DoorAnswer,
    Exemption,
    Lab,
    Notification,
    Recall,
    RecallStatus,
    Result,
    Round,
    RoundStatus,
    Sample,
    Site,
    Slot,
    TestKind,
    Tube,
)
from tongzhou.volunteers.models import Duty
from tongzhou.volunteers.services import post_create, shifts_add

ROUND_PLACE_KINDS = (PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)


@dataclass(frozen=True)
class RoundData:
    place: Place
    name: str
    starts_on: date
    ends_on: date
    pool_size: int = 10
    coverage: str = Coverage.EVERYONE
    kind: str = TestKind.NUCLEIC_ACID


def round_create(*, actor: User, data: RoundData, request: HttpRequest | None = None) -> Round:
    require(actor, Perm.TESTING_PLAN, data.place.path)
    errors: dict[str, str] = {}
    if data.place.kind not in ROUND_PLACE_KINDS:
        errors["place"] = _("A round covers a street, community, grid, compound or building.")
    if data.ends_on < data.starts_on:
        errors["ends_on"] = _("The last day is before the first.")
    if data.pool_size not in POOL_SIZES:
        errors["pool_size"] = _("Choose 1, 5, 10 or 20 samples per tube.")
    if not data.name.strip():
        errors["name"] = _("Required.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        test_round = Round.objects.create(
            place=data.place,
            place_path=data.place.path,
            name=data.name.strip(),
            kind=data.kind,
            coverage=data.coverage,
            pool_size=data.pool_size,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            created_by=actor,
        )
        audit_log(
            action=TestingAudit.ROUND_CREATED,
            actor=actor,
            obj=test_round,
            place_path=test_round.place_path,
            request=request,
        )
    return test_round


ROUND_MOVES = {RoundStatus.PLANNED: RoundStatus.OPEN, RoundStatus.OPEN: RoundStatus.CLOSED}


def round_advance(*, actor: User, test_round: Round, request: HttpRequest | None = None) -> Round:
    """Open a planned round for sampling, or close an open one."""
    require(actor, Perm.TESTING_PLAN, test_round.place_path)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=test_round.pk)
        following = ROUND_MOVES.get(RoundStatus(locked.status))
        if following is None:
            raise ValidationError(_("The round is closed."))
        locked.status = following
        locked.save(update_fields=["status", "updated_at"])
        audit_log(
            action=TestingAudit.ROUND_STATUS,
            actor=actor,
            obj=locked,
            place_path=locked.place_path,
            request=request,
            details={"status": str(following)},
        )
    return locked


def exemption_set(
    *,
    actor: User,
    test_round: Round,
    person: Person,
    reason: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Exemption:
    require(actor, Perm.TESTING_PLAN, person.place_path)
    if not person.place_path.startswith(test_round.place_path):
        raise ValidationError(_("The resident does not live in the round's area."))
    with transaction.atomic():
        exemption, _created = Exemption.objects.update_or_create(
            round=test_round, person=person, defaults={"reason": reason, "note": note[:200], "created_by": actor}
        )
        audit_log(
            action=TestingAudit.EXEMPTED,
            actor=actor,
            obj=person,
            place_path=person.place_path,
            request=request,
            details={"round": test_round.pk, "reason": reason},
        )
    return exemption


def _open_recall(test_round: Round, person: Person) -> Recall | None:
    return Recall.objects.filter(round=test_round, person=person, status=RecallStatus.OPEN).first()


def sample_take(
    *,
    actor: User,
    test_round: Round,
    person: Person,
    barcode: str,
    taken_at: datetime | None = None,
    client_uuid: uuid.UUID | None = None,
) -> Sample:
    """Put `person`'s sample into the tube `barcode` (opened on its first sample, with the round's
    pool size, or 1 for a retest). A tube never takes more than its size, on either engine and
    under concurrent phones: the place is claimed by one conditional UPDATE. A person is sampled
    once per round; a second sample is a single-tube retest and needs an open recall. A replay
    with the same `client_uuid` answers the sample already taken."""
    require(actor, Perm.TESTING_SAMPLE, person.place_path)
    if client_uuid is not None:
        known = Sample.objects.filter(client_uuid=client_uuid).first()
        if known is not None:
            return known
    barcode = barcode.strip().upper()
    if not barcode or len(barcode) > 40 or not barcode.isascii() or not barcode.replace("-", "").isalnum():
        raise ValidationError({"barcode": _("Scan or type the tube's barcode (letters and digits).")})
    if test_round.status != RoundStatus.OPEN:
        raise ValidationError(_("The round is not open for sampling."))
    if not person.place_path.startswith(test_round.place_path) or person.moved_out_on or person.merged_into_id:
        raise ValidationError({"person": _("The resident is not in the round's area.")})
    already = Sample.objects.filter(round=test_round, person=person, retest=False).exists()
    retest = already
    if retest and _open_recall(test_round, person) is None:
        raise ValidationError({"person": _("Already sampled in this round.")})
    with transaction.atomic():
        tube, _created = Tube.objects.get_or_create(
            barcode=barcode,
            defaults={
                "round": test_round,
                "capacity": 1 if retest else test_round.pool_size,
                "retest": retest,
                "place_path": test_round.place_path,
            },
        )
        if tube.round_id != test_round.pk:
            raise ValidationError({"barcode": _("This tube belongs to another round.")})
        if tube.retest != retest:
            message = _("A retest goes into its own single tube.") if retest else _("This tube is for a retest.")
            raise ValidationError({"barcode": message})
        if tube.result != Result.PENDING:
            raise ValidationError({"barcode": _("This tube already has its result.")})
        claimed = Tube.objects.filter(pk=tube.pk, filled__lt=F("capacity")).update(filled=F("filled") + 1)
        if not claimed:
            raise ValidationError(
                {"barcode": _("The tube is full (%(n)d samples): open a new tube.") % {"n": tube.capacity}}
            )
        tube.refresh_from_db(fields=["filled"])
        try:
            with transaction.atomic():
                return Sample.objects.create(
                    round=test_round,
                    tube=tube,
                    person=person,
                    household_id=person.household_id,
                    place_path=person.place_path,
                    retest=retest,
                    taken_at=taken_at or timezone.now(),
                    taken_by=actor,
                    client_uuid=client_uuid,
                )
        except IntegrityError:
            # Another phone sampled the same person at the same moment: the place taken above is
            # given back by the outer transaction's rollback.
            raise ValidationError({"person": _("Already sampled in this round.")}) from None


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

    members = list(Sample.objects.filter(tube__in=pooled).select_related("person", "tube").order_by("tube_id", "pk"))
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
        retested = Sample.objects.filter(tube_id__in=negative_retests).values_list("round_id", "person_id")
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
    positives = Sample.objects.filter(tube__in=single_positive).select_related("person", "tube")
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


# Chain of custody: seal at the site, hand to a courier, receive and count at the lab.


def _custody_alert(box: Box, what: str, once_key: str) -> None:
    alerts_raise(
        alerts=[
            NewAlert(
                kind=Kind.CUSTODY,
                place_path=box.place_path,
                subject_type=SUBJECT,
                subject_id=box.round_id,
                subject_label=box.code,
                details={"box": box.code, "what": what},
                once_key=once_key,
            )
        ]
    )


def box_seal(*, actor: User, round_: Round, code: str, lab: Lab, barcodes: list[str]) -> Box:
    """Seal the tubes `barcodes` of the round into the box `code` for `lab`. Every barcode must be
    a tube of the round with samples in it and in no other box; the box keeps the count."""
    require(actor, Perm.TESTING_SAMPLE, round_.place_path)
    code = code.strip().upper()
    wanted = sorted({b.strip().upper() for b in barcodes if b.strip()})
    if not code or len(code) > 40:
        raise ValidationError({"code": _("Scan or type the box's code.")})
    if not wanted:
        raise ValidationError({"barcodes": _("Scan the tubes that go into the box.")})
    if not round_.place_path.startswith(lab.place_path) and not lab.place_path.startswith(round_.place_path):
        raise ValidationError({"lab": _("This laboratory does not serve the round's area.")})
    with transaction.atomic():
        tubes = {t.barcode: t for t in Tube.objects.select_for_update().filter(round=round_, barcode__in=wanted)}
        unknown = [b for b in wanted if b not in tubes]
        if unknown:
            raise ValidationError({"barcodes": _("Not tubes of this round: %(codes)s") % {"codes": "、".join(unknown)}})
        boxed = [b for b, t in tubes.items() if t.box_id is not None]
        if boxed:
            raise ValidationError({"barcodes": _("Already in a box: %(codes)s") % {"codes": "、".join(boxed)}})
        empty = [b for b, t in tubes.items() if t.filled == 0]
        if empty:
            raise ValidationError({"barcodes": _("No sample in: %(codes)s") % {"codes": "、".join(empty)}})
        if Box.objects.filter(code=code).exists():
            raise ValidationError({"code": _("A box with this code is sealed already.")})
        box = Box.objects.create(
            round=round_,
            code=code,
            lab=lab,
            place_path=round_.place_path,
            tube_count=len(tubes),
            sealed_at=timezone.now(),
            sealed_by=actor,
        )
        Tube.objects.filter(pk__in=[t.pk for t in tubes.values()]).update(box=box)
    return box


def box_hand_over(*, actor: User, box: Box, courier: str) -> Box:
    require(actor, Perm.TESTING_SAMPLE, box.place_path)
    courier = courier.strip()
    if not courier:
        raise ValidationError({"courier": _("Who takes the box?")})
    with transaction.atomic():
        locked = Box.objects.select_for_update().get(pk=box.pk)
        if locked.handed_at is not None:
            raise ValidationError(_("The box was handed over already."))
        locked.courier, locked.handed_at, locked.handed_by = courier[:50], timezone.now(), actor
        locked.save(update_fields=["courier", "handed_at", "handed_by"])
    return locked


def box_receive(*, actor: User, box: Box, counted: int) -> Box:
    """The lab received the box and counted its tubes; a count that differs from the sealed one
    raises a custody alert at once."""
    require(actor, Perm.TESTING_PLAN, box.place_path)
    if counted < 0 or counted > 10_000:
        raise ValidationError({"counted": _("Count the tubes in the box.")})
    with transaction.atomic():
        locked = Box.objects.select_for_update().get(pk=box.pk)
        if locked.received_at is not None:
            raise ValidationError(_("The box was received already."))
        locked.received_at, locked.received_by, locked.received_count = timezone.now(), actor, counted
        locked.save(update_fields=["received_at", "received_by", "received_count"])
        if locked.count_differs:
            what = _("box %(box)s: %(sealed)d tubes sealed, %(counted)d counted at the lab") % {
                "box": locked.code,
                "sealed": locked.tube_count,
                "counted": counted,
            }
            _custody_alert(locked, what, f"testing:custody:count:{locked.pk}")
    return locked


# The lab's API: a token per laboratory, results posted in batches for its own tubes only.

LAB_TOKEN_PREFIX = "lab_"  # noqa: S105 (a prefix, not a secret)


def lab_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def lab_token_issue(*, lab: Lab) -> str:
    """A new API token for `lab` (the old one stops working); shown once, only its digest kept."""
    raw = LAB_TOKEN_PREFIX + secrets.token_urlsafe(32)
    Lab.objects.filter(pk=lab.pk).update(token_hash=lab_token_hash(raw))
    return raw


@dataclass(frozen=True)
class LabItem:
    barcode: str
    result: str
    ct_value: Decimal | None = None
    result_at: datetime | None = None


LAB_UNKNOWN, LAB_CONFLICT, LAB_STORED, LAB_SAME = "unknown_tube", "conflict", "stored", "already_stored"


def lab_results_post(*, lab: Lab, items: list[LabItem]) -> list[str]:
    """Store a lab's results for the tubes in boxes sent to it; per item: stored, already_stored
    (the same result sent again), conflict (another result is stored) or unknown_tube (not a tube of
    a box sent to this lab). The stored ones in one transaction, with recalls and alerts."""
    barcodes = [i.barcode.strip().upper() for i in items]
    with transaction.atomic():
        tubes = {
            t.barcode: t
            for t in Tube.objects.select_for_update().filter(barcode__in=barcodes, box__lab=lab).order_by("pk")
        }
        outcomes, results = [], []
        stored = {barcode: t.result for barcode, t in tubes.items() if t.result != Result.PENDING}
        for barcode, item in zip(barcodes, items, strict=True):
            tube = tubes.get(barcode)
            if tube is None:
                outcomes.append(LAB_UNKNOWN)
            elif barcode in stored:
                outcomes.append(LAB_SAME if stored[barcode] == item.result else LAB_CONFLICT)
            else:
                stored[barcode] = item.result
                outcomes.append(LAB_STORED)
                results.append(TubeResult(tube, item.result, item.ct_value, item.result_at))
        if results:
            results_record(actor=None, results=results)
            audit_log(
                action=TestingAudit.RESULTS_IMPORTED,
                actor_name=lab.name,
                obj=lab,
                place_path=lab.place_path,
                details={"results": len(results), "api": True},
            )
    return outcomes


# Sampling sites and their time slots, building by building.

SLOT_STEP = 10  # minutes: slots are planned in steps of ten minutes


@dataclass(frozen=True)
class SiteData:
    place: Place
    name: str
    per_hour: int
    opens: time
    closes: time


def site_create(*, actor: User, round_: Round, data: SiteData) -> Site:
    """A sampling site of the round, and its "keep order" post with a shift on each day of the
    round during its hours (2 to 4 volunteers), for the volunteers' roster."""
    require(actor, Perm.TESTING_PLAN, round_.place_path)
    errors: dict[str, str] = {}
    if not data.place.path.startswith(round_.place_path):
        errors["place"] = _("The site is in the round's area.")
    if not data.name.strip():
        errors["name"] = _("Required.")
    if not 1 <= data.per_hour <= 2000:
        errors["per_hour"] = _("Between 1 and 2,000 people an hour.")
    if data.closes <= data.opens:
        errors["closes"] = _("The site closes after it opens.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        post = post_create(actor=actor, place=data.place, name=data.name.strip(), duty=Duty.TESTING_ORDER)
        days = [round_.starts_on + timedelta(days=n) for n in range((round_.ends_on - round_.starts_on).days + 1)]
        spans = [
            (
                timezone.make_aware(datetime.combine(day, data.opens)),
                timezone.make_aware(datetime.combine(day, data.closes)),
            )
            for day in days
        ]
        shifts_add(actor=actor, post=post, spans=spans, min_people=2, max_people=4)
        return Site.objects.create(
            round=round_,
            place=data.place,
            place_path=data.place.path,
            name=data.name.strip(),
            per_hour=data.per_hour,
            opens=data.opens,
            closes=data.closes,
            post=post,
        )


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def slots_plan(*, actor: User, site: Site, buildings: list[tuple[Place, int]]) -> list[Slot]:
    """Plan the site's slots anew: each building in turn (with its head count) gets the time its
    people need at the site's rate, in steps of ten minutes, from the opening of the first day;
    a building that does not fit before closing starts the next day (the last day takes the rest).
    Staff edit single slots afterwards."""
    require(actor, Perm.TESTING_PLAN, site.place_path)
    round_ = site.round
    opens, closes = _minutes(site.opens), _minutes(site.closes)
    day, cursor = round_.starts_on, opens
    slots = []
    for building, people in buildings:
        if people <= 0:
            continue
        need = max(SLOT_STEP, -(-people * 60 // site.per_hour))
        need = -(-need // SLOT_STEP) * SLOT_STEP
        if cursor + need > closes and cursor > opens and day < round_.ends_on:
            day, cursor = day + timedelta(days=1), opens
        end = min(cursor + need, 24 * 60 - 1)
        slots.append(
            Slot(site=site, building=building, day=day, starts=_time(cursor), ends=_time(end), expected=people)
        )
        cursor = end
    with transaction.atomic():
        Slot.objects.filter(site=site).delete()
        Slot.objects.bulk_create(slots)
    return slots


def slot_change(*, actor: User, slot: Slot, starts: time, ends: time) -> Slot:
    require(actor, Perm.TESTING_PLAN, slot.site.place_path)
    if ends <= starts:
        raise ValidationError({"ends": _("A slot ends after it starts.")})
    slot.starts, slot.ends = starts, ends
    slot.save(update_fields=["starts", "ends"])
    return slot


# Telling every household: a message with the building's slot, and ticks at the door.


def round_notify(*, actor: User, round_: Round, site_url: str) -> int:
    """Text every resident of the round's area within the actor's places who has a phone and is not
    sampled yet: the building's slot and site, and the link to their own testing page. Their
    households count as notified. Returns how many messages were sent."""
    from tongzhou.testing.selectors import eligible, slot_finder

    require(actor, Perm.TESTING_PLAN, round_.place_path)
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError(_("The round is closed."))
    scope = scope_of(actor, Perm.TESTING_PLAN)
    sampled = Sample.objects.filter(round=round_, retest=False).values("person_id")
    people = list(
        eligible(round_).filter(scope.q("place_path")).exclude(pk__in=sampled).exclude(phone_index="").order_by("pk")
    )
    slot_of = slot_finder(round_)
    now = timezone.now()
    households: dict[int, str] = {}
    for person in people:
        slot = slot_of(person.place_path)
        url = site_url.rstrip("/") + reverse("portal:testing", args=[personal_link_token(person)])
        if slot is not None:
            text = _("%(round)s: please come to %(site)s on %(day)s, %(starts)s–%(ends)s. Your page: %(url)s") % {
                "round": round_.name,
                "site": slot.site.name,
                "day": f"{slot.day:%m-%d}",
                "starts": f"{slot.starts:%H:%M}",
                "ends": f"{slot.ends:%H:%M}",
                "url": url,
            }
        else:
            text = _("%(round)s: your community will tell you when and where. Your page: %(url)s") % {
                "round": round_.name,
                "url": url,
            }
        send_message(to=person.phone, text=text)
        households[person.household_id] = person.place_path
    with transaction.atomic():
        known = set(
            Notification.objects.filter(round=round_, household_id__in=list(households)).values_list(
                "household_id", flat=True
            )
        )
        Notification.objects.filter(round=round_, household_id__in=known).update(messaged_at=now)
        Notification.objects.bulk_create(
            [
                Notification(round=round_, household_id=h, place_path=path, messaged_at=now)
                for h, path in households.items()
                if h not in known
            ],
            ignore_conflicts=True,
        )
    return len(people)


def household_door_mark(*, actor: User, round_: Round, household: Household, answer: str) -> Notification:
    """A building lead or volunteer at the door: told, or nobody answered."""
    require(actor, Perm.TESTING_SAMPLE, household.place.path)
    if answer not in DoorAnswer.values:
        raise ValidationError({"answer": _("Told, or no answer.")})
    notification, _created = Notification.objects.update_or_create(
        round=round_,
        household=household,
        defaults={"place_path": household.place.path, "door": answer, "door_at": timezone.now(), "door_by": actor},
    )
    return notification


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
