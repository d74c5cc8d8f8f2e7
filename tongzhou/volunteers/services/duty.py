"""On duty: QR check-in and out, leaders marking members present, the hours ledger."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.volunteers.models import (
    Assignment,
    HoursEntry,
    Post,
    Team,
    Volunteer,
)

CHECK_IN_EARLY = timedelta(minutes=30)


LATE_AFTER = timedelta(minutes=10)


def _own_assignment_now(user: User, post: Post) -> Assignment | None:
    now = timezone.now()
    return (
        Assignment.objects.filter(
            volunteer__user=user,
            shift__post=post,
            shift__published=True,
            shift__start__lte=now + CHECK_IN_EARLY,
            shift__end__gte=now - CHECK_IN_EARLY,
        )
        .select_related("shift", "volunteer")
        .order_by("shift__start")
        .first()
    )


def _log_hours(assignment: Assignment, created_by: User | None, reason: str = "") -> None:
    assert assignment.checked_in_at is not None and assignment.checked_out_at is not None
    start = max(assignment.checked_in_at, assignment.shift.start)
    end = assignment.checked_out_at
    hours = Decimal(max(0.0, (end - start).total_seconds() / 3600)).quantize(Decimal("0.1"))
    HoursEntry.objects.create(
        volunteer=assignment.volunteer, assignment=assignment, hours=hours, reason=reason, created_by=created_by
    )


@transaction.atomic
def check_in_out(*, user: User, token: str) -> tuple[str, Assignment]:
    """Scanning the post's QR code: the first scan of one's current shift checks in, the next
    checks out (and logs the hours). Returns ("in" | "out", assignment)."""
    post = Post.objects.filter(check_token=token).first()
    assignment = _own_assignment_now(user, post) if post is not None else None
    if assignment is None:
        raise ValidationError(_("You have no shift at this post now."))
    assignment = Assignment.objects.select_for_update().select_related("shift", "volunteer").get(pk=assignment.pk)
    now = timezone.now()
    if assignment.checked_in_at is None:
        assignment.checked_in_at = now
        assignment.save(update_fields=["checked_in_at"])
        return "in", assignment
    if assignment.checked_out_at is None:
        assignment.checked_out_at = now
        assignment.save(update_fields=["checked_out_at"])
        _log_hours(assignment, None)
        return "out", assignment
    raise ValidationError(_("You checked in and out of this shift already."))


@transaction.atomic
def attendance_mark(
    *, actor: User, assignment: Assignment, checked_in_at: datetime, checked_out_at: datetime
) -> Assignment:
    """The team leader (or staff) marks someone's attendance by hand, e.g. without a phone."""
    volunteer_of_actor = Volunteer.objects.filter(user=actor).first()
    leads = (
        volunteer_of_actor is not None
        and Team.objects.filter(leader=volunteer_of_actor, members=assignment.volunteer).exists()
    )
    if not leads:
        require(actor, Perm.VOLUNTEERS_MANAGE, assignment.shift.place_path)
    if checked_out_at <= checked_in_at:
        raise ValidationError({"checked_out_at": _("The check-out comes after the check-in.")})
    assignment = Assignment.objects.select_for_update().select_related("shift", "volunteer").get(pk=assignment.pk)
    assignment.checked_in_at, assignment.checked_out_at, assignment.marked_by = checked_in_at, checked_out_at, actor
    assignment.save(update_fields=["checked_in_at", "checked_out_at", "marked_by"])
    HoursEntry.objects.filter(assignment=assignment, reason="").delete()
    _log_hours(assignment, actor, reason=_("marked by hand"))
    return assignment


@transaction.atomic
def hours_correct(*, actor: User, volunteer: Volunteer, hours: Decimal, reason: str) -> HoursEntry:
    require(actor, Perm.VOLUNTEERS_MANAGE, volunteer.place_path)
    if not reason.strip():
        raise ValidationError({"reason": _("A correction needs its reason.")})
    if not Decimal("-24") <= hours <= Decimal("24") or hours == 0:
        raise ValidationError({"hours": _("Between −24 and 24 hours, not zero.")})
    return HoursEntry.objects.create(volunteer=volunteer, hours=hours, reason=reason.strip()[:200], created_by=actor)
