from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, public, require_perm
from tongzhou.accounts.selectors import scope_for
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.core.ratelimit import rate_count, rate_hit
from tongzhou.core.services import client_ip
from tongzhou.people.idnumbers import normalize_phone
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers import documents
from tongzhou.volunteers.forms import (
    WEEKDAY_NAMES,
    ChangeRequestForm,
    PostForm,
    RosterForm,
    SignupForm,
    TeamForm,
    TemplateForm,
    VetForm,
)
from tongzhou.volunteers.models import (
    ApplicationStatus,
    RosterStatus,
    Volunteer,
)
from tongzhou.volunteers.selectors import (
    applications,
    approved_volunteers,
    communities_matching,
    get_assignment_for_leader,
    get_assignment_for_user,
    get_change_request_for_user,
    get_own_assignment,
    get_post_by_token_for_user,
    get_post_for_user,
    get_roster_for_user,
    get_shift_for_user,
    get_team_for_user,
    get_volunteer_for_user,
    hours_of,
    hours_totals,
    late_and_absent,
    my_shifts,
    open_slots,
    own_profile,
    pending_changes,
    post_places,
    posts,
    roster_overview,
    roster_places,
    roster_shifts,
    rosters,
    team_places,
    teams,
    teams_of,
    to_mark_by_leader,
)
from tongzhou.volunteers.services import (
    ConfirmCheckOut,
    SignupData,
    assignment_add,
    assignment_remove,
    attendance_mark,
    change_request_create,
    change_request_decide,
    check_in,
    check_out,
    current_assignment,
    hours_correct,
    post_create,
    roster_publish,
    roster_start,
    slot_signup,
    team_create,
    team_set_members,
    template_create,
    volunteer_signup,
    volunteer_vet,
)

SIGNUPS_BY_ADDRESS = "volunteers:signup:address"  # accepted sign-ups per address, an hour
SIGNUPS_BY_PHONE = "volunteers:signup:phone"  # accepted sign-ups per phone number, a day


def _phone_key(phone: str) -> str:
    try:
        return normalize_phone(phone)
    except ValidationError:
        return phone.strip()


def _too_many(request: HttpRequest, phone: str) -> bool:
    """A public form: past TONGZHOU_SIGNUPS_PER_ADDRESS accepted sign-ups an hour from one address,
    or TONGZHOU_SIGNUPS_PER_PHONE a day with one phone number, it refuses. Refused attempts do not
    count. Kept in the shared cache, so every worker sees the same counts."""
    return (
        rate_count(SIGNUPS_BY_ADDRESS, client_ip(request) or "") >= settings.TONGZHOU_SIGNUPS_PER_ADDRESS
        or rate_count(SIGNUPS_BY_PHONE, _phone_key(phone)) >= settings.TONGZHOU_SIGNUPS_PER_PHONE
    )


def _count_accepted(request: HttpRequest, phone: str) -> None:
    rate_hit(SIGNUPS_BY_ADDRESS, client_ip(request) or "", window_seconds=3600)
    rate_hit(SIGNUPS_BY_PHONE, _phone_key(phone), window_seconds=24 * 3600)


