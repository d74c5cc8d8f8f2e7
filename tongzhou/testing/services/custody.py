"""The chain of custody: a box sealed at the site, handed to a courier, received and counted at
the lab; and the lab's own API token and its results posted in batches."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.alerts.services import NewAlert, alerts_raise
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.core.tokens import token_digest
from tongzhou.testing.alert_kinds import SUBJECT, Kind
from tongzhou.testing.audit import TestingAudit
from tongzhou.testing.models import (
    Box,
    Lab,
    Result,
    Round,
    Tube,
)
from tongzhou.testing.services.results import TubeResult, results_record

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


def lab_token_issue(*, lab: Lab) -> str:
    """A new API token for `lab` (the old one stops working); shown once, only its digest kept."""
    raw = LAB_TOKEN_PREFIX + secrets.token_urlsafe(32)
    Lab.objects.filter(pk=lab.pk).update(token_hash=token_digest(raw))
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
