"""Units (employers) in a plan: their contacts, invoices and staff-list imports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tongzhou.accounts.access import ScopedRequest, logged_in, public, require_perm
from tongzhou.accounts.selectors import scope_for
from tongzhou.core.access import id_or_404
from tongzhou.core.forms import form_errors
from tongzhou.core.imports import responses as imports
from tongzhou.core.permissions import Perm
from tongzhou.welfare import documents, selectors
from tongzhou.welfare.forms import (
    InvoicePaidForm,
    UnitContactForm,
    UnitMemberForm,
    UploadForm,
)
from tongzhou.welfare.importers import UnitEnrollmentImporter
from tongzhou.welfare.services import (
    MemberData,
    invoice_from_token,
    invoice_issue,
    invoice_mark_paid,
    invoice_token,
    unit_contact_create,
    unit_enroll,
)


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
    return imports.upload_view(
        request,
        UnitEnrollmentImporter,
        form,
        place=place,
        job_view="welfare:unit_job",
        template_url=reverse("welfare:unit_template"),
    )


@require_perm(Perm.WELFARE_UNIT)
def unit_job(request: ScopedRequest, pk: int) -> HttpResponse:
    job = selectors.get_unit_job_for_user(user=request.user, pk=pk)
    return imports.job_view(request, job, job_view="welfare:unit_job", errors_view="welfare:unit_job_errors")


@require_perm(Perm.WELFARE_UNIT)
def unit_job_errors(request: ScopedRequest, pk: int) -> HttpResponse:
    return imports.errors_csv_response(selectors.get_unit_job_for_user(user=request.user, pk=pk))
