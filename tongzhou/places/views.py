import csv
import itertools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tongzhou.accounts.access import ScopedRequest, get_in_scope, require_perm
from tongzhou.accounts.selectors import scope_for
from tongzhou.core.exports import spreadsheet_row
from tongzhou.core.forms import form_errors
from tongzhou.core.models import AuditAction
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.people.selectors import household_members
from tongzhou.places.forms import BuildingForm, PlaceForm, RenameForm
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.places.selectors import breadcrumbs, households_of, place_children, places_search, scope_roots, subtree
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
    place = get_in_scope(Place.objects.all(), request.scope, pk=pk)
    user = request.user
    context = {
        "place": place,
        "crumbs": breadcrumbs(place, request.scope),
        "page_obj": Paginator(place_children(place), settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page")),
        "can_manage": scope_for(user, Perm.PLACES_MANAGE).contains(place.path),
        "can_grant": scope_for(user, Perm.ROLES_GRANT).contains(place.path),
        "can_export": scope_for(user, Perm.DATA_EXPORT).contains(place.path),
        "can_see_people": scope_for(user, Perm.PEOPLE_VIEW).contains(place.path),
        "kind_label": PlaceKind(place.kind).label,
        "child_kinds": [(kind, PlaceKind(kind).label) for kind in place.child_kinds],
    }
    if place.holds_households:
        context["households"] = Paginator(households_of(place), 200).get_page(request.GET.get("hpage"))
    return render(request, "places/detail.html", context)


@require_perm(Perm.PLACES_MANAGE)
def create(request: ScopedRequest, pk: int) -> HttpResponse:
    parent = get_in_scope(Place.objects.all(), request.scope, pk=pk)
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
    compound = get_in_scope(Place.objects.filter(kind=PlaceKind.COMPOUND), request.scope, pk=pk)
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
    place = get_in_scope(Place.objects.all(), request.scope, pk=pk)
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
    item = get_in_scope(Household.objects.select_related("place"), request.scope, "place__path", pk=pk)
    can_see_people = scope_for(request.user, Perm.PEOPLE_VIEW).contains(item.place.path)
    members = household_members(item) if can_see_people else None
    return render(
        request,
        "places/household.html",
        {
            "household": item,
            "crumbs": breadcrumbs(item.place, request.scope),
            "members": members,
        },
    )


@require_perm(Perm.PLACES_VIEW)
def search(request: ScopedRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    return render(request, "places/search.html", {"q": text, "results": places_search(request.scope, text)})


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_perm(Perm.DATA_EXPORT)
def export(request: ScopedRequest, pk: int) -> StreamingHttpResponse:
    """The subtree of a place as CSV (places only: no personal data). Audited."""
    place = get_in_scope(Place.objects.all(), request.scope, pk=pk)
    rows = subtree(place).values_list("code", "name", "kind", "depth", "path")[:EXPORT_LIMIT]
    audit_log(
        action=AuditAction.EXPORTED,
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
