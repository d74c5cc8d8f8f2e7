"""Household distributions: staff create one and pack each building's parcels out of the store
(the packing list as a page and a PDF), see per building who is not yet reached, and assign
volunteers; the building lead (or an assigned volunteer) ticks households delivered on a phone.
Thin: parse, fetch through the scoped accessors, call the services."""

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, logged_in, require_perm
from tongzhou.core.access import scope_of
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.places.models import Place
from tongzhou.supplies import distribution_selectors as selectors
from tongzhou.supplies import distribution_services as services
from tongzhou.supplies.distribution_documents import packing_pdf
from tongzhou.supplies.distribution_forms import DistributionForm
from tongzhou.supplies.models import Distribution, Store


def _places(user: object) -> QuerySet[Place]:
    return (
        Place.objects.filter(scope_of(user, Perm.SUPPLIES_KEEP).q("path"), kind__in=services.DISTRIBUTION_PLACE_KINDS)
        .select_related("parent")
        .order_by("path")
    )


def _stores(user: object) -> QuerySet[Store]:
    return Store.objects.filter(scope_of(user, Perm.SUPPLIES_KEEP).q("place_path")).order_by("place_path", "name")


@require_perm(Perm.SUPPLIES_KEEP)
def distributions(request: ScopedRequest) -> HttpResponse:
    rows = selectors.distributions_for_user(request.user).order_by("-created_at", "-pk")[:200]
    return render(request, "supplies/distributions.html", {"rows": rows})


@require_perm(Perm.SUPPLIES_KEEP)
def distribution_create(request: ScopedRequest) -> HttpResponse:
    form = DistributionForm(request.POST or None, places=_places(request.user), stores=_stores(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            distribution = services.distribution_create(
                actor=request.user,
                place=form.cleaned_data["place"],
                store=form.cleaned_data["store"],
                name=form.cleaned_data["name"],
                lines=[services.ParcelLine(item_id=i, quantity=q, per=p) for i, q, p in form.lines()],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Distribution created: pack each building's parcels."))
            return redirect("supplies:distribution", pk=distribution.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supplies/distribution_form.html", {"form": form}, status=status)


def _page(request: ScopedRequest, distribution: Distribution, errors: list[str] | None = None) -> HttpResponse:
    context = {
        "distribution": distribution,
        "lines": selectors.lines_of(distribution),
        "buildings": selectors.buildings_of(distribution),
        "may_pack": scope_of(request.user, Perm.SUPPLIES_KEEP).contains(distribution.store.place_path),
        "candidates": services.runner_candidates(distribution),
        "runners": distribution.runners.select_related("user", "building").order_by("building__path", "user__username"),
        "errors": errors or [],
    }
    return render(request, "supplies/distribution.html", context, status=400 if errors else 200)


@require_perm(Perm.SUPPLIES_KEEP)
def distribution(request: ScopedRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.get_distribution_for_user(user=request.user, pk=pk))


@require_POST
@require_perm(Perm.SUPPLIES_KEEP)
def distribution_pack(request: ScopedRequest, pk: int) -> HttpResponse:
    found = selectors.get_distribution_for_user(user=request.user, pk=pk)
    try:
        services.distribution_pack(actor=request.user, distribution=found, building_id=request.POST.get("building"))
    except ValidationError as error:
        return _page(request, found, error.messages)
    messages.success(request, _("Packed: the goods left the store's ledger."))
    return redirect("supplies:distribution", pk=found.pk)


@require_POST
@require_perm(Perm.SUPPLIES_KEEP)
def distribution_runner(request: ScopedRequest, pk: int) -> HttpResponse:
    found = selectors.get_distribution_for_user(user=request.user, pk=pk)
    try:
        services.runner_assign(
            actor=request.user,
            distribution=found,
            building_id=request.POST.get("building"),
            user_id=request.POST.get("user"),
        )
    except ValidationError as error:
        return _page(request, found, error.messages)
    messages.success(request, _("Assigned."))
    return redirect("supplies:distribution", pk=found.pk)


def _room_key(room: str) -> list[Any]:
    """ "2单元101" after "1单元702", "10单元" after "9单元": numbers compared as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", room) if part]


def _rooms_in_order(distribution: Distribution, user: Any) -> list[Any]:
    """The deliverer's rows building by building as they come, each building room by room."""
    rows = list(selectors.rows_for_deliverer(distribution, user))
    buildings: dict[int, int] = {}
    for row in rows:
        buildings.setdefault(row.building_id, len(buildings))
    return sorted(rows, key=lambda row: (buildings[row.building_id], _room_key(row.room)))


def _by_room(packing: selectors.PackingList) -> selectors.PackingList:
    """The packing list in the order the packer walks: unit by unit, floor by floor (the rows come
    ordered by the units' paths, which are not in unit order)."""
    packing.rows.sort(key=lambda row: _room_key(row[0].room))
    return packing


@require_perm(Perm.SUPPLIES_KEEP)
def packing_list(request: ScopedRequest, pk: int, building_pk: int) -> HttpResponse:
    found = selectors.get_distribution_for_user(user=request.user, pk=pk)
    packing = _by_room(selectors.packing_list(found, building_pk))
    return render(request, "supplies/packing_list.html", {"packing": packing})


@require_perm(Perm.SUPPLIES_KEEP)
def packing_list_pdf(request: ScopedRequest, pk: int, building_pk: int) -> HttpResponse:
    found = selectors.get_distribution_for_user(user=request.user, pk=pk)
    packing = _by_room(selectors.packing_list(found, building_pk))
    response = HttpResponse(packing_pdf(packing), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="packing-{found.pk}-{packing.building.pk}.pdf"'
    return response


@logged_in
def deliveries(request: HttpRequest) -> HttpResponse:
    """The distributions with households the user may tick (their buildings), and staff's own."""
    rows = selectors.deliveries_for_user(request.user)[:100]
    may_manage = not scope_of(request.user, Perm.SUPPLIES_KEEP).is_empty
    return render(request, "supplies/deliveries.html", {"rows": rows, "may_manage": may_manage})


@logged_in
def deliver(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone page: the user's buildings' households by room, one tap each; the not-reached
    count per building on top."""
    found = selectors.get_delivery_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        row = selectors.get_row_for_deliverer(distribution=found, user=request.user, pk=request.POST.get("row"))
        try:
            ticked = services.household_deliver(actor=request.user, row=row)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if ticked:
                messages.success(request, _("%(room)s: delivered.") % {"room": row.room})
            else:
                messages.info(request, _("%(room)s was ticked delivered already.") % {"room": row.room})
        return redirect(reverse("supplies:deliver", args=[found.pk]) + f"#row-{row.pk}")
    lines = selectors.lines_of(found)
    context = {
        "distribution": found,
        "buildings": selectors.buildings_of(found, request.user),
        "rows": [(r, selectors.parcel_of(lines, r.people)) for r in _rooms_in_order(found, request.user)],
    }
    return render(request, "supplies/deliver.html", context)
