"""Household passes: issuing, the signed token, revoking and reissuing."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.checkpoints.audit import CheckpointsAudit
from tongzhou.checkpoints.models import (
    Pass,
    PassStatus,
)
from tongzhou.checkpoints.services._fields import _text
from tongzhou.checkpoints.tokens import make_token, new_nonce
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.core.scope import subtree_q
from tongzhou.core.services import audit_log
from tongzhou.core.tokens import token_digest
from tongzhou.places.models import Household, Place, PlaceKind


def _household_label(household: Household) -> str:
    place = household.place
    where = f"{place.parent.name} {place.name}" if place.kind == PlaceKind.UNIT and place.parent else place.name
    first = household.members.filter(moved_out_on__isnull=True, merged_into__isnull=True).order_by("pk").first()
    return f"{where} {household.room}" + (f" · {mask_name(first.name)}" if first else "")


def passes_issue(*, actor: User, place: Place, valid_until: datetime | None = None) -> list[Pass]:
    """A pass for every household at or under `place` that has no valid one."""
    require(actor, Perm.GATES_MANAGE, place.path)
    if valid_until is not None and valid_until <= timezone.now():
        raise ValidationError({"valid_until": _("The end of validity must be in the future.")})
    with transaction.atomic():
        households = (
            Household.objects.filter(subtree_q(place.path, "place__path"))
            .exclude(pk__in=Pass.objects.filter(status=PassStatus.ACTIVE, person__isnull=True).values("household_id"))
            .select_related("place__parent")
            .prefetch_related("members")
            .order_by("place__path", "room")
        )
        passes = []
        for household in households:
            nonce = new_nonce()
            passes.append(
                Pass(
                    household=household,
                    place_path=household.place.path,
                    nonce=nonce,
                    digest=token_digest(make_token(nonce)),
                    label=_household_label(household)[:100],
                    valid_until=valid_until,
                    issued_by=actor,
                )
            )
        Pass.objects.bulk_create(passes, batch_size=1000)
        audit_log(
            action=CheckpointsAudit.PASSES_ISSUED,
            actor=actor,
            obj=place,
            place_path=place.path,
            details={"count": len(passes)},
        )
    return passes


def pass_token(pass_: Pass) -> str:
    return make_token(pass_.nonce)


def pass_revoke(*, actor: User, pass_: Pass, reason: str, reissue: bool = False) -> Pass | None:
    """Revokes a pass for good (its token never works again); with `reissue`, a new pass with a new
    token replaces it."""
    require(actor, Perm.GATES_MANAGE, pass_.place_path)
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", errors, limit=500)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Pass.objects.select_for_update().get(pk=pass_.pk)
        if locked.status != PassStatus.ACTIVE:
            raise ValidationError(_("This pass was revoked already."))
        locked.status = PassStatus.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason
        locked.save(update_fields=["status", "revoked_at", "revoked_reason", "updated_at"])
        audit_log(
            action=CheckpointsAudit.PASS_REVOKED, actor=actor, obj=locked, place_path=locked.place_path, purpose=reason
        )
        if not reissue:
            return None
        nonce = new_nonce()
        return Pass.objects.create(
            household_id=locked.household_id,
            person_id=locked.person_id,
            place_path=locked.place_path,
            nonce=nonce,
            digest=token_digest(make_token(nonce)),
            label=locked.label,
            valid_until=locked.valid_until,
            issued_by=actor,
        )
