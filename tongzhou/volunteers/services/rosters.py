"""Rosters: the period's shifts, the solver run in the background, hand edits, publishing."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import scope_for
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import subtree_q
from tongzhou.places.models import Place
from tongzhou.volunteers.models import (
    ApplicationStatus,
    Assignment,
    Roster,
    RosterStatus,
    Shift,
    Source,
    Volunteer,
)
from tongzhou.volunteers.services.posts import _shifts_from_templates
from tongzhou.volunteers.services.signup import _send_after_commit

MAX_ROSTER_DAYS = 62


@transaction.atomic
def roster_start(*, actor: User, place: Place, starts_on: date, ends_on: date) -> Roster:
    """Generate: the period's shifts from the templates, then the solver in the background."""
    require(actor, Perm.VOLUNTEERS_MANAGE, place.path)
    if ends_on < starts_on or (ends_on - starts_on).days >= MAX_ROSTER_DAYS:
        raise ValidationError({"ends_on": _("A period of 1 to %(n)d days.") % {"n": MAX_ROSTER_DAYS}})
    _shifts_from_templates(place, starts_on, ends_on)
    roster = Roster.objects.create(
        place=place, place_path=place.path, starts_on=starts_on, ends_on=ends_on, created_by=actor
    )
    from tongzhou.volunteers import tasks

    transaction.on_commit(lambda: tasks.solve_roster.delay(roster.pk))
    return roster


def _period_shifts(roster: Roster) -> Any:
    first = timezone.make_aware(datetime.combine(roster.starts_on, time(0)))
    last = timezone.make_aware(datetime.combine(roster.ends_on + timedelta(days=1), time(0)))
    return Shift.objects.filter(subtree_q(roster.place_path, "place_path"), start__gte=first, start__lt=last)


def roster_problem(roster: Roster) -> dict[str, Any]:
    """The solver's input for a roster: its unpublished shifts and the approved volunteers of its area."""
    shifts = list(_period_shifts(roster).filter(published=False).select_related("post"))
    volunteers = Volunteer.objects.filter(
        subtree_q(roster.place_path, "place_path"), status=ApplicationStatus.APPROVED
    ).order_by("pk")
    return {
        "timezone": settings.TIME_ZONE,
        "rules": {
            "min_rest_after_overnight_hours": settings.TONGZHOU_ROSTER_REST_HOURS,
            "max_hours_per_7_days": settings.TONGZHOU_ROSTER_MAX_WEEK_HOURS,
            "max_consecutive_days": settings.TONGZHOU_ROSTER_MAX_CONSECUTIVE_DAYS,
            "min_rest_hours": settings.TONGZHOU_ROSTER_MIN_REST_HOURS,
            "max_continuous_hours": settings.TONGZHOU_ROSTER_MAX_CONTINUOUS_HOURS,
            "time_limit_seconds": settings.TONGZHOU_ROSTER_TIME_LIMIT,
        },
        "volunteers": [
            {
                "id": str(v.pk),
                "skills": v.skills,
                "availability": v.availability,
                "blackout_dates": v.blackout_dates,
            }
            for v in volunteers
        ],
        "shifts": [
            {
                "id": str(s.pk),
                "post": str(s.post_id),
                "start": timezone.localtime(s.start).isoformat(),
                "end": timezone.localtime(s.end).isoformat(),
                "min": s.min_people,
                "max": s.max_people,
                "skills": s.post.skills,
            }
            for s in shifts
        ],
    }


