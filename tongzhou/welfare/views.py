from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tongzhou.accounts.access import ScopedRequest, logged_in, public, require_perm
from tongzhou.accounts.selectors import scope_for
from tongzhou.core.access import id_or_404
from tongzhou.core.forms import form_errors
from tongzhou.core.imports import responses as imports
from tongzhou.core.imports.selectors import get_import_job_for_user
from tongzhou.core.imports.services import import_job_confirm, import_job_start
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.core.transitions import TransitionError
from tongzhou.supplies import selectors as supplies_selectors
from tongzhou.welfare import documents, selectors
from tongzhou.welfare.forms import (
    CampaignForm,
    ClaimForm,
    ClaimMoveForm,
    InvoicePaidForm,
    MemberForm,
    PlanForm,
    ProposalForm,
    UnitContactForm,
    UnitMemberForm,
    UploadForm,
    VisitForm,
)
from tongzhou.welfare.importers import EnrollmentImporter, UnitEnrollmentImporter
from tongzhou.welfare.models import ClaimStatus
from tongzhou.welfare.services import (
    ClaimData,
    Gift,
    MemberData,
    PlanData,
    campaign_create,
    certificate_from_token,
    certificate_token,
    claim_file,
    claim_move,
    enrollments_create,
    gift_request_create,
    gift_request_decide,
    invoice_from_token,
    invoice_issue,
    invoice_mark_paid,
    invoice_token,
    plan_create,
    unit_contact_create,
    unit_enroll,
    visit_record,
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
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_start(
                actor=request.user,
                importer=EnrollmentImporter.name,
                place=plan.place,
                filename=upload.name,
                data=upload.read(),
                all_or_nothing=form.cleaned_data["all_or_nothing"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("welfare:job", pk=job.pk)
    return imports.upload_page(request, EnrollmentImporter, form, template_url=reverse("welfare:template"))


@require_perm(Perm.WELFARE_MANAGE)
def enroll_job(request: ScopedRequest, pk: int) -> HttpResponse:
    job = get_import_job_for_user(user=request.user, pk=pk, importer=EnrollmentImporter.name)
    if request.method == "POST":
        try:
            job = import_job_confirm(actor=request.user, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("welfare:job", pk=job.pk)
    return imports.job_page(
        request,
        job,
        job_url=reverse("welfare:job", args=[job.pk]),
        errors_url=reverse("welfare:job_errors", args=[job.pk]),
    )


@require_perm(Perm.WELFARE_MANAGE)
def enroll_errors(request: ScopedRequest, pk: int) -> HttpResponse:
    job = get_import_job_for_user(user=request.user, pk=pk, importer=EnrollmentImporter.name)
    return imports.errors_csv_response(job)


@logged_in
def gift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gift = selectors.get_gift_for_user(user=request.user, pk=pk)
    can_decide = (
        gift.is_pending
        and gift.requested_by_id != request.user.pk
        and scope_for(request.user, Perm.WELFARE_APPROVE).contains(gift.place_path)
    )
    if request.method == "POST" and can_decide:
        try:
            gift_request_decide(
                actor=request.user,  # type: ignore[arg-type]
                gift=gift,
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", ""),
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("welfare:gift", pk=gift.pk)
    return render(
        request,
        "welfare/gift.html",
        {
            "gift": gift,
            "picks": sorted((gift.facts or {}).values(), key=lambda f: f.get("name", "")),
            "can_decide": can_decide,
        },
    )


@logged_in
def mine(request: HttpRequest) -> HttpResponse:
    """A worker's own protection: their enrollments (certificate, file a claim) and claims."""
    return render(
        request,
        "welfare/mine.html",
        {"enrollments": selectors.my_enrollments(request.user), "claims": selectors.my_claims(request.user)},
    )


@logged_in
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.get_enrollment_for_user(user=request.user, pk=pk)
    url = request.build_absolute_uri(reverse("welfare:verify", args=[certificate_token(enrollment)]))
    response = HttpResponse(documents.certificate(enrollment, url), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="certificate.pdf"'
    return response


@public
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The certificate's QR code: which plan, whose (masked), covered from when."""
    enrollment = certificate_from_token(token)
    if enrollment is None:
        return render(request, "welfare/verify.html", {"valid": False}, status=404)
    return render(
        request,
        "welfare/verify.html",
        {"valid": True, "enrollment": enrollment, "name": mask_name(enrollment.name)},
    )


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return timezone.localdate()


@logged_in
def claim_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim form, filled from what the system knows: the claimant's shift that day and its
    check-in, their isolation orders, their help requests; `?source=order-12` fills it from the
    fact chosen. The claimant files for themself; the welfare officer may file for them."""
    enrollment = selectors.get_enrollment_for_user(user=request.user, pk=pk)
    if enrollment.user_id != request.user.pk and not scope_for(request.user, Perm.WELFARE_CLAIMS).contains(
        enrollment.place_path
    ):
        raise Http404
    day = _day(request.POST.get("event_on") or request.GET.get("day") or timezone.localdate())
    evidence = selectors.claim_evidence(enrollment, day)
    try:
        source = selectors.parse_source(request.GET.get("source", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Unknown source of facts."))
    try:
        initial = selectors.claim_prefill(enrollment.plan, evidence, source, day)
    except LookupError:
        if request.method != "POST":
            raise Http404 from None
        initial = {}  # the date was changed after the fact was chosen: the posted fields decide
    form = ClaimForm(
        request.POST or None,
        initial=initial,
        assignments=evidence.assignments,
        orders=evidence.orders,
        help_requests=evidence.help_requests,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = claim_file(
                actor=request.user,  # type: ignore[arg-type]
                enrollment=enrollment,
                data=ClaimData(
                    coverage=data["coverage"],
                    event_on=data["event_on"],
                    description=data["description"],
                    amount=data["amount"],
                    assignment_id=data["assignment"],
                    isolation_order_id=data.get("isolation_order"),
                    help_request_id=data.get("help_request"),
                ),
                request=request,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Claim filed; follow it here."))
            return redirect("welfare:claim", pk=claim.pk)
    return render(
        request,
        "welfare/claim_new.html",
        {"enrollment": enrollment, "form": form, "evidence": evidence, "source": source, "day": day},
    )


@require_perm(Perm.WELFARE_CLAIMS)
def claim_list(request: ScopedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ClaimStatus.values else ""
    return render(
        request,
        "welfare/claims.html",
        {"claims": selectors.claims(request.scope, status)[:200], "status": status, "statuses": ClaimStatus.choices},
    )


# The claim page's buttons say what they do (the statuses they lead to are past participles).
CLAIM_MOVES: dict[str, Any] = {
    ClaimStatus.CHECKED: gettext_lazy("Mark as checked"),
    ClaimStatus.APPROVED: gettext_lazy("Approve"),
    ClaimStatus.REJECTED: gettext_lazy("Reject"),
    ClaimStatus.PAID: gettext_lazy("Mark as paid"),
}


@logged_in
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.get_claim_for_user(user=request.user, pk=pk)
    can_review = scope_for(request.user, Perm.WELFARE_CLAIMS).contains(claim.place_path)
    form = ClaimMoveForm(request.POST or None) if can_review else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            claim_move(
                actor=request.user,  # type: ignore[arg-type]
                claim=claim,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                public_notice=form.cleaned_data["public_notice"],
                request=request,
            )
        except (ValidationError, TransitionError) as error:
            messages.error(request, " ".join(error.messages))
        return redirect("welfare:claim", pk=claim.pk)
    moves = [(to, CLAIM_MOVES[to]) for to in sorted(claim.TRANSITIONS.get(claim.status, ()))] if can_review else []
    return render(
        request,
        "welfare/claim.html",
        {
            "claim": claim,
            "history": claim.history.select_related("actor"),
            "moves": moves,
            "form": form,
            "evidence": selectors.evidence_links(request.user, claim),
        },
    )


@logged_in
def notice(request: HttpRequest) -> HttpResponse:
    """The public notice period (公示): approved claims listed pseudonymised, post and amount only."""
    return render(
        request, "welfare/notice.html", {"rows": selectors.public_notice(scope_for(request.user, Perm.PLACES_VIEW))}
    )


@require_perm(Perm.WELFARE_MANAGE)
def campaign_list(request: ScopedRequest) -> HttpResponse:
    form = CampaignForm(
        request.POST or None,
        places=selectors.plan_places(request.scope),
        organisations=selectors.organisations_for(request.scope),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_create(
                actor=request.user,
                place=data["place"],
                name=data["name"],
                organisation=data["organisation"],
                targets=selectors.campaign_targets(data["target"], data["place"].path, number=form.target_number()),
                thanks_text=data["thanks_text"],
                target=data["target"],
                target_number=form.target_number(),
                request=request,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("welfare:campaign", pk=campaign.pk)
    return render(request, "welfare/campaigns.html", {"campaigns": selectors.campaigns(request.scope), "form": form})


@require_perm(Perm.WELFARE_MANAGE)
def campaign_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    campaign = selectors.get_campaign_for_user(user=request.user, pk=pk)
    stores = supplies_selectors.stores_for_user(request.user, Perm.WELFARE_MANAGE).order_by("name")
    items = supplies_selectors.items()
    form = VisitForm(request.POST or None, request.FILES or None, stores=stores, items=items)
    if request.method == "POST":
        visit = campaign.visits.filter(pk=id_or_404(request.POST.get("visit", ""))).first()
        if visit is None:
            raise Http404
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("welfare:campaign", pk=campaign.pk)
        data = form.cleaned_data
        gift = Gift(data["store"], data["item"], data["quantity"]) if data["store"] else None
        try:
            visit_record(
                actor=request.user,
                visit=visit,
                visited_by=data["visited_by"],
                given=data["given"],
                note=data["note"],
                gift=gift,
                photo=data.get("photo"),
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("welfare:campaign", pk=campaign.pk)
    visits = list(selectors.campaign_visits(campaign))
    return render(
        request,
        "welfare/campaign.html",
        {
            "campaign": campaign,
            "due": [v for v in visits if v.visited_at is None],
            "done": [v for v in visits if v.visited_at is not None],
            "form": form,
            "stores": stores,
            "items": items,
        },
    )


# Member units: the officer's side ----------------------------------------------------------------


@require_perm(Perm.WELFARE_MANAGE)
def plan_units(request: ScopedRequest, pk: int) -> HttpResponse:
    """The plan's member units: members enrolled by each and not yet billed, their invoices (issue
    one), and the units' own accounts (make one)."""
    plan = selectors.get_plan_for_user(user=request.user, pk=pk)
    organisations = selectors.organisations_for(request.scope)
    form = UnitContactForm(
        request.POST if request.POST.get("action") == "contact" else None, organisations=organisations
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "invoice":
            organisation = organisations.filter(pk=id_or_404(request.POST.get("organisation", ""))).first()
            if organisation is None:
                raise Http404
            try:
                bill = invoice_issue(actor=request.user, plan=plan, organisation=organisation, request=request)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("welfare:plan_units", pk=plan.pk)
            messages.success(request, _("Invoice issued."))
            return redirect("welfare:invoice", pk=bill.pk)
        if action != "contact":
            return HttpResponseBadRequest(_("Unknown action."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                unit_contact_create(
                    actor=request.user,
                    place=plan.place,
                    organisation=data["organisation"],
                    username=data["username"],
                    password=data["password"],
                    display_name=data["display_name"],
                    request=request,
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("The unit's account is ready; give its contact the password."))
                return redirect("welfare:plan_units", pk=plan.pk)
    return render(
        request,
        "welfare/plan_units.html",
        {
            "plan": plan,
            "units": selectors.plan_units(plan),
            "invoices": selectors.plan_invoices(plan)[:200],
            "contacts": selectors.unit_contacts_in(request.scope)[:200],
            "form": form,
        },
    )


@logged_in
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An invoice: its unit's contact reads it; the welfare officer records its payment."""
    bill = selectors.get_invoice_for_user(user=request.user, pk=pk)
    can_record = scope_for(request.user, Perm.WELFARE_MANAGE).contains(bill.place_path)
    form = InvoicePaidForm(request.POST or None) if can_record else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                invoice_mark_paid(
                    actor=request.user,  # type: ignore[arg-type]
                    invoice=bill,
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Recorded as paid."))
            return redirect("welfare:invoice", pk=bill.pk)
    return render(request, "welfare/invoice.html", {"invoice": bill, "form": form, "can_record": can_record})


@logged_in
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    bill = selectors.get_invoice_for_user(user=request.user, pk=pk)
    url = request.build_absolute_uri(reverse("welfare:invoice_verify", args=[invoice_token(bill)]))
    response = HttpResponse(documents.invoice(bill, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{bill.number}.pdf"'
    return response


@public
def invoice_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The invoice's QR code: its number, unit, plan, members, total and status; no names."""
    bill = invoice_from_token(token)
    context = {"invoice": bill, "valid": bill is not None}
    return render(request, "welfare/invoice_verify.html", context, status=200 if bill else 404)


# Member units: the unit's own contact ------------------------------------------------------------


@require_perm(Perm.WELFARE_UNIT)
def units(request: ScopedRequest) -> HttpResponse:
    """A unit contact's start: the units they speak for (usually one: straight to it)."""
    contacts = list(selectors.unit_contacts_of(request.user))
    if len(contacts) == 1:
        return redirect("welfare:unit", pk=contacts[0].organisation_id)
    return render(request, "welfare/units.html", {"contacts": contacts})


@require_perm(Perm.WELFARE_UNIT)
def unit_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    """A member unit's own page: enroll a member, the unit's enrollments (no claims), its invoices."""
    organisation = selectors.get_unit_for_user(user=request.user, pk=pk)
    form = UnitMemberForm(request.POST or None, plans=selectors.unit_plans(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit_enroll(
                actor=request.user,
                organisation=organisation,
                plan=data["plan"],
                members=[
                    MemberData(
                        name=data["name"],
                        id_number=data["id_number"],
                        phone=data["phone"],
                        post_label=data["post_label"],
                    )
                ],
                request=request,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Enrolled; the certificate was sent by message."))
            return redirect("welfare:unit", pk=organisation.pk)
    return render(
        request,
        "welfare/unit.html",
        {
            "organisation": organisation,
            "form": form,
            "plans": selectors.unit_plans(request.user),
            "enrollments": selectors.unit_enrollments(request.user, organisation)[:500],
            "invoices": selectors.unit_invoices(request.user, organisation)[:100],
        },
    )


@require_perm(Perm.WELFARE_UNIT)
def unit_template(request: ScopedRequest) -> HttpResponse:
    return imports.template_response(UnitEnrollmentImporter)


@require_perm(Perm.WELFARE_UNIT)
def unit_upload(request: ScopedRequest) -> HttpResponse:
    """The unit's staff list, into the place of the contact's role (its plans are the ones open)."""
    contact = selectors.unit_contacts_of(request.user).first()
    if contact is None:
        raise Http404
    place = selectors.unit_place(contact)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_start(
                actor=request.user,
                importer=UnitEnrollmentImporter.name,
                place=place,
                filename=upload.name,
                data=upload.read(),
                all_or_nothing=form.cleaned_data["all_or_nothing"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("welfare:unit_job", pk=job.pk)
    return imports.upload_page(request, UnitEnrollmentImporter, form, template_url=reverse("welfare:unit_template"))


@require_perm(Perm.WELFARE_UNIT)
def unit_job(request: ScopedRequest, pk: int) -> HttpResponse:
    job = selectors.get_unit_job_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            job = import_job_confirm(actor=request.user, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("welfare:unit_job", pk=job.pk)
    return imports.job_page(
        request,
        job,
        job_url=reverse("welfare:unit_job", args=[job.pk]),
        errors_url=reverse("welfare:unit_job_errors", args=[job.pk]),
    )


@require_perm(Perm.WELFARE_UNIT)
def unit_job_errors(request: ScopedRequest, pk: int) -> HttpResponse:
    return imports.errors_csv_response(selectors.get_unit_job_for_user(user=request.user, pk=pk))


@require_perm(Perm.WELFARE_MANAGE)
@require_GET
def visit_photo(request: ScopedRequest, pk: int, visit_pk: int) -> HttpResponseBase:
    """A visit's photo, only through its campaign (the welfare officers of its place); else 404."""
    campaign = selectors.get_campaign_for_user(user=request.user, pk=pk)
    visit = selectors.get_visit_photo(campaign, visit_pk)
    response = FileResponse(visit.photo.open("rb"), content_type=visit.photo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
