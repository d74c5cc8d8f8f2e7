"""Fund pages: the funds in one's places, a fund's money in and out with its forms (put a money
donation in, apply for a grant, record the funder's answer, record a purchase with its invoice
photo and lines), a purchase, its invoice photo (staff only), and the public money ledger's CSV.
Thin: parse, fetch through the scoped accessors, call the services."""

import csv

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongzhou.accounts.access import ScopedRequest, public, require_perm
from tongzhou.core.access import scope_of
from tongzhou.core.exports import spreadsheet_row
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.places.models import Place, PlaceKind
from tongzhou.supplies import fund_selectors, fund_services
from tongzhou.supplies.forms import GoodsLineFormSet
from tongzhou.supplies.fund_forms import FundForm, GrantAnswerForm, GrantForm, PurchaseForm, PutInForm
from tongzhou.supplies.fund_services import BoughtLine
from tongzhou.supplies.models import Fund, GrantStatus, PurchaseStatus
from tongzhou.supplies.view_forms import form_post


@require_perm(Perm.SUPPLIES_VIEW)
def funds(request: ScopedRequest) -> HttpResponse:
    places = fund_selectors.places_for_funds(request.user)
    form = FundForm(request.POST or None, places=places)
    if request.method == "POST":
        if not places:
            raise Http404
        done = form_post(
            request,
            form,
            lambda data: fund_services.fund_create(
                actor=request.user,
                place=next(p for p in places if str(p.pk) == data["place"]),
                name=data["name"],
                purpose=data["purpose"],
            ),
            done=_("Fund created."),
            to=lambda fund: reverse("supplies:fund", args=[fund.pk]),
        )
        if done:
            return done
    rows = [(f, fund_selectors.fund_sums(f)) for f in fund_selectors.funds_for_user(request.user)[:100]]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "supplies/funds.html", {"rows": rows, "form": form, "may_create": bool(places)}, status=status
    )


def _fund_page(request: ScopedRequest, fund: Fund, **forms: object) -> HttpResponse:
    may_manage = scope_of(request.user, Perm.SUPPLIES_MANAGE).contains(fund.place_path)
    context = {
        "fund": fund,
        "sums": fund_selectors.fund_sums(fund),
        "donations": fund_selectors.fund_donations(fund),
        "grants": fund_selectors.fund_grants(fund),
        "purchases": fund_selectors.fund_purchases(fund),
        "may_manage": may_manage,
        "put_in_form": forms.get("put_in_form")
        or PutInForm(prefix="put", donations=fund_selectors.donations_to_put_in(fund)),
        "grant_form": forms.get("grant_form") or GrantForm(prefix="grant"),
        "answer_form": GrantAnswerForm(prefix="answer"),
        "answer_errors": forms.get("answer_errors") or {},
        "asked": GrantStatus.ASKED,
        "threshold": settings.TONGZHOU_SUPPLIES_PURCHASE_SECOND_APPROVAL,
    }
    return render(request, "supplies/fund.html", context, status=400 if forms else 200)


@require_perm(Perm.SUPPLIES_VIEW)
def fund(request: ScopedRequest, pk: int) -> HttpResponse:
    return _fund_page(request, fund_selectors.get_fund_for_user(user=request.user, pk=pk))


@require_POST
@require_perm(Perm.SUPPLIES_MANAGE)
def fund_put_in(request: ScopedRequest, pk: int) -> HttpResponse:
    the_fund = fund_selectors.get_fund_for_user(user=request.user, pk=pk, perm=Perm.SUPPLIES_MANAGE)
    form = PutInForm(request.POST, prefix="put", donations=fund_selectors.donations_to_put_in(the_fund))
    done = form_post(
        request,
        form,
        lambda data: fund_services.donation_to_fund(actor=request.user, fund=the_fund, donation=data["donation"]),
        done=_("The donation is in the fund."),
        to=reverse("supplies:fund", args=[the_fund.pk]),
    )
    return done or _fund_page(request, the_fund, put_in_form=form)


@require_POST
@require_perm(Perm.SUPPLIES_MANAGE)
def fund_grant(request: ScopedRequest, pk: int) -> HttpResponse:
    the_fund = fund_selectors.get_fund_for_user(user=request.user, pk=pk, perm=Perm.SUPPLIES_MANAGE)
    form = GrantForm(request.POST, prefix="grant")
    done = form_post(
        request,
        form,
        lambda data: fund_services.grant_apply(
            actor=request.user,
            fund=the_fund,
            applicant=data["applicant"],
            funder=data["funder"],
            amount=data["amount_asked"],
            applied_on=data["applied_on"],
            purpose=data["purpose"],
        ),
        done=_("Application recorded."),
        to=reverse("supplies:fund", args=[the_fund.pk]),
    )
    return done or _fund_page(request, the_fund, grant_form=form)