def roster_solve(roster_id: int) -> None:
    """The background task: solve, then put the roster's assignments on its unpublished shifts
    (replacing earlier roster ones; manual and self sign-ups stay and count)."""
    from tongzhou.volunteers.roster import problem_from_dict, solve

    roster = Roster.objects.get(pk=roster_id)
    Roster.objects.filter(pk=roster_id).update(status=RosterStatus.RUNNING, progress=5)
    data = roster_problem(roster)
    kept = Assignment.objects.filter(shift__in=_period_shifts(roster).filter(published=False)).exclude(
        source=Source.ROSTER
    )
    taken: dict[str, int] = defaultdict(int)
    for shift_id in kept.values_list("shift_id", flat=True):
        taken[str(shift_id)] += 1
    for shift in data["shifts"]:  # what people already hold is not the solver's to fill
        shift["max"] = max(0, shift["max"] - taken[shift["id"]])
        shift["min"] = min(max(0, shift["min"] - taken[shift["id"]]), shift["max"])

    def progress(stage: str, fraction: float) -> None:
        Roster.objects.filter(pk=roster_id).update(progress=int(5 + 90 * fraction))

    try:
        result = solve(problem_from_dict(data), progress=progress)
    except Exception as error:
        Roster.objects.filter(pk=roster_id).update(status=RosterStatus.FAILED, result={"error": str(error)})
        raise
    with transaction.atomic():
        Assignment.objects.filter(
            shift__in=_period_shifts(roster).filter(published=False), source=Source.ROSTER
        ).delete()
        Assignment.objects.bulk_create(
            [
                Assignment(shift_id=int(shift_id), volunteer_id=int(volunteer_id), source=Source.ROSTER)
                for shift_id, volunteer_id in result.assignments
            ],
            ignore_conflicts=True,
        )
        Roster.objects.filter(pk=roster_id).update(
            status=RosterStatus.DONE,
            progress=100,
            result={
                "status": result.status,
                "uncovered": result.uncovered,
                "spread_hours": result.spread_hours,
                "hours": result.hours,
                "stages": result.stages,
                "seconds": round(result.seconds, 1),
            },
        )


@transaction.atomic
def assignment_add(*, actor: User, shift: Shift, volunteer: Volunteer) -> Assignment:
    """The coordinator's hand edit: put someone on a shift (the rules are the coordinator's call,
    but never more people than the maximum)."""
    require(actor, Perm.VOLUNTEERS_MANAGE, shift.place_path)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if volunteer.status != ApplicationStatus.APPROVED or not scope_for(actor, Perm.VOLUNTEERS_MANAGE).contains(
        volunteer.place_path
    ):
        raise ValidationError(_("Only approved volunteers of your area."))
    if shift.assignments.count() >= shift.max_people:
        raise ValidationError(_("This shift is full."))
    assignment, _created = Assignment.objects.get_or_create(
        shift=shift, volunteer=volunteer, defaults={"source": Source.MANUAL}
    )
    return assignment


@transaction.atomic
def assignment_remove(*, actor: User, assignment: Assignment) -> None:
    require(actor, Perm.VOLUNTEERS_MANAGE, assignment.shift.place_path)
    if assignment.checked_in_at:
        raise ValidationError(_("Someone who checked in stays on the shift."))
    assignment.delete()


@transaction.atomic
def roster_publish(*, actor: User, roster: Roster, site_url: str = "") -> int:
    """Publish the period's shifts and tell each volunteer how many shifts they have."""
    require(actor, Perm.VOLUNTEERS_MANAGE, roster.place_path)
    if roster.status not in (RosterStatus.DONE, RosterStatus.PUBLISHED):
        raise ValidationError(_("The roster is not ready."))
    shifts = _period_shifts(roster)
    shifts.update(published=True)
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.PUBLISHED)
    counts: dict[int, int] = defaultdict(int)
    for volunteer_id in Assignment.objects.filter(shift__in=shifts).values_list("volunteer_id", flat=True):
        counts[volunteer_id] += 1
    with translation.override(settings.LANGUAGE_CODE):
        for volunteer in Volunteer.objects.filter(pk__in=counts):
            _send_after_commit(
                volunteer.phone,
                _("Your duty roster from %(first)s to %(last)s: %(n)d shifts. See them at %(url)s")
                % {
                    "first": roster.starts_on,
                    "last": roster.ends_on,
                    "n": counts[volunteer.pk],
                    "url": site_url.rstrip("/") + "/volunteers/me/",
                },
            )
    return len(counts)
