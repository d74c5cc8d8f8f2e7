"""Claims: filed with their evidence, moved along their transitions."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.assistance.selectors import requests_of_id_number
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.core.transitions import move
from tongzhou.monitoring.selectors import orders_of_id_number
from tongzhou.welfare.audit import WelfareAudit
from tongzhou.welfare.models import (
    Benefit,
    Claim,
    ClaimStatus,
    Enrollment,
)


@dataclass
class ClaimData:
    coverage: str
    event_on: date
    description: str
    amount: Decimal
    assignment_id: int | None = None
    isolation_order_id: int | None = None
    help_request_id: int | None = None


@transaction.atomic
def claim_file(*, actor: User, enrollment: Enrollment, data: ClaimData, request: HttpRequest | None = None) -> Claim:
    """The enrolled person (or the welfare officer for them) files a claim. An event before the
    waiting period ends, outside the plan's period, or for something the plan does not cover is
    refused with the reason; evidence links must be the claimant's own."""
    own = enrollment.user_id is not None and enrollment.user_id == actor.pk
    if not own:
        require(actor, Perm.WELFARE_CLAIMS, enrollment.place_path)
    plan = enrollment.plan
    errors: dict[str, str] = {}
    if data.event_on < enrollment.covered_from:
        errors["event_on"] = _("The waiting period ends on %(date)s; events before it are not covered.") % {
            "date": enrollment.covered_from.isoformat()
        }
    elif data.event_on > plan.ends_on or data.event_on > timezone.localdate():
        errors["event_on"] = _("The date is after the plan's period or in the future.")
    benefit = Benefit.objects.filter(plan=plan, coverage=data.coverage).first()
    if benefit is None:
        errors["coverage"] = _("The plan does not cover this.")
    elif not 0 < data.amount <= benefit.amount:
        errors["amount"] = _("Claim more than zero and at most the benefit, %(amount)s yuan.") % {
            "amount": benefit.amount
        }
    if not data.description.strip():
        errors["description"] = _("Say what happened.")
    if data.assignment_id and enrollment.volunteer_id is None:
        errors["assignment"] = _("This shift is not the claimant's.")
    if errors:
        raise ValidationError(errors)
    from tongzhou.volunteers.models import Assignment

    assignment = (
        Assignment.objects.filter(pk=data.assignment_id, volunteer=enrollment.volunteer).first()
        if data.assignment_id and enrollment.volunteer is not None
        else None
    )
    if data.assignment_id and assignment is None:
        raise ValidationError({"assignment": _("This shift is not the claimant's.")})
    _check_own_evidence(enrollment, data)
    claim = Claim.objects.create(
        enrollment=enrollment,
        place_path=enrollment.place_path,
        coverage=data.coverage,
        event_on=data.event_on,
        description=data.description.strip(),
        amount=data.amount,
        assignment=assignment,
        isolation_order_id=data.isolation_order_id,
        help_request_id=data.help_request_id,
        filed_by=actor,
    )
    audit_log(action=WelfareAudit.CLAIM_FILED, actor=actor, obj=claim, place_path=claim.place_path, request=request)
    return claim


def _check_own_evidence(enrollment: Enrollment, data: ClaimData) -> None:
    """An isolation order or help request linked to a claim must be the claimant's own: the
    resident's with the enrollment's ID number (through monitoring's and assistance's selectors)."""
    errors: dict[str, str] = {}
    if data.isolation_order_id and data.isolation_order_id not in {
        o.pk for o in orders_of_id_number(enrollment.id_number, limit=100)
    }:
        errors["isolation_order"] = _("This isolation order is not the claimant's.")
    if data.help_request_id and data.help_request_id not in {
        h.pk for h in requests_of_id_number(enrollment.id_number, limit=100)
    }:
        errors["help_request"] = _("This help request is not the claimant's.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def claim_move(
    *,
    actor: User,
    claim: Claim,
    to: str,
    reason: str = "",
    public_notice: bool | None = None,
    request: HttpRequest | None = None,
) -> Claim:
    """Checked, approved, rejected (with a reason) or paid, by the welfare officer of the place;
    each move is a history row with who and when (`core.transitions.move`)."""
    require(actor, Perm.WELFARE_CLAIMS, claim.place_path)
    if to == ClaimStatus.REJECTED and not reason.strip():
        raise ValidationError({"reason": _("Say why the claim is rejected.")})
    changes = {"public_notice": public_notice} if public_notice is not None and to == ClaimStatus.APPROVED else None
    claim = move(claim, to=to, actor=actor, reason=reason.strip(), changes=changes)
    audit_log(
        action=WelfareAudit.CLAIM_MOVED,
        actor=actor,
        obj=claim,
        place_path=claim.place_path,
        request=request,
        details={"to": to},
    )
    return claim