@require_POST
@require_perm(Perm.SUPPLIES_MANAGE)
def grant_answer(request: ScopedRequest, pk: int) -> HttpResponse:
    grant = fund_selectors.get_grant_for_user(user=request.user, pk=pk, perm=Perm.SUPPLIES_MANAGE)
    form = GrantAnswerForm(request.POST, prefix="answer")
    done = form_post(
        request,
        form,
        lambda data: fund_services.grant_answer(
            actor=request.user,
            grant=grant,
            approve=data["decision"] == "approve",
            amount=data["amount_approved"],
            answered_on=data["answered_on"],
            note=data["note"],
        ),
        done=_("Answer recorded."),
        to=reverse("supplies:fund", args=[grant.fund_id]),
    )
    if done:
        return done
    errors = {grant.pk: [e for errors in form.errors.values() for e in errors]}
    return _fund_page(request, grant.fund, answer_errors=errors)


@require_perm(Perm.SUPPLIES_MANAGE)
def purchase_create(request: ScopedRequest, pk: int) -> HttpResponse:
    the_fund = fund_selectors.get_fund_for_user(user=request.user, pk=pk, perm=Perm.SUPPLIES_MANAGE)
    form = PurchaseForm(request.POST or None, request.FILES or None, stores=fund_selectors.purchase_stores(the_fund))
    lines = GoodsLineFormSet(request.POST or None, prefix="line")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        bought = [
            BoughtLine(
                item_id=line["item"],
                quantity=line["quantity"],
                lot_code=line.get("lot_code") or "",
                expires_on=line.get("expires_on"),
            )
            for line in lines.cleaned_data
            if line.get("item") or line.get("quantity")
        ]
        try:
            purchase = fund_services.purchase_record(
                actor=request.user,
                fund=the_fund,
                store=data["store"],
                supplier=data["supplier"],
                amount=data["amount"],
                lines=bought,
                bought_on=data["bought_on"],
                invoice=data["invoice"] or None,
                note=data["note"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            if purchase.status == PurchaseStatus.WAITING:
                messages.warning(request, _("Recorded: a second person approves it in the approvals queue."))
            else:
                messages.success(request, _("Purchase recorded and received into the store."))
            return redirect("supplies:purchase", pk=purchase.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "fund": the_fund,
        "form": form,
        "lines": lines,
        "threshold": settings.TONGZHOU_SUPPLIES_PURCHASE_SECOND_APPROVAL,
    }
    return render(request, "supplies/purchase_form.html", context, status=status)


@require_perm(Perm.SUPPLIES_VIEW)
def purchase(request: ScopedRequest, pk: int) -> HttpResponse:
    the_purchase = fund_selectors.get_purchase_for_user(user=request.user, pk=pk)
    context = {
        "purchase": the_purchase,
        "lines": fund_selectors.purchase_lines(the_purchase),
        "approval": the_purchase.approvals.order_by("-pk").first(),
    }
    return render(request, "supplies/purchase.html", context)


@require_GET
@require_perm(Perm.SUPPLIES_VIEW)
def invoice(request: ScopedRequest, pk: int) -> HttpResponseBase:
    """The invoice's photo, for staff who may see the purchase (not published)."""
    the_purchase = fund_selectors.get_purchase_for_user(user=request.user, pk=pk)
    if not the_purchase.invoice:
        raise Http404
    response = FileResponse(the_purchase.invoice.open("rb"), content_type=the_purchase.invoice_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@public
def public_funds_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The street's money ledger as CSV: every fund's money in and out with receipts."""
    street = Place.objects.filter(code=code, kind=PlaceKind.STREET).first()
    if street is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="funds-{street.code}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Fund"), _("Date"), _("In or out"), _("From or to"), _("What for"), _("Amount (yuan)")])
    for f in fund_selectors.public_funds(street, lines=None):
        for way, lines in ((_("In"), f.money_in), (_("Out"), f.money_out)):
            for line in lines:
                writer.writerow(spreadsheet_row([f.name, line.when, way, line.who, line.what, line.amount]))
        writer.writerow(spreadsheet_row([f.name, "", _("Balance"), "", "", f.balance]))
    return response
