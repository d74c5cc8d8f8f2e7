"""Supplies pages: stock on hand in one's places, a store's stock and ledger with the keeper's
forms (issue, receive, transfer, arrival, reversal), and the public ledger of a street. Thin: parse,
fetch through the scoped accessors, call the services."""

import csv

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, logged_in, public, require_perm
from tongzhou.core.access import scope_of
from tongzhou.core.db_router import replica_reads
from tongzhou.core.exports import spreadsheet_row
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.places.models import Place, PlaceKind
from tongzhou.supplies import distribution_selectors, fund_selectors, selectors, services
from tongzhou.supplies.documents import receipt_donation_id, receipt_token, thank_you, what_was_given
from tongzhou.supplies.forms import (
    DonationForm,
    GoodsLineFormSet,
    HandOutForm,
    IssueForm,
    ItemForm,
    MinimumForm,
    ReceiveForm,
    RequisitionForm,
    ReverseForm,
    TransferForm,
)
from tongzhou.supplies.models import Donation, Requisition, RequisitionStatus, Store
from tongzhou.supplies.services.donations import GoodsLine
from tongzhou.supplies.services.requisitions import AskedLine
from tongzhou.supplies.view_forms import form_post


@require_perm(Perm.SUPPLIES_VIEW)
def stock(request: ScopedRequest, pk: int | None = None) -> HttpResponse:
    """Stock on hand of the user's area, or of the place `pk` within it (404 outside): every store
    and item up to a street (selectors.STORE_LIST_MAX), totals per child place and item above."""
    within = None
    if pk is not None:
        within = Place.objects.filter(pk=pk).first()
        if within is None or not request.scope.contains(within.path):
            raise Http404
    places = selectors.stock_area_places(request.scope, within)
    context: dict[str, object] = {
        "place": within or (places[0] if len(places) == 1 else None),
        "drilled": within is not None,
        "trail": selectors.stock_trail(request.scope, within)[:-1] if within is not None else [],
    }
    if selectors.stock_lists_stores(places):
        stores = list(selectors.stores_for_user(request.user, within=places[0]))
        # One reverse() per store, not per row: the street's page has a row per store and item.
        urls = {s.pk: reverse("supplies:store", args=[s.pk]) for s in stores}
        rows = [(row, urls.get(row.store_id, "")) for row in selectors.stock_on_hand(request.user, within=places[0])]
        context |= {
            "rows": Paginator(rows, settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page")),
            "stores": [(s, urls[s.pk]) for s in stores],
        }
        context["page_obj"] = context["rows"]
        return render(request, "supplies/stock.html", context)
    children, items = selectors.stock_per_child(places)
    page = Paginator(children, settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page"))
    own: list[tuple[Store, str]] = []
    for child in page:
        if child.is_self:  # the area's own stores (a district's warehouse): links to each
            own = [(s, reverse("supplies:store", args=[s.pk])) for s in selectors.own_stores(child.place)]
        else:
            child.url = reverse("supplies:stock_place", args=[child.place.pk])
    kids = [c for c in children if not c.is_self]
    context |= {
        "children": page,
        "own_stores": own,
        "page_obj": page,
        "items": items,
        "child_kind": kids[0].place.get_kind_display() if kids and len(places) == 1 else "",
        "chart": selectors.stock_chart(kids, items) if len(kids) > 1 and items else None,
    }
    return render(request, "supplies/stock_area.html", context)


def _store_page(request: ScopedRequest, store: Store, **forms: object) -> HttpResponse:
    may_keep = scope_of(request.user, Perm.SUPPLIES_KEEP).contains(store.place_path)
    destinations = selectors.transfer_destinations(store)
    context = {
        "store": store,
        "balances": selectors.store_balances(store),
        "entries": selectors.store_entries(store),
        "may_keep": may_keep,
        "issue_form": forms.get("issue_form") or IssueForm(prefix="issue"),
        "receive_form": forms.get("receive_form") or ReceiveForm(prefix="receive"),
        "transfer_form": forms.get("transfer_form") or TransferForm(prefix="transfer", destinations=destinations),
        "handout_form": forms.get("handout_form") or _handout_form(request, None),
    }
    status = 400 if forms else 200
    return render(request, "supplies/store.html", context, status=status)


@require_perm(Perm.SUPPLIES_VIEW)
def store(request: ScopedRequest, pk: int) -> HttpResponse:
    return _store_page(request, selectors.get_store_for_user(user=request.user, pk=pk))


@require_POST
@require_perm(Perm.SUPPLIES_KEEP)
def store_issue(request: ScopedRequest, pk: int) -> HttpResponse:
    the_store = selectors.get_store_for_user(user=request.user, pk=pk, perm=Perm.SUPPLIES_KEEP)
    form = IssueForm(request.POST, prefix="issue")
    done = form_post(
        request,
        form,
        lambda data: services.stock_issue(
            actor=request.user, store=the_store, item=data["item"], quantity=data["quantity"], note=data["note"]
        ),
        done=_("Issued."),
        to=reverse("supplies:store", args=[the_store.pk]),
    )
    return done or _store_page(request, the_store, issue_form=form)


@require_POST
@require_perm(Perm.SUPPLIES_KEEP)
def store_receive(request: ScopedRequest, pk: int) -> HttpResponse:
    the_store = selectors.get_store_for_user(user=request.user, pk=pk, perm=Perm.SUPPLIES_KEEP)
    form = ReceiveForm(request.POST, prefix="receive")
    done = form_post(
        request,
        form,
        lambda data: services.stock_receive(
            actor=request.user,
            store=the_store,
            item=data["item"],
            quantity=data["quantity"],
            lot_code=data["lot_code"],
            expires_on=data["expires_on"],
            note=data["note"],
        ),
        done=_("Received."),
        to=reverse("supplies:store", args=[the_store.pk]),
    )
    return done or _store_page(request, the_store, receive_form=form)


@require_POST
@require_perm(Perm.SUPPLIES_KEEP)
def store_transfer(request: ScopedRequest, pk: int) -> HttpResponse:
    the_store = selectors.get_store_for_user(user=request.user, pk=pk, perm=Perm.SUPPLIES_KEEP)
    destinations = selectors.transfer_destinations(the_store)
    form = TransferForm(request.POST, prefix="transfer", destinations=destinations)
    done = form_post(
        request,
        form,
        lambda data: services.stock_transfer(
            actor=request.user,
            source=the_store,
            destination=data["destination"],
            item=data["item"],
            quantity=data["quantity"],
            note=data["note"],
        ),
        done=_("Sent: the goods count at the other store once it confirms their arrival."),
        to=reverse("supplies:store", args=[the_store.pk]),
    )
    return done or _store_page(request, the_store, transfer_form=form)


@require_POST
@require_perm(Perm.SUPPLIES_KEEP)
def entry_arrive(request: ScopedRequest, pk: int) -> HttpResponse:
    entry = selectors.get_entry_for_user(user=request.user, pk=pk, perm=Perm.SUPPLIES_KEEP)
    try:
        services.transfer_arrive(actor=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Arrival confirmed."))
    return redirect("supplies:store", pk=entry.store_id)


@require_POST
@require_perm(Perm.SUPPLIES_KEEP)
def entry_reverse(request: ScopedRequest, pk: int) -> HttpResponse:
    entry = selectors.get_entry_for_user(user=request.user, pk=pk, perm=Perm.SUPPLIES_KEEP)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the entry is reversed."))
        return redirect("supplies:store", pk=entry.store_id)
    try:
        services.entry_reverse(actor=request.user, entry=entry, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reversed."))
    return redirect("supplies:store", pk=entry.store_id)


def _street(code: str) -> Place:
    street = Place.objects.filter(code=code, kind=PlaceKind.STREET).first()
    if street is None:
        raise Http404
    return street


@replica_reads
@public
def public_ledger(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone may see what a street received and where it went: sums by item and store, never a
    person."""
    street = _street(code)
    return render(
        request,
        "supplies/public_ledger.html",
        {
            "street": street,
            "rows": selectors.public_ledger(street),
            "donations": [(d, what_was_given(d)) for d in selectors.public_donations(street)[:100]],
            "distributions": distribution_selectors.public_distributions(street),
            "funds": fund_selectors.public_funds(street),
            "lines": fund_selectors.PUBLIC_LINES,
        },
    )


@replica_reads
@public
def public_ledger_csv(request: HttpRequest, code: str) -> HttpResponse:
    street = _street(code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="supplies-{street.code}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Item"),
            _("Unit"),
            _("Received"),
            _("Used"),
            _("In stock"),
            _("In transit"),
            _("Used at"),
            _("Handed to workers"),
            _("Workers"),
            _("Posts"),
            _("Teams"),
        ]
    )
    for row in selectors.public_ledger(street):
        used_at = "; ".join(f"{name} {services.plain_quantity(q)}" for name, q in row.used_by_store or [])
        writer.writerow(
            spreadsheet_row(
                [
                    row.item,
                    row.unit,
                    row.received,
                    row.used,
                    row.in_stock,
                    row.in_transit,
                    used_at,
                    row.handed_out,
                    row.workers,
                    row.posts,
                    row.teams,
                ]
            )
        )
    return response


@require_perm(Perm.SUPPLIES_VIEW)
def donations(request: ScopedRequest) -> HttpResponse:
    may_record = not scope_of(request.user, Perm.SUPPLIES_KEEP).is_empty
    rows = [(d, what_was_given(d)) for d in selectors.donations_for_user(request.user)[:200]]
    return render(request, "supplies/donations.html", {"rows": rows, "may_record": may_record})


@require_perm(Perm.SUPPLIES_KEEP)
def donation_create(request: ScopedRequest) -> HttpResponse:
    stores = selectors.keeper_stores(request.user)
    places = request.scope.roots
    form = DonationForm(request.POST or None, stores=stores)
    lines = GoodsLineFormSet(request.POST or None, prefix="line")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        store = data["store"]
        place = store.place if store is not None else selectors.place_at(places[0])
        goods = [
            GoodsLine(
                item_id=line["item"],
                quantity=line["quantity"],
                lot_code=line.get("lot_code") or "",
                expires_on=line.get("expires_on"),
            )
            for line in lines.cleaned_data
            if line.get("item") or line.get("quantity")
        ]
        try:
            donation = services.donation_record(
                actor=request.user,
                place=place,
                donor_name=data["donor_name"],
                donor_kind=data["donor_kind"],
                anonymous=data["anonymous"],
                contact=data["contact"],
                kind=data["kind"],
                received_on=data["received_on"],
                store=store,
                lines=goods,
                amount=data["amount"],
                purpose=data["purpose"],
                description=data["description"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Donation recorded."))
            return redirect("supplies:donation", pk=donation.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supplies/donation_form.html", {"form": form, "lines": lines}, status=status)


@require_perm(Perm.SUPPLIES_VIEW)
def donation(request: ScopedRequest, pk: int) -> HttpResponse:
    gift = selectors.get_donation_for_user(user=request.user, pk=pk)
    return render(request, "supplies/donation.html", {"donation": gift, "given": what_was_given(gift)})


@require_perm(Perm.SUPPLIES_VIEW)
def donation_receipt(request: ScopedRequest, pk: int) -> HttpResponse:
    gift = selectors.get_donation_for_user(user=request.user, pk=pk)
    url = request.build_absolute_uri(reverse("supplies:verify", args=[receipt_token(gift)]))
    response = HttpResponse(thank_you(gift, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{gift.pk}.pdf"'
    return response


@public
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The receipt's QR code: was it issued by us, for what, on what date (the donor as published)."""
    pk = receipt_donation_id(token)
    gift = Donation.objects.select_related("donor", "place").filter(pk=pk).first() if pk else None
    if gift is None:
        return render(request, "supplies/verify.html", {"valid": False}, status=404)
    return render(request, "supplies/verify.html", {"valid": True, "donation": gift, "given": what_was_given(gift)})


@logged_in
def my_handouts(request: HttpRequest) -> HttpResponse:
    """What I was given, to confirm on my phone: a worker sees only their own hand-outs."""
    return render(
        request,
        "supplies/my_handouts.html",
        {"rows": selectors.own_handouts(request.user), "team_rows": selectors.team_handouts(request.user)},
    )


@logged_in
@require_POST
def handout_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    handout = selectors.get_handout_to_confirm(user=request.user, pk=pk)
    try:
        services.handout_confirm(actor=request.user, handout=handout)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: received."))
    return redirect("supplies:mine")


def _handout_form(request: ScopedRequest, data: object) -> HandOutForm:
    return HandOutForm(
        data,
        prefix="handout",
        recipients=selectors.workers_for_user(request.user),
        posts=selectors.handout_posts(request.user),
    )


@require_POST
@require_perm(Perm.SUPPLIES_KEEP)
def store_handout(request: ScopedRequest, pk: int) -> HttpResponse:
    the_store = selectors.get_store_for_user(user=request.user, pk=pk, perm=Perm.SUPPLIES_KEEP)
    form = _handout_form(request, request.POST)
    done = form_post(
        request,
        form,
        lambda data: services.handout_issue(
            actor=request.user, store=the_store, recipient=data["recipient"], post=data["post"], lines=form.lines()
        ),
        done=_("Handed out: the recipient confirms on their phone."),
        to=reverse("supplies:store", args=[the_store.pk]),
    )
    return done or _store_page(request, the_store, handout_form=form)


# Requisitions ----------------------------------------------------------------------------------


@require_perm(Perm.SUPPLIES_VIEW)
def requisitions(request: ScopedRequest) -> HttpResponse:
    rows = selectors.requisitions_for_user(request.user)[:200]
    return render(request, "supplies/requisitions.html", {"rows": rows})


@require_perm(Perm.SUPPLIES_VIEW)
def requisition_create(request: ScopedRequest) -> HttpResponse:
    stores = selectors.asking_stores(request.user)
    form = RequisitionForm(request.POST or None, stores=stores)
    if request.method == "POST" and (
        done := form_post(
            request,
            form,
            lambda data: services.requisition_submit(
                actor=request.user,
                store=data["store"],
                reason=data["reason"],
                lines=[AskedLine(item_id=item, quantity=quantity) for item, quantity in form.lines()],
            ),
            done=_("Asked: the street decides."),
            to=lambda requisition: reverse("supplies:requisition", args=[requisition.pk]),
        )
    ):
        return done
    status = 400 if request.method == "POST" else 200
    return render(request, "supplies/requisition_form.html", {"form": form}, status=status)


def _requisition_page(
    request: ScopedRequest, requisition: Requisition, errors: list[str] | None = None
) -> HttpResponse:
    user = request.user
    may_decide = (
        requisition.status == RequisitionStatus.SUBMITTED
        and requisition.requested_by_id != user.pk
        and scope_of(user, Perm.SUPPLIES_MANAGE).contains(requisition.source_path)
    )
    may_issue = requisition.status == RequisitionStatus.APPROVED and scope_of(user, Perm.SUPPLIES_KEEP).contains(
        requisition.source_path
    )
    may_receive = requisition.status == RequisitionStatus.ISSUED and scope_of(user, Perm.SUPPLIES_KEEP).contains(
        requisition.place_path
    )
    approval = requisition.approvals.order_by("-pk").first()
    context = {
        "requisition": requisition,
        "lines": selectors.requisition_lines(requisition),
        "events": [
            (event, RequisitionStatus(event.to_status).label)
            for event in requisition.events.select_related("actor").order_by("created_at", "pk")
        ],
        "approval": approval,
        "may_decide": may_decide,
        "may_issue": may_issue,
        "may_receive": may_receive,
        "errors": errors or [],
        "threshold": settings.TONGZHOU_SUPPLIES_SECOND_APPROVAL_PACKS,
    }
    return render(request, "supplies/requisition.html", context, status=400 if errors else 200)


@require_perm(Perm.SUPPLIES_VIEW)
def requisition(request: ScopedRequest, pk: int) -> HttpResponse:
    return _requisition_page(request, selectors.get_requisition_for_user(user=request.user, pk=pk))


@require_POST
@require_perm(Perm.SUPPLIES_MANAGE)
def requisition_decide(request: ScopedRequest, pk: int) -> HttpResponse:
    the_requisition = selectors.get_requisition_for_user(user=request.user, pk=pk)
    note = request.POST.get("note", "")[:300]
    try:
        if request.POST.get("decision") == "reject":
            services.requisition_reject(actor=request.user, requisition=the_requisition, note=note)
        else:
            approved = {line.pk: request.POST.get(f"approved-{line.pk}", "") for line in the_requisition.lines.all()}
            services.requisition_approve(actor=request.user, requisition=the_requisition, approved=approved, note=note)
    except ValidationError as error:
        return _requisition_page(request, the_requisition, errors=error.messages)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Decided."))
    return redirect("supplies:requisition", pk=the_requisition.pk)


@require_POST
@require_perm(Perm.SUPPLIES_KEEP)
def requisition_issue(request: ScopedRequest, pk: int) -> HttpResponse:
    the_requisition = selectors.get_requisition_for_user(user=request.user, pk=pk)
    try:
        services.requisition_issue(actor=request.user, requisition=the_requisition)
    except ValidationError as error:
        return _requisition_page(request, the_requisition, errors=error.messages)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Sent: the store confirms the arrival."))
    return redirect("supplies:requisition", pk=the_requisition.pk)


@require_POST
@require_perm(Perm.SUPPLIES_KEEP)
def requisition_receive(request: ScopedRequest, pk: int) -> HttpResponse:
    the_requisition = selectors.get_requisition_for_user(user=request.user, pk=pk, perm=Perm.SUPPLIES_KEEP)
    try:
        services.requisition_receive(actor=request.user, requisition=the_requisition)
    except ValidationError as error:
        return _requisition_page(request, the_requisition, errors=error.messages)
    messages.success(request, _("Arrival confirmed."))
    return redirect("supplies:requisition", pk=the_requisition.pk)


# The catalogue and minimum levels --------------------------------------------------------------


@require_perm(Perm.SUPPLIES_VIEW)
def catalogue(request: ScopedRequest) -> HttpResponse:
    may_manage = not scope_of(request.user, Perm.SUPPLIES_MANAGE).is_empty
    form = ItemForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise Http404
        done = form_post(
            request,
            form,
            lambda data: services.item_create(actor=request.user, **data),
            done=_("Added to the catalogue."),
            to=reverse("supplies:catalogue"),
        )
        if done:
            return done
    status = 400 if request.method == "POST" else 200
    context = {"items": selectors.items(), "form": form, "may_manage": may_manage}
    return render(request, "supplies/catalogue.html", context, status=status)


@require_perm(Perm.SUPPLIES_VIEW)
def store_minimums(request: ScopedRequest, pk: int) -> HttpResponse:
    the_store = selectors.get_store_for_user(user=request.user, pk=pk)
    may_manage = scope_of(request.user, Perm.SUPPLIES_MANAGE).contains(the_store.place_path)
    form = MinimumForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise Http404
        done = form_post(
            request,
            form,
            lambda data: services.minimum_set(
                actor=request.user, store=the_store, item=data["item"], quantity=data["quantity"]
            ),
            done=_("Minimum level set."),
            to=reverse("supplies:minimums", args=[the_store.pk]),
        )
        if done:
            return done
    status = 400 if request.method == "POST" else 200
    context = {
        "store": the_store,
        "levels": selectors.store_minimums(the_store),
        "form": form,
        "may_manage": may_manage,
    }
    return render(request, "supplies/minimums.html", context, status=status)
