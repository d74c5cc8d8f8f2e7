"""Every write of the volunteers module: the public sign-up, vetting (which creates the log-in with
the volunteer role at the home community and sends the credentials), and teams."""

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import scope_for
from tongzhou.accounts.services import role_grant, user_create
from tongzhou.core.access import require
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.scope import is_within, subtree_q
from tongzhou.core.services import audit_log
from tongzhou.core.transitions import decide
from tongzhou.people.idnumbers import IdType, normalize_id_number, normalize_phone
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.audit import VolunteersAudit
from tongzhou.volunteers.models import (
    SLOT_TIMES,
    ApplicationStatus,
    Assignment,
    ChangeKind,
    ChangeRequest,
    Duty,
    HoursEntry,
    Organization,
    Post,
    Roster,
    RosterStatus,
    Shift,
    ShiftTemplate,
    Skill,
    SlotKind,
    Source,
    Team,
    TeamKind,
    Volunteer,
)

MAX_BLACKOUT_DATES = 60
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (an alphabet; no 0/o, 1/l/i: read out by phone)


@dataclass
class SignupData:
    name: str
    phone: str
    id_number: str
    community_id: int | None
    organization: str = Organization.NONE
    organization_name: str = ""
    party_member: bool = False
    veteran: bool = False
    skills: list[str] = field(default_factory=list)
    slots: list[tuple[int, str]] = field(default_factory=list)
    blackout_dates: list[date] = field(default_factory=list)
    consent: bool = False


def _slot_windows(slots: Iterable[tuple[int, str]]) -> list[dict[str, object]]:
    return [
        {"weekday": weekday, "start": SLOT_TIMES[kind][0], "end": SLOT_TIMES[kind][1]}
        for weekday, kind in sorted(set(slots))
    ]


@transaction.atomic
def volunteer_signup(*, data: SignupData, request: HttpRequest | None = None) -> Volunteer:
    """The public sign-up. Every field is checked and named when wrong; nothing is written then.
    Whether the same person signed up before is shown to the vetting staff only, never here."""
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name or len(name) > 50:
        errors["name"] = _("A name of 1 to 50 characters is required.")
    try:
        phone = normalize_phone(data.phone)
    except ValidationError as error:
        errors["phone"] = error.messages[0]
    try:
        id_number = normalize_id_number(IdType.ID_CARD, data.id_number)
    except ValidationError as error:
        errors["id_number"] = error.messages[0]
    community = (
        Place.objects.filter(pk=data.community_id, kind=PlaceKind.COMMUNITY).first() if data.community_id else None
    )
    if community is None:
        errors["community"] = _("Choose your home community from the list.")
    if data.organization not in Organization.values:
        errors["organization"] = _("Choose an organization.")
    if len(data.organization_name) > 100:
        errors["organization_name"] = _("At most %(n)d characters.") % {"n": 100}
    if set(data.skills) - set(Skill.values):
        errors["skills"] = _("Unknown skill.")
    if any(weekday not in range(7) or kind not in SlotKind.values for weekday, kind in data.slots):
        errors["slots"] = _("Unknown time slot.")
    if len(data.blackout_dates) > MAX_BLACKOUT_DATES:
        errors["blackout_dates"] = _("At most %(n)d dates.") % {"n": MAX_BLACKOUT_DATES}
    if not data.consent:
        errors["consent"] = _("We need your consent to keep and use these data for the volunteer service.")
    if errors:
        raise ValidationError(errors)
    assert community is not None
    volunteer = Volunteer.objects.create(
        name=name,
        phone=phone,
        id_number=id_number,
        community=community,
        place_path=community.path,
        organization=data.organization,
        organization_name=data.organization_name.strip(),
        party_member=data.party_member,
        veteran=data.veteran,
        skills=sorted(set(data.skills)),
        availability=_slot_windows(data.slots),
        blackout_dates=sorted({d.isoformat() for d in data.blackout_dates}),
        consent_at=timezone.now(),
    )
    audit_log(
        action=VolunteersAudit.VOLUNTEER_SIGNED_UP,
        actor_name="public",
        obj=volunteer,
        place_path=volunteer.place_path,
        request=request,
    )
    return volunteer


def _username() -> str:
    while True:
        candidate = f"vol{secrets.randbelow(10**6):06d}"
        if not User.objects.filter(username=candidate).exists():
            return candidate


@transaction.atomic
def volunteer_vet(
    *,
    actor: User,
    volunteer: Volunteer,
    approve: bool,
    reason: str = "",
    site_url: str = "",
    request: HttpRequest | None = None,
) -> Volunteer:
    """Approve (a log-in with the volunteer role at the home community, credentials by message)
    or reject with a reason (told to the applicant). Only staff of that community or above."""
    volunteer = Volunteer.objects.select_for_update().select_related("community").get(pk=volunteer.pk)
    require(actor, Perm.VOLUNTEERS_MANAGE, volunteer.place_path)
    if volunteer.status != ApplicationStatus.PENDING:
        raise ValidationError(_("This application was vetted already."))
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why the application is rejected.")})
    volunteer.vetted_by = actor
    volunteer.vetted_at = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):  # the applicant's message in the site's language
        _vet(actor, volunteer, approve, reason, site_url, request)
    volunteer.save(update_fields=["status", "reject_reason", "vetted_by", "vetted_at", "user", "updated_at"])
    audit_log(
        action=VolunteersAudit.VOLUNTEER_VETTED,
        actor=actor,
        obj=volunteer,
        place_path=volunteer.place_path,
        request=request,
        details={"approved": approve},
    )
    return volunteer


def _send_after_commit(phone: str, text: str, secrets: tuple[str, ...] = ()) -> None:
    """Sent only once the approval is saved: never credentials for a log-in that was rolled back."""
    transaction.on_commit(lambda: send_message(to=phone, text=text, secrets=secrets))


