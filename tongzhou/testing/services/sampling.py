"""Taking a sample into a tube: never past its size, a person once per round but a retest."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require, scope_of
from tongzhou.core.permissions import Perm
from tongzhou.people.models import Person
from tongzhou.testing.models import (
    Recall,
    RecallStatus,
    Result,
    Round,
    RoundStatus,
    Sample,
    Tube,
    round_samples,
)


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
        known = Sample.objects.filter(client_uuid=client_uuid, round_on=test_round.starts_on).first()
        if known is not None:
            return known
    barcode = barcode.strip().upper()
    if not barcode or len(barcode) > 40 or not barcode.isascii() or not barcode.replace("-", "").isalnum():
        raise ValidationError({"barcode": _("Scan or type the tube's barcode (letters and digits).")})
    if test_round.status != RoundStatus.OPEN:
        raise ValidationError(_("The round is not open for sampling."))
    if not person.place_path.startswith(test_round.place_path) or person.moved_out_on or person.merged_into_id:
        raise ValidationError({"person": _("The resident is not in the round's area.")})
    already = round_samples(test_round).filter(person=person, retest=False).exists()
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
                    round_on=test_round.starts_on,
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
class SampleItem:
    """One sample taken on a phone, maybe offline: who, into which tube, when, and the phone's id
    for it."""

    client_uuid: uuid.UUID
    person_id: int
    barcode: str
    taken_at: datetime


# Outcomes of a batch item.
BATCH_STORED = "stored"
BATCH_SAME = "already_stored"  # a replay: the client_uuid was stored before
BATCH_REFUSED = "refused"


@dataclass(frozen=True)
class SampleOutcome:
    client_uuid: str
    outcome: str
    error: str = ""
    tube: str = ""
    filled: int = 0
    capacity: int = 0


def _valid_barcode(barcode: str) -> bool:
    return bool(barcode) and len(barcode) <= 40 and barcode.isascii() and barcode.replace("-", "").isalnum()


def samples_record(*, actor: User, test_round: Round, items: Sequence[SampleItem]) -> list[SampleOutcome]:
    """Many samples at once (a phone's queue back online), answered item by item in order.

    The same rules as `sample_take`: a tube never past its size (its row locked while the batch
    fills it, and the database's check constraint behind that), a person once per round, only
    residents of the round's area within the actor's places. Set-based: a fixed number of queries
    at any batch size (replays, people, earlier samples, tubes, one update of the fill counts, one
    insert). A client_uuid seen before answers `already_stored` and changes nothing, so a sync cut
    off halfway is simply sent again. A retest (an already sampled person with an open recall)
    goes through `sample_take` one by one; so does the whole batch if another phone wins a race
    the batch lost (a unique or check constraint), which keeps it exact."""
    require(actor, Perm.TESTING_SAMPLE, test_round.place_path)
    answers: list[SampleOutcome | None] = [None] * len(items)
    if test_round.status != RoundStatus.OPEN:
        refused = _("The round is not open for sampling.")
        return [SampleOutcome(str(i.client_uuid), BATCH_REFUSED, refused) for i in items]
    try:
        with transaction.atomic():
            _record_set(actor, test_round, items, answers)
    except IntegrityError:
        answers = [None] * len(items)
        for index, item in enumerate(items):
            answers[index] = _record_one(actor, test_round, item)
    return [a for a in answers if a is not None]


def _record_one(actor: User, test_round: Round, item: SampleItem) -> SampleOutcome:
    from tongzhou.testing.selectors import eligible

    uuid_text = str(item.client_uuid)
    if Sample.objects.filter(client_uuid=item.client_uuid, round_on=test_round.starts_on).exists():
        return SampleOutcome(uuid_text, BATCH_SAME)
    person = (
        eligible(test_round).filter(scope_of(actor, Perm.TESTING_SAMPLE).q("place_path"), pk=item.person_id).first()
    )
    if person is None:
        return SampleOutcome(uuid_text, BATCH_REFUSED, _("The resident is not in the round's area."))
    try:
        taken = sample_take(
            actor=actor,
            test_round=test_round,
            person=person,
            barcode=item.barcode,
            taken_at=item.taken_at,
            client_uuid=item.client_uuid,
        )
    except ValidationError as error:
        return SampleOutcome(uuid_text, BATCH_REFUSED, " ".join(error.messages))
    return SampleOutcome(uuid_text, BATCH_STORED, tube=taken.tube.barcode, filled=taken.tube.filled)


def _record_set(actor: User, test_round: Round, items: Sequence[SampleItem], answers: list) -> None:
    from tongzhou.testing.selectors import eligible

    now = timezone.now()
    known = set(
        Sample.objects.filter(
            client_uuid__in=_many([i.client_uuid for i in items], "uuid"), round_on=test_round.starts_on
        ).values_list("client_uuid", flat=True)
    )
    people = {
        pk: (household, path)
        for pk, household, path in eligible(test_round)
        .filter(
            scope_of(actor, Perm.TESTING_SAMPLE).q("place_path"),
            pk__in=_many(list({i.person_id for i in items}), "bigint"),
        )
        .values_list("pk", "household_id", "place_path")
    }
    sampled = set(
        round_samples(test_round)
        .filter(retest=False, person_id__in=_many(list(people), "bigint"))
        .values_list("person_id", flat=True)
    )
    barcodes = {i.barcode.strip().upper() for i in items}
    barcodes = {b for b in barcodes if _valid_barcode(b)}
    Tube.objects.bulk_create(
        [
            Tube(round=test_round, barcode=b, capacity=test_round.pool_size, place_path=test_round.place_path)
            for b in barcodes
        ],
        ignore_conflicts=True,
    )
    tubes = {t.barcode: t for t in Tube.objects.select_for_update().filter(barcode__in=barcodes)}
    added: dict[int, int] = {}
    rows: list[tuple[int, int, int, str, datetime, uuid.UUID]] = []  # tube, person, household, path, when, uuid
    retests: list[int] = []
    seen_uuids: set[uuid.UUID] = set()
    for index, item in enumerate(items):
        uuid_text = str(item.client_uuid)
        barcode = item.barcode.strip().upper()
        if item.client_uuid in known or item.client_uuid in seen_uuids:
            answers[index] = SampleOutcome(uuid_text, BATCH_SAME)
            continue
        seen_uuids.add(item.client_uuid)
        tube = tubes.get(barcode)
        if item.person_id not in people:
            error = _("The resident is not in the round's area.")
        elif tube is None:
            error = _("Scan or type the tube's barcode (letters and digits).")
        elif item.person_id in sampled:
            retests.append(index)  # already sampled: a retest with an open recall, or refused
            continue
        elif tube.round_id != test_round.pk:
            error = _("This tube belongs to another round.")
        elif tube.retest:
            error = _("This tube is for a retest.")
        elif tube.result != Result.PENDING:
            error = _("This tube already has its result.")
        elif tube.filled + added.get(tube.pk, 0) >= tube.capacity:
            error = _("The tube is full (%(n)d samples): open a new tube.") % {"n": tube.capacity}
        else:
            added[tube.pk] = added.get(tube.pk, 0) + 1
            sampled.add(item.person_id)
            household, path = people[item.person_id]
            rows.append((tube.pk, item.person_id, household, path, min(item.taken_at, now), item.client_uuid))
            answers[index] = SampleOutcome(
                uuid_text, BATCH_STORED, tube=tube.barcode, filled=tube.filled + added[tube.pk], capacity=tube.capacity
            )
            continue
        answers[index] = SampleOutcome(uuid_text, BATCH_REFUSED, str(error))
    _fill_tubes(added)
    _insert_samples(test_round, actor, rows)
    # Tubes the batch created but filled with nothing (every item for them refused) are not kept.
    Tube.objects.filter(barcode__in=barcodes, filled=0, samples__isnull=True).exclude(pk__in=list(added)).delete()
    for index in retests:
        answers[index] = _record_one(actor, test_round, items[index])


def _many(values: list[Any], sql_type: str) -> Any:
    """The right side of an `__in` for thousands of values: on PostgreSQL one array parameter
    (unnest), not one bound parameter each; elsewhere the list itself."""
    if connection.vendor != "postgresql" or not values:
        return values
    assert sql_type in ("uuid", "bigint")
    return RawSQL(f"SELECT unnest(%s::{sql_type}[])", [values])  # noqa: S611


def _fill_tubes(added: dict[int, int]) -> None:
    """Add `n` to each tube's fill count, in one statement (the rows are locked by the caller)."""
    if not added:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE testing_tube AS t SET filled = t.filled + x.n"
                " FROM unnest(%s::bigint[], %s::int[]) AS x(id, n) WHERE t.id = x.id",
                [list(added), list(added.values())],
            )
        return
    Tube.objects.filter(pk__in=list(added)).update(
        filled=F("filled")
        + Case(*(When(pk=pk, then=Value(n)) for pk, n in added.items()), output_field=PositiveSmallIntegerField())
    )


def _insert_samples(test_round: Round, actor: User, rows: list[tuple[int, int, int, str, datetime, uuid.UUID]]) -> None:
    """One INSERT of every row: on PostgreSQL from arrays (no model instances, one statement at any
    size), elsewhere through bulk_create."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        tubes, people, households, paths, times, uuids = (list(column) for column in zip(*rows, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO testing_sample"
                " (round_id, round_on, tube_id, person_id, household_id, place_path, retest, taken_at, taken_by_id,"
                " client_uuid)"
                " SELECT %s, %s, x.t, x.p, x.h, x.path, false, x.at, %s, x.u"
                " FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::timestamptz[], %s::uuid[])"
                " AS x(t, p, h, path, at, u)",
                [test_round.pk, test_round.starts_on, actor.pk, tubes, people, households, paths, times, uuids],
            )
        return
    Sample.objects.bulk_create(
        [
            Sample(
                round=test_round,
                round_on=test_round.starts_on,
                tube_id=tube,
                person_id=person,
                household_id=household,
                place_path=path,
                taken_at=when,
                taken_by=actor,
                client_uuid=client_uuid,
            )
            for tube, person, household, path, when, client_uuid in rows
        ],
        batch_size=2000,
    )
