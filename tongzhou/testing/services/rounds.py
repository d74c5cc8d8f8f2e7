"""Planning a round: its area, days and pool size; opening and closing it; exemptions."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.people.models import Person
from tongzhou.places.models import Place, PlaceKind
from tongzhou.testing.audit import TestingAudit
from tongzhou.testing.models import (
    POOL_SIZES,
    Coverage,
    Exemption,
    Round,
    RoundStatus,
    TestKind,
)

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
