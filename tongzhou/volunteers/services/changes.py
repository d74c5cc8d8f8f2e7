"""Open-slot sign-up and drop or swap requests (a coordinator decides them, never their own)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import is_within
from tongzhou.core.transitions import decide
from tongzhou.volunteers.audit import VolunteersAudit
from tongzhou.volunteers.models import (
    ApplicationStatus,
    Assignment,
    ChangeKind,
    ChangeRequest,
    Shift,
    Source,
    Volunteer,
)


def _clashes(volunteer: Volunteer, shift: Shift) -> bool:
    """Whether taking `shift` breaks the roster's rules for this volunteer: an overlap, too little
    rest after an overnight shift or between any two shifts, or a continuous duty too long
    (back-to-back shifts counted together)."""
    rest = timedelta(hours=settings.TONGZHOU_ROSTER_REST_HOURS)
    gap = timedelta(hours=settings.TONGZHOU_ROSTER_MIN_REST_HOURS)
    longest = timedelta(hours=settings.TONGZHOU_ROSTER_MAX_CONTINUOUS_HOURS)
    near = max(rest, gap) + longest
    mine = sorted(
        [
            *Shift.objects.filter(
                assignments__volunteer=volunteer, start__lt=shift.end + near, end__gt=shift.start - near
            ).exclude(pk=shift.pk),
            shift,
        ],
        key=lambda s: s.start,
    )
    stretch = mine[0].end - mine[0].start
    for n in range(1, len(mine)):
        first, second = mine[n - 1], mine[n]
        crosses = timezone.localtime(first.end).date() > timezone.localtime(first.start).date()
        if (
            second.start < first.end + (rest if crosses else timedelta(0))
            or timedelta(0) < second.start - first.end < gap
        ):
            return True
        stretch = (stretch if second.start == first.end else timedelta(0)) + (second.end - second.start)
        if stretch > longest:
            return True
    return shift.end - shift.start > longest


@transaction.atomic
def slot_signup(*, user: User, shift: Shift) -> Assignment:
    """A volunteer takes an open place on a published shift. The shift row is locked, so the last
    place goes to exactly one of two people pressing at the same moment."""
    volunteer = Volunteer.objects.filter(user=user, status=ApplicationStatus.APPROVED).first()
    if volunteer is None or not is_within(shift.place_path, volunteer.place_path):
        raise PermissionDenied
    shift = Shift.objects.select_for_update().select_related("post").get(pk=shift.pk)
    if not shift.published or shift.start <= timezone.now():
        raise ValidationError(_("This shift is not open for sign-up."))
    if not set(shift.post.skills) <= set(volunteer.skills):
        raise ValidationError(_("This post needs a skill you have not listed."))
    if Assignment.objects.filter(shift=shift, volunteer=volunteer).exists():
        raise ValidationError(_("You are on this shift already."))
    if _clashes(volunteer, shift):
        raise ValidationError(_("This shift overlaps another of yours, or leaves too little rest."))
    if Assignment.objects.filter(shift=shift).count() >= shift.max_people:
        raise ValidationError(_("Someone else has just taken the last place."))
    return Assignment.objects.create(shift=shift, volunteer=volunteer, source=Source.SELF)


@transaction.atomic
def change_request_create(
    *, user: User, assignment: Assignment, kind: str, reason: str, swap_with: Volunteer | None = None
) -> ChangeRequest:
    if assignment.volunteer.user_id != user.pk:
        raise PermissionDenied
    if kind not in ChangeKind.values or (kind == ChangeKind.SWAP and swap_with is None):
        raise ValidationError({"kind": _("Choose drop, or swap with someone.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    if assignment.checked_in_at:
        raise ValidationError(_("You checked in already."))
    return ChangeRequest.objects.create(
        assignment=assignment, kind=kind, swap_with=swap_with, reason=reason.strip()[:500], requested_by=user
    )


@transaction.atomic
def change_request_decide(*, actor: User, request_obj: ChangeRequest, approve: bool) -> ChangeRequest:
    """A coordinator over the shift's place approves or rejects a drop or swap, exactly once and
    never their own (`core.transitions.decide`: the request row is locked). An approved drop
    removes the assignment (and with it the request); an approved swap hands it over."""

    def apply(decided: ChangeRequest) -> None:
        assignment = decided.assignment
        if decided.kind == ChangeKind.DROP:
            assignment.delete()
        elif decided.swap_with is not None:
            if Assignment.objects.filter(shift=assignment.shift, volunteer=decided.swap_with).exists():
                raise ValidationError(_("The other volunteer is on this shift already."))
            assignment.volunteer = decided.swap_with
            assignment.source = Source.MANUAL
            assignment.save(update_fields=["volunteer", "source"])

    return decide(
        request_obj,
        actor=actor,
        approve=approve,
        perm=Perm.VOLUNTEERS_MANAGE,
        path=request_obj.assignment.shift.place_path,
        apply=apply,
        audit_action=VolunteersAudit.CHANGE_REQUEST_DECIDED,
        audit_obj=request_obj.assignment.volunteer,
        audit_details={"kind": request_obj.kind, "shift": request_obj.assignment.shift_id},
    )
