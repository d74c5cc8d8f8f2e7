"""On duty: QR check-in and out, leaders marking members present, the hours ledger."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
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
        # A shift still open before one already checked out of (the night after the day shift).
        .order_by(F("checked_out_at").asc(nulls_first=True), "shift__start")
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


class ConfirmCheckOut(ValidationError):
    """The check-out looks like a mistake (moments after the check-in, or before the shift has
    begun): nothing was written; ask the volunteer and call again with `confirm=True`."""


def _current_assignment(user: User, token: str) -> Assignment:
    post = Post.objects.filter(check_token=token).first()
    assignment = _own_assignment_now(user, post) if post is not None else None
    if assignment is None:
        raise ValidationError(_("You have no shift at this post now."))
    return Assignment.objects.select_for_update().select_related("shift", "volunteer").get(pk=assignment.pk)


def current_assignment(*, user: User, token: str) -> Assignment | None:
    """The user's shift at the post now (from CHECK_IN_EARLY before its start), if any: what the
    check page offers, check-in or check-out."""
    post = Post.objects.filter(check_token=token).first()
    return _own_assignment_now(user, post) if post is not None else None


@transaction.atomic
def check_in(*, user: User, token: str) -> Assignment:
    """Scanning the post's QR code and pressing "check in": from CHECK_IN_EARLY before one's shift
    at that post. Pressing it again changes nothing (it never checks out)."""
    assignment = _current_assignment(user, token)
    if assignment.checked_out_at is not None:
        raise ValidationError(_("You checked in and out of this shift already."))
    if assignment.checked_in_at is None:
        assignment.checked_in_at = timezone.now()
        assignment.save(update_fields=["checked_in_at"])
    return assignment


@transaction.atomic
def check_out(*, user: User, token: str, confirm: bool = False) -> Assignment:
    """Pressing "check out" at the post: ends one's shift and logs the hours. Within
    TONGZHOU_CHECKOUT_CONFIRM_MINUTES of the check-in, or before the shift starts, it writes
    nothing and raises ConfirmCheckOut unless `confirm`."""
    assignment = _current_assignment(user, token)
    if assignment.checked_in_at is None:
        raise ValidationError(_("You have not checked in to this shift."))
    if assignment.checked_out_at is not None:
        raise ValidationError(_("You checked in and out of this shift already."))
    now = timezone.now()
    soon = timedelta(minutes=settings.TONGZHOU_CHECKOUT_CONFIRM_MINUTES)
    if not confirm:
        if now < assignment.shift.start:
            raise ConfirmCheckOut(
                _("Your shift has not started yet (it starts at %(start)s): check out anyway? No hours are counted.")
                % {"start": timezone.localtime(assignment.shift.start).strftime("%H:%M")},
                code="confirm",
            )
        if now - assignment.checked_in_at < soon:
            raise ConfirmCheckOut(
                _("You checked in only %(n)d minutes ago: check out and end your shift now?")
                % {"n": int((now - assignment.checked_in_at).total_seconds() // 60)},
                code="confirm",
            )
    assignment.checked_out_at = now
    assignment.save(update_fields=["checked_out_at"])
    _log_hours(assignment, None)
    return assignment


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
