import csv
import itertools
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tongzhou.accounts.access import ScopedRequest, require_perm
from tongzhou.core.access import scope_of
from tongzhou.core.audit import CoreAudit
from tongzhou.core.db_router import replica_reads
from tongzhou.core.exports import spreadsheet_row
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.places.forms import BuildingForm, PlaceForm, RenameForm, SearchForm
from tongzhou.places.models import PlaceKind
from tongzhou.places.selectors import (
    breadcrumbs,
    export_rows,
    get_household_for_user,
    get_place_for_user,
    households_of,
    naturally_sorted,
    place_children,
    places_search,
    scope_roots,
)
from tongzhou.places.services import building_create, place_create, place_rename

EXPORT_LIMIT = 200_000


@require_perm(Perm.PLACES_VIEW)
def home(request: ScopedRequest) -> HttpResponse:
    roots = scope_roots(request.scope)
    if len(roots) == 1:
        return redirect("places:detail", pk=roots[0].pk)
    return render(request, "places/home.html", {"roots": roots})


@require_perm(Perm.PLACES_VIEW)
def detail(request: ScopedRequest, pk: int) -> HttpResponse:
    place = get_place_for_user(user=request.user, pk=pk, perm=Perm.PLACES_VIEW)
    user = request.user
    children: Any = place_children(place)
    if place.child_kinds:  # staff named these children (1栋, 2单元): natural order; official ones by code
        children = naturally_sorted(children)
    context = {
        "place": place,
        "crumbs": breadcrumbs(place, request.scope),
        "page_obj": Paginator(children, settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page")),
        "can_manage": scope_of(user, Perm.PLACES_MANAGE).contains(place.path),
        "can_grant": scope_of(user, Perm.ROLES_GRANT).contains(place.path),
        "can_export": scope_of(user, Perm.DATA_EXPORT).contains(place.path),
        "can_see_people": scope_of(user, Perm.PEOPLE_VIEW).contains(place.path),
        "kind_label": PlaceKind(place.kind).label,
        "child_kinds": [(kind, PlaceKind(kind).label) for kind in place.child_kinds],
    }
    if place.holds_households:
        context["households"] = Paginator(households_of(place), 200).get_page(request.GET.get("hpage"))
    return render(request, "places/detail.html", context)


@require_perm(Perm.PLACES_MANAGE)
def create(request: ScopedRequest, pk: int) -> HttpResponse:
    parent = get_place_for_user(user=request.user, pk=pk, perm=Perm.PLACES_MANAGE)
    kinds = tuple(k for k in parent.child_kinds if k != PlaceKind.BUILDING)
    if not kinds:
        return (
            redirect("places:create_building", pk=parent.pk)
            if parent.kind == PlaceKind.COMPOUND
            else redirect("places:detail", pk=parent.pk)
        )
    form = PlaceForm(request.POST or None, kinds=kinds, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            place = place_create(actor=request.user, parent=parent, request=request, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": place.name})
            return redirect("places:detail", pk=place.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "cancel_url": reverse("places:detail", args=[parent.pk]),
            "crumbs": breadcrumbs(parent, request.scope),
            "title": _("New place"),
        },
    )


@require_perm(Perm.PLACES_MANAGE)
def create_building(request: ScopedRequest, pk: int) -> HttpResponse:
    compound = get_place_for_user(user=request.user, pk=pk, perm=Perm.PLACES_MANAGE)
    if compound.kind != PlaceKind.COMPOUND:
        raise Http404
    form = BuildingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            building = building_create(actor=request.user, compound=compound, request=request, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(name)s was created with its units and rooms.") % {"name": building.name})
            return redirect("places:detail", pk=building.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "cancel_url": reverse("places:detail", args=[compound.pk]),
            "crumbs": breadcrumbs(compound, request.scope),
            "title": _("New building"),
        },
    )


@require_perm(Perm.PLACES_MANAGE)
def rename(request: ScopedRequest, pk: int) -> HttpResponse:
    place = get_place_for_user(user=request.user, pk=pk, perm=Perm.PLACES_MANAGE)
    form = RenameForm(request.POST or None, initial={"name": place.name})
    if request.method == "POST" and form.is_valid():
        try:
            place_rename(actor=request.user, place=place, name=form.cleaned_data["name"], request=request)
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("places:detail", pk=place.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "cancel_url": reverse("places:detail", args=[place.pk]),
            "crumbs": breadcrumbs(place, request.scope),
            "title": _("Rename"),
        },
    )


@require_perm(Perm.PLACES_VIEW)
def household(request: ScopedRequest, pk: int) -> HttpResponse:
    item = get_household_for_user(user=request.user, pk=pk, perm=Perm.PLACES_VIEW)
    return render(
        request,
        "places/household.html",
        {
            "household": item,
            "crumbs": breadcrumbs(item.place, request.scope),
        },
    )


@require_perm(Perm.PLACES_VIEW)
def search(request: ScopedRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    return render(request, "places/search.html", {"q": text, "results": places_search(request.scope, text)})


class _Echo:
    def write(self, value: str) -> str:
        return value


@replica_reads
@require_perm(Perm.DATA_EXPORT)
def export(request: ScopedRequest, pk: int) -> StreamingHttpResponse:
    """The subtree of a place as CSV (places only: no personal data). Audited."""
    place = get_place_for_user(user=request.user, pk=pk, perm=Perm.DATA_EXPORT)
    rows = export_rows(place, EXPORT_LIMIT)
    audit_log(
        action=CoreAudit.EXPORTED,
        actor=request.user,
        obj=place,
        place_path=place.path,
        request=request,
        details={"what": "places", "format": "csv"},
    )
    writer = csv.writer(_Echo())
    header = [_("Code"), _("Name"), _("Kind"), _("Depth"), _("Path")]
    lines = itertools.chain([header], rows.iterator(chunk_size=5000))
    stream = (writer.writerow(spreadsheet_row(row)) for row in lines)
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="places-{place.code or place.pk}.csv"'
    return response
