"""Taking a sample into a tube: never past its size, a person once per round but a retest."""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require
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
