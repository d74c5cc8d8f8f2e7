"""Welfare plans: the list, a new plan, a plan's page, its proposals and its enrolment import."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tongzhou.accounts.access import ScopedRequest, require_perm
from tongzhou.accounts.selectors import scope_for
from tongzhou.core.access import id_or_404
from tongzhou.core.forms import form_errors
from tongzhou.core.imports import responses as imports
from tongzhou.core.imports.selectors import get_import_job_for_user
from tongzhou.core.permissions import Perm
from tongzhou.welfare import selectors
from tongzhou.welfare.forms import (
    MemberForm,
    PlanForm,
    ProposalForm,
    UploadForm,
)
from tongzhou.welfare.importers import EnrollmentImporter
from tongzhou.welfare.services import (
    MemberData,
    PlanData,
    enrollments_create,
    gift_request_create,
    plan_create,
)


@require_perm(Perm.WELFARE_MANAGE)
def plans(request: ScopedRequest) -> HttpResponse:
    return render(
        request,
        "welfare/plans.html",
        {
            "plans": selectors.plans(request.scope)[:100],
            "figures": selectors.figures(request.scope),
            "can_claims": not scope_for(request.user, Perm.WELFARE_CLAIMS).is_empty,
        },
    )


@require_perm(Perm.WELFARE_MANAGE)
def plan_new(request: ScopedRequest) -> HttpResponse:
    form = PlanForm(
        request.POST or None,
        places=selectors.plan_places(request.scope),
        organisations=selectors.organisations_for(request.scope),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = plan_create(
                actor=request.user,
                place=data["place"],
                data=PlanData(
                    name=data["name"],
                    sponsor=data["sponsor"],
                    contribution=data["contribution"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    waiting_days=data["waiting_days"],
                    places_total=data["places_total"],
                    benefits=form.benefits(),
                    eligible_roles=data["eligible_roles"],
                    eligible_duties=data["eligible_duties"],
                ),
                request=request,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("welfare:plan", pk=plan.pk)
    return render(request, "welfare/plan_new.html", {"form": form})


@require_perm(Perm.WELFARE_MANAGE)
def plan_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(user=request.user, pk=pk)
    form = MemberForm(request.POST or None, organisations=selectors.organisations_for(request.scope))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrollments_create(
                actor=request.user,
                plan=plan,
                members=[
                    MemberData(
                        name=data["name"],
                        id_number=data["id_number"],
                        phone=data["phone"],
                        organisation=data["organisation"],
                    )
                ],
                request=request,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Enrolled; the certificate was sent by message."))
            return redirect("welfare:plan", pk=plan.pk)
        plan.refresh_from_db()
    return render(
        request,
        "welfare/plan.html",
        {
            "plan": plan,
            "benefits": plan.benefits.all(),
            "enrollments": selectors.plan_enrollments(plan)[:200],
            "form": form,
        },
    )


@require_perm(Perm.WELFARE_MANAGE)
def proposal_list(request: ScopedRequest, pk: int) -> HttpResponse:
    """The front-line workers the data proposes for gifted places; the officer ticks and sends the
    pick for a second approval."""
    plan = selectors.get_plan_for_user(user=request.user, pk=pk)
    form = ProposalForm(request.GET or None)
    min_hours, days = (
        (form.cleaned_data["min_hours"], form.cleaned_data["days"]) if form.is_valid() else (Decimal(24), 30)
    )
    rows = selectors.proposals(request.scope, plan, min_hours=min_hours, days=days)
    role_rows = selectors.role_proposals(request.scope, plan, days=days)
    if request.method == "POST":
        picked = (
            {id_or_404(v) for v in request.POST.getlist("volunteer")} if request.POST.getlist("volunteer") else set()
        )
        # What the proposal showed for each pick: hours and posts; for a grid worker or building
        # lead in a sealed place, their role and place first.
        offered: dict[int, tuple[Any, dict[str, str]]] = {}
        for row in rows:
            if not row.enrolled:
                offered[row.volunteer.pk] = (row.volunteer, {"hours": str(row.hours), "posts": "、".join(row.posts)})
        for role_row in role_rows:
            if role_row.volunteer is not None and not role_row.enrolled:
                posts = "、".join([f"{role_row.role}·{role_row.place.name}", *role_row.posts])
                offered[role_row.volunteer.pk] = (role_row.volunteer, {"hours": str(role_row.hours), "posts": posts})
        chosen = [offered[i] for i in sorted(picked) if i in offered]
        try:
            gift = gift_request_create(
                actor=request.user,
                plan=plan,
                volunteers=[volunteer for volunteer, _facts in chosen],
                facts={str(volunteer.pk): facts for volunteer, facts in chosen},
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Sent for a second approval."))
            return redirect("welfare:gift", pk=gift.pk)
    return render(request, "welfare/proposals.html", {"plan": plan, "form": form, "rows": rows, "role_rows": role_rows})


@require_perm(Perm.WELFARE_MANAGE)
def enroll_template(request: ScopedRequest) -> HttpResponse:
    return imports.template_response(EnrollmentImporter)


@require_perm(Perm.WELFARE_MANAGE)
def enroll_upload(request: ScopedRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(user=request.user, pk=pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    return imports.upload_view(
        request,
        EnrollmentImporter,
        form,
        place=plan.place,
        job_view="welfare:job",
        template_url=reverse("welfare:template"),
    )


@require_perm(Perm.WELFARE_MANAGE)
def enroll_job(request: ScopedRequest, pk: int) -> HttpResponse:
    job = get_import_job_for_user(user=request.user, pk=pk, importer=EnrollmentImporter.name)
    return imports.job_view(request, job, job_view="welfare:job", errors_view="welfare:job_errors")


@require_perm(Perm.WELFARE_MANAGE)
def enroll_errors(request: ScopedRequest, pk: int) -> HttpResponse:
    job = get_import_job_for_user(user=request.user, pk=pk, importer=EnrollmentImporter.name)
    return imports.errors_csv_response(job)