@public
def join(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST if request.method == "POST" else None)
    community = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = Place.objects.filter(pk=data["community"] or 0, kind=PlaceKind.COMMUNITY).first()
        if _too_many(request, data["phone"]):
            form.add_error(None, _("Too many sign-ups from this address or with this phone number; try again later."))
        else:
            try:
                volunteer = volunteer_signup(
                    data=SignupData(
                        name=data["name"],
                        phone=data["phone"],
                        id_number=data["id_number"],
                        community_id=data["community"],
                        organisation_id=data["organisation"],
                        party_member=data["party_member"],
                        veteran=data["veteran"],
                        skills=data["skills"],
                        slots=form.slot_pairs(),
                        blackout_dates=data["blackout_dates"],
                        consent=data["consent"],
                    ),
                    request=request,
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                _count_accepted(request, volunteer.phone)
                return render(request, "volunteers/joined.html", {"name": data["name"].strip()})
    return render(request, "volunteers/join.html", {"form": form, "community": community})


@public
def communities(request: HttpRequest) -> HttpResponse:
    """htmx: communities matching what the applicant types (at least two characters)."""
    return render(request, "volunteers/_communities.html", {"matches": communities_matching(request.GET.get("q", ""))})


@require_perm(Perm.VOLUNTEERS_MANAGE)
def application_list(request: ScopedRequest) -> HttpResponse:
    status = request.GET.get("status", ApplicationStatus.PENDING)
    if status not in ApplicationStatus.values:
        status = ApplicationStatus.PENDING
    return render(
        request,
        "volunteers/applications.html",
        {"rows": applications(request.scope, status)[:200], "status": status, "statuses": ApplicationStatus.choices},
    )


@require_POST
@require_perm(Perm.VOLUNTEERS_MANAGE)
def vet(request: ScopedRequest, pk: int) -> HttpResponse:
    volunteer = get_volunteer_for_user(user=request.user, pk=pk, perm=Perm.VOLUNTEERS_MANAGE)
    form = VetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("volunteers:applications")
    try:
        volunteer_vet(
            actor=request.user,
            volunteer=volunteer,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
            site_url=request.build_absolute_uri("/"),
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Vetted: %(name)s.") % {"name": volunteer.name})
    return redirect("volunteers:applications")


@require_perm(Perm.VOLUNTEERS_MANAGE)
def team_list(request: ScopedRequest) -> HttpResponse:
    form = TeamForm(request.POST if request.method == "POST" else None, places=team_places(request.scope))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = team_create(
                actor=request.user,
                place=data["place"],
                name=data["name"],
                kind=data["kind"],
                organizing_unit=data["organizing_unit"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("volunteers:team", pk=team.pk)
    return render(request, "volunteers/teams.html", {"teams": teams(request.scope), "form": form})


@require_perm(Perm.VOLUNTEERS_MANAGE)
def team_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(user=request.user, pk=pk, perm=Perm.VOLUNTEERS_MANAGE)
    candidates = list(approved_volunteers(request.scope)[:500])
    if request.method == "POST":
        chosen = {int(v) for v in request.POST.getlist("members") if v.isdigit()}
        leader_id = request.POST.get("leader", "")
        members = [v for v in candidates if v.pk in chosen]
        leader = next((v for v in candidates if str(v.pk) == leader_id), None)
        try:
            team_set_members(actor=request.user, team=team, members=members, leader=leader)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Team saved."))
            return redirect("volunteers:team", pk=team.pk)
    member_ids = set(team.members.values_list("pk", flat=True))
    return render(
        request,
        "volunteers/team.html",
        {"team": team, "candidates": candidates, "member_ids": member_ids},
    )


@public
def home(request: HttpRequest) -> HttpResponse:
    """`/volunteers/`: where the user's volunteer work is: the coordinator's rosters, the
    volunteer's own shifts, or the sign-up form for everyone else."""
    if request.user.is_authenticated:
        if not scope_for(request.user, Perm.VOLUNTEERS_MANAGE).is_empty:
            return redirect("volunteers:rosters")
        if not scope_for(request.user, Perm.VOLUNTEER_SELF).is_empty:
            return redirect("volunteers:me")
    return redirect("volunteers:join")


@require_perm(Perm.VOLUNTEER_SELF)
def me(request: ScopedRequest) -> HttpResponse:
    profile = own_profile(request.user)
    if profile is None:
        # The role without a volunteer record (given by hand, say): say what to do, not 404.
        return render(request, "volunteers/no_profile.html")
    return render(
        request,
        "volunteers/me.html",
        {
            "profile": profile,
            "teams": teams_of(profile),
            "shifts": my_shifts(profile),
            "open": open_slots(profile),
            "hours": hours_of(profile),
            "change_form": ChangeRequestForm(),
            "to_mark": to_mark_by_leader(profile),
        },
    )


@require_POST
@require_perm(Perm.VOLUNTEER_SELF)
def leader_mark(request: ScopedRequest, pk: int) -> HttpResponse:
    """A team leader marks a member present for the whole shift (no phone, a dead battery)."""
    assignment = get_assignment_for_leader(user=request.user, pk=pk)
    try:
        attendance_mark(
            actor=request.user,
            assignment=assignment,
            checked_in_at=assignment.shift.start,
            checked_out_at=min(assignment.shift.end, timezone.now()),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Marked present: %(name)s.") % {"name": assignment.volunteer.name})
    return redirect("volunteers:me")


# Posts, rosters, attendance (coordinator).


@require_perm(Perm.VOLUNTEERS_MANAGE)
def post_list(request: ScopedRequest) -> HttpResponse:
    places = post_places(request.scope)
    form = PostForm(request.POST if request.method == "POST" else None, places=places)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post = post_create(
                actor=request.user, place=data["place"], name=data["name"], duty=data["duty"], skills=data["skills"]
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("volunteers:post", pk=post.pk)
    return render(request, "volunteers/posts.html", {"posts": posts(request.scope), "form": form})


@require_perm(Perm.VOLUNTEERS_MANAGE)
def post_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    post = get_post_for_user(user=request.user, pk=pk, perm=Perm.VOLUNTEERS_MANAGE)
    form = TemplateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            template_create(actor=request.user, post=post, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Shift added."))
            return redirect("volunteers:post", pk=post.pk)
    return render(
        request,
        "volunteers/post.html",
        {"post": post, "templates": post.templates.order_by("starts"), "form": form, "weekday_names": WEEKDAY_NAMES},
    )


@require_perm(Perm.VOLUNTEERS_MANAGE)
def post_sign(request: ScopedRequest, pk: int) -> HttpResponse:
    post = get_post_for_user(user=request.user, pk=pk, perm=Perm.VOLUNTEERS_MANAGE)
    url = request.build_absolute_uri(reverse("volunteers:check", args=[post.check_token]))
    response = HttpResponse(documents.post_sign(post, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="post-{post.pk}.pdf"'
    return response


@require_perm(Perm.VOLUNTEERS_MANAGE)
def roster_list(request: ScopedRequest) -> HttpResponse:
    places = roster_places(request.scope)
    form = RosterForm(request.POST if request.method == "POST" else None, places=places)
    if request.method == "POST" and form.is_valid():
        try:
            roster = roster_start(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("volunteers:roster", pk=roster.pk)
    return render(request, "volunteers/rosters.html", {"rosters": rosters(request.scope), "form": form})


@require_perm(Perm.VOLUNTEERS_MANAGE)
def roster_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    roster = get_roster_for_user(user=request.user, pk=pk, perm=Perm.VOLUNTEERS_MANAGE)
    if request.headers.get("HX-Request"):
        if roster.status in (RosterStatus.QUEUED, RosterStatus.RUNNING):
            return render(request, "volunteers/_roster_progress.html", {"roster": roster})
        done = HttpResponse(status=204)
        done["HX-Refresh"] = "true"  # solved: reload the whole page with the roster
        return done
    ready = roster.status in (RosterStatus.DONE, RosterStatus.PUBLISHED)
    shifts = list(roster_shifts(roster)) if ready else []
    return render(
        request,
        "volunteers/roster.html",
        {
            "roster": roster,
            "shifts": shifts,
            "overview": roster_overview(roster, shifts) if ready else None,
            "candidates": approved_volunteers(request.scope)[:500] if ready else [],
        },
    )


@require_POST
@require_perm(Perm.VOLUNTEERS_MANAGE)
def roster_edit(request: ScopedRequest, pk: int) -> HttpResponse:
    roster = get_roster_for_user(user=request.user, pk=pk, perm=Perm.VOLUNTEERS_MANAGE)
    try:
        if request.POST.get("action") == "publish":
            count = roster_publish(actor=request.user, roster=roster, site_url=request.build_absolute_uri("/"))
            messages.success(request, _("Published; %(n)d volunteers were told.") % {"n": count})
        elif request.POST.get("action") == "remove":
            assignment = get_assignment_for_user(
                user=request.user, pk=request.POST.get("assignment") or 0, perm=Perm.VOLUNTEERS_MANAGE
            )
            assignment_remove(actor=request.user, assignment=assignment)
        else:
            shift = get_shift_for_user(
                user=request.user, pk=request.POST.get("shift") or 0, perm=Perm.VOLUNTEERS_MANAGE
            )
            volunteer = get_volunteer_for_user(
                user=request.user, pk=request.POST.get("volunteer") or 0, perm=Perm.VOLUNTEERS_MANAGE
            )
            assignment_add(actor=request.user, shift=shift, volunteer=volunteer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("volunteers:roster", pk=roster.pk)


@require_perm(Perm.VOLUNTEERS_MANAGE)
def attendance(request: ScopedRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "correct":
        volunteer = get_volunteer_for_user(
            user=request.user, pk=request.POST.get("volunteer") or 0, perm=Perm.VOLUNTEERS_MANAGE
        )
        try:
            hours_correct(
                actor=request.user,
                volunteer=volunteer,
                hours=Decimal(request.POST.get("hours") or "0"),
                reason=request.POST.get("reason", ""),
            )
        except (ValidationError, InvalidOperation) as error:
            messages.error(request, " ".join(getattr(error, "messages", [_("Hours like 2.5 or -1.")])))
        else:
            messages.success(request, _("Hours corrected."))
        return redirect("volunteers:attendance")
    if request.method == "POST":
        change = get_change_request_for_user(
            user=request.user, pk=request.POST.get("change") or 0, perm=Perm.VOLUNTEERS_MANAGE
        )
        try:
            change_request_decide(
                actor=request.user, request_obj=change, approve=request.POST.get("decision") == "approve"
            )
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not decide this."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("volunteers:attendance")
    return render(
        request,
        "volunteers/attendance.html",
        {
            **late_and_absent(request.scope),
            "changes": pending_changes(request.scope),
            "totals": hours_totals(request.scope),
            "volunteers": approved_volunteers(request.scope)[:500],
        },
    )


# The volunteer, on a phone.


def _profile(request: ScopedRequest) -> Volunteer:
    profile = own_profile(request.user)
    if profile is None:
        raise Http404
    return profile


@require_POST
@require_perm(Perm.VOLUNTEER_SELF)
def take_slot(request: ScopedRequest, pk: int) -> HttpResponse:
    _profile(request)
    shift = get_shift_for_user(user=request.user, pk=pk, perm=Perm.VOLUNTEER_SELF)
    try:
        slot_signup(user=request.user, shift=shift)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The shift is yours."))
    return redirect("volunteers:me")


@require_POST
@require_perm(Perm.VOLUNTEER_SELF)
def ask_change(request: ScopedRequest, pk: int) -> HttpResponse:
    assignment = get_own_assignment(user=request.user, pk=pk)
    form = ChangeRequestForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why."))
        change_request_create(user=request.user, assignment=assignment, kind="drop", reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Asked; the coordinator decides."))
    return redirect("volunteers:me")


@require_perm(Perm.VOLUNTEER_SELF)
def check(request: ScopedRequest, token: str) -> HttpResponse:
    """What the post's QR code opens: check in, or (a separate button) check out; a check-out that
    looks like a mistake asks to confirm first."""
    post = get_post_by_token_for_user(user=request.user, token=token)
    confirm_message = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "in":
                check_in(user=request.user, token=token)
                messages.success(request, _("Checked in at %(post)s.") % {"post": post.name})
            elif action == "out":
                check_out(user=request.user, token=token, confirm=request.POST.get("confirm") == "1")
                messages.success(request, _("Checked out. Thank you!"))
            else:
                messages.error(request, _("Choose check in or check out."))
        except ConfirmCheckOut as question:
            confirm_message = " ".join(question.messages)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if not confirm_message:
            return redirect("volunteers:check", token=token)
    return render(
        request,
        "volunteers/check.html",
        {
            "post": post,
            "assignment": current_assignment(user=request.user, token=token),
            "confirm_message": confirm_message,
        },
    )


CERTIFICATE_SALT = "tongzhou.volunteers.certificate"


@require_perm(Perm.VOLUNTEER_SELF)
def certificate(request: ScopedRequest) -> HttpResponse:
    profile = own_profile(request.user)
    if profile is None:
        return redirect("volunteers:me")  # which says what to do
    hours = hours_of(profile)
    if hours <= 0:
        messages.error(request, _("A certificate lists hours served: you have none recorded yet."))
        return redirect("volunteers:me")
    token = signing.dumps(
        {"v": profile.pk, "h": str(hours), "d": timezone.localdate().isoformat()}, salt=CERTIFICATE_SALT
    )
    url = request.build_absolute_uri(reverse("volunteers:verify", args=[token]))
    response = HttpResponse(documents.certificate(profile, hours, url), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="certificate.pdf"'
    return response


@public
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The certificate's QR code: was it issued by us, for how many hours, on what date."""
    try:
        data = signing.loads(token, salt=CERTIFICATE_SALT)
        volunteer = Volunteer.objects.select_related("community").get(pk=data["v"])
    except (signing.BadSignature, Volunteer.DoesNotExist, KeyError):
        return render(request, "volunteers/verify.html", {"valid": False}, status=404)
    return render(
        request,
        "volunteers/verify.html",
        {
            "valid": True,
            "name": mask_name(volunteer.name),
            "community": volunteer.community.name,
            "hours": data["h"],
            "date": data["d"],
        },
    )
