from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, get_in_scope, public, require_perm
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.core.services import client_ip
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.forms import SignupForm, TeamForm, VetForm
from tongzhou.volunteers.models import ApplicationStatus, Team, Volunteer
from tongzhou.volunteers.selectors import (
    applications,
    approved_volunteers,
    communities_matching,
    own_profile,
    teams,
    teams_of,
)
from tongzhou.volunteers.services import SignupData, team_create, team_set_members, volunteer_signup, volunteer_vet

SIGNUPS_PER_HOUR = 20


def _too_many(request: HttpRequest) -> bool:
    """A public form: at most SIGNUPS_PER_HOUR sign-ups an hour from one address."""
    key = f"volunteers:signup:{client_ip(request)}"
    cache.add(key, 0, 3600)
    return cache.incr(key) > SIGNUPS_PER_HOUR


@public
def join(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST if request.method == "POST" else None)
    community = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = Place.objects.filter(pk=data["community"] or 0, kind=PlaceKind.COMMUNITY).first()
        if _too_many(request):
            form.add_error(None, _("Too many sign-ups from this address; try again in an hour."))
        else:
            try:
                volunteer_signup(
                    data=SignupData(
                        name=data["name"],
                        phone=data["phone"],
                        id_number=data["id_number"],
                        community_id=data["community"],
                        organization=data["organization"],
                        organization_name=data["organization_name"],
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
    volunteer = get_in_scope(Volunteer.objects.all(), request.scope, "place_path", pk=pk)
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


def _team_places(request: ScopedRequest) -> object:
    return Place.objects.filter(
        request.scope.q(), kind__in=[PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND]
    ).order_by("path")


@require_perm(Perm.VOLUNTEERS_MANAGE)
def team_list(request: ScopedRequest) -> HttpResponse:
    form = TeamForm(request.POST if request.method == "POST" else None, places=_team_places(request))
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
    team = get_in_scope(Team.objects.select_related("place", "leader"), request.scope, "place_path", pk=pk)
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


@require_perm(Perm.VOLUNTEER_SELF)
def me(request: ScopedRequest) -> HttpResponse:
    profile = own_profile(request.user)
    if profile is None:
        raise Http404
    return render(request, "volunteers/me.html", {"profile": profile, "teams": teams_of(profile)})