def _vet(
    actor: User, volunteer: Volunteer, approve: bool, reason: str, site_url: str, request: HttpRequest | None
) -> None:
    if approve:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _n in range(12))
        user = user_create(
            actor=actor,
            username=_username(),
            password=password,
            display_name=volunteer.name,
            phone=volunteer.phone,
            request=request,
        )
        role_grant(actor=actor, user=user, role=Role.VOLUNTEER, place=volunteer.community, request=request)
        volunteer.user = user
        volunteer.status = ApplicationStatus.APPROVED
        _send_after_commit(
            volunteer.phone,
            _(
                "Welcome to the volunteer service of %(community)s. Log in at %(url)s with user name "
                "%(username)s and password %(password)s, then change the password."
            )
            % {
                "community": volunteer.community.name,
                "url": site_url.rstrip("/") + "/accounts/login/" if site_url else "/accounts/login/",
                "username": user.username,
                "password": password,
            },
            secrets=(password,),
        )
    else:
        volunteer.status = ApplicationStatus.REJECTED
        volunteer.reject_reason = reason
        _send_after_commit(
            volunteer.phone,
            _("Your volunteer application to %(community)s was not accepted: %(reason)s")
            % {"community": volunteer.community.name, "reason": reason},
        )


@transaction.atomic
def team_create(*, actor: User, place: Place, name: str, kind: str, organizing_unit: str = "") -> Team:
    require(actor, Perm.VOLUNTEERS_MANAGE, place.path)
    errors: dict[str, str] = {}
    if not name.strip() or len(name.strip()) > 100:
        errors["name"] = _("A name of 1 to 100 characters is required.")
    if kind not in TeamKind.values:
        errors["kind"] = _("Choose a kind of team.")
    if len(organizing_unit) > 100:
        errors["organizing_unit"] = _("At most %(n)d characters.") % {"n": 100}
    if errors:
        raise ValidationError(errors)
    return Team.objects.create(
        name=name.strip(), kind=kind, place=place, place_path=place.path, organizing_unit=organizing_unit.strip()
    )


@transaction.atomic
def team_set_members(*, actor: User, team: Team, members: Iterable[Volunteer], leader: Volunteer | None = None) -> Team:
    """Members are approved volunteers whose home community lies within the team's place, or under
    the actor's scope (a team of a street takes volunteers from its communities)."""
    require(actor, Perm.VOLUNTEERS_MANAGE, team.place_path)
    scope = scope_for(actor, Perm.VOLUNTEERS_MANAGE)
    members = list(members)
    if any(m.status != ApplicationStatus.APPROVED or not scope.contains(m.place_path) for m in members):
        raise ValidationError({"members": _("Only approved volunteers of your area can be members.")})
    if leader is not None and leader not in members:
        raise ValidationError({"leader": _("The leader must be a member.")})
    team.members.set(members)
    team.leader = leader
    team.save(update_fields=["leader", "updated_at"])
    return team


# Posts, shifts and rosters.

CHECK_IN_EARLY = timedelta(minutes=30)
LATE_AFTER = timedelta(minutes=10)


@transaction.atomic
def post_create(*, actor: User, place: Place, name: str, duty: str, skills: Iterable[str] = ()) -> Post:
    require(actor, Perm.VOLUNTEERS_MANAGE, place.path)
    errors: dict[str, str] = {}
    if not name.strip() or len(name.strip()) > 100:
        errors["name"] = _("A name of 1 to 100 characters is required.")
    if duty not in Duty.values:
        errors["duty"] = _("Choose a duty.")
    if set(skills) - set(Skill.values):
        errors["skills"] = _("Unknown skill.")
    if errors:
        raise ValidationError(errors)
    return Post.objects.create(
        place=place,
        place_path=place.path,
        name=name.strip(),
        duty=duty,
        skills=sorted(set(skills)),
        check_token=secrets.token_urlsafe(16),
    )


@transaction.atomic
def template_create(
    *, actor: User, post: Post, starts: time, ends: time, min_people: int, max_people: int, weekdays: Iterable[int]
) -> ShiftTemplate:
    require(actor, Perm.VOLUNTEERS_MANAGE, post.place_path)
    days = sorted(set(weekdays))
    errors: dict[str, str] = {}
    if not 1 <= min_people <= max_people <= 50:
        errors["max_people"] = _("Between 1 and 50 people, the maximum not below the minimum.")
    if not days or any(d not in range(7) for d in days):
        errors["weekdays"] = _("Choose the weekdays.")
    if starts == ends:
        errors["ends"] = _("A shift ends at another time than it starts.")
    if errors:
        raise ValidationError(errors)
    return ShiftTemplate.objects.create(
        post=post, starts=starts, ends=ends, min_people=min_people, max_people=max_people, weekdays=days
    )


def _shifts_from_templates(place: Place, starts_on: date, ends_on: date) -> int:
    """Create the shifts of the period from the posts' templates (existing ones are kept)."""
    shifts = []
    for template in ShiftTemplate.objects.filter(subtree_q(place.path, "post__place_path")).select_related("post"):
        day = starts_on
        while day <= ends_on:
            if day.weekday() in template.weekdays:
                start = timezone.make_aware(datetime.combine(day, template.starts))
                end_day = day + timedelta(days=1) if template.ends <= template.starts else day
                shifts.append(
                    Shift(
                        post=template.post,
                        place_path=template.post.place_path,
                        start=start,
                        end=timezone.make_aware(datetime.combine(end_day, template.ends)),
                        min_people=template.min_people,
                        max_people=template.max_people,
                    )
                )
            day += timedelta(days=1)
    return len(Shift.objects.bulk_create(shifts, ignore_conflicts=True))


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
