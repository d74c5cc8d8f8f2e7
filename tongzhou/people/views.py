import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, require_perm
from tongzhou.accounts.forms import RevealForm
from tongzhou.accounts.selectors import scope_for
from tongzhou.accounts.services import pii_reveal
from tongzhou.core.db_router import replica_reads
from tongzhou.core.forms import form_errors
from tongzhou.core.imports import responses as imports
from tongzhou.core.imports.selectors import get_import_job_for_user
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_id_number, mask_phone
from tongzhou.people import exports
from tongzhou.people.forms import ExportForm, ImportForm, MoveForm, PersonForm, RegisterFilterForm
from tongzhou.people.importers import ResidentImporter
from tongzhou.people.models import Person, ResidencyType, Tag
from tongzhou.people.selectors import (
    SEARCH_CAP,
    addresses,
    get_person_for_user,
    matching_page,
    person_active_links,
    person_history,
    register,
)
from tongzhou.people.services import (
    PersonData,
    clean_person_data,
    person_create,
    person_link_send,
    person_links_revoke,
    person_merge,
    person_move,
    person_move_out,
    person_update,
    person_view_record,
)
from tongzhou.places.models import Household
from tongzhou.places.selectors import get_place_for_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_perm(Perm.PEOPLE_VIEW)
def register_list(request: ScopedRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    place = None
    if request.GET.get("place"):
        place = get_place_for_user(user=request.user, pk=request.GET["place"], perm=Perm.PEOPLE_VIEW)
    people = register(
        request.scope,
        text=filters.get("q", ""),
        place=place,
        residency=filters.get("residency", ""),
        tag=filters.get("tag", ""),
    )
    if filters.get("q"):
        page = matching_page(people, request.GET.get("page"), settings.TONGZHOU_PAGE_SIZE)
    else:
        page = Paginator(people, settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page"))
    where = addresses(page.object_list)
    rows = [(p, where[p.pk], mask_phone(p.phone) if p.phone else "", mask_id_number(p.id_number)) for p in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/register.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "place": place,
            "capped": page.paginator.count >= SEARCH_CAP,
            "query_prefix": (query.urlencode() + "&") if query else "",
            "export_query": query.urlencode(),
            "can_manage": not scope_for(request.user, Perm.PEOPLE_MANAGE).is_empty,
            "can_export": not scope_for(request.user, Perm.DATA_EXPORT).is_empty,
        },
    )


def _record(person: Person) -> dict[str, object]:
    """What every view of one record shows: address and the masked numbers."""
    return {
        "person": person,
        "address": addresses([person])[person.pk],
        "masked_id": mask_id_number(person.id_number),
        "masked_phone": mask_phone(person.phone) if person.phone else "",
    }


@never_cache
@require_perm(Perm.PEOPLE_VIEW)
def person_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(user=request.user, pk=pk, perm=Perm.PEOPLE_VIEW)
    person_view_record(actor=request.user, person=person, request=request)
    can_manage = scope_for(request.user, Perm.PEOPLE_MANAGE).contains(person.place_path)
    return render(
        request,
        "people/person.html",
        {
            **_record(person),
            "tags": [t.get_tag_display() for t in person.tags.all()],
            "can_manage": can_manage,
            "can_reveal": scope_for(request.user, Perm.PII_REVEAL).contains(person.place_path),
            "can_register_key": scope_for(request.user, Perm.KEY_PERSON_REGISTER).contains(person.place_path),
            "history": person_history(person).select_related(None)[:50] if can_manage else [],
            "links": list(person_active_links(person)) if can_manage else [],
        },
    )


def _person_data(form: PersonForm, actor: Any, exclude_pk: int | None = None) -> PersonData:
    """The form's data for the service. A room that is not in the building is reported together
    with every other bad field (the ID and phone numbers are checked too), not one stage at a time."""
    data = form.cleaned_data
    household = Household.objects.filter(place=data["place"], room=data["room"].strip()).select_related("place").first()
    person_data = PersonData(
        name=data["name"],
        id_type=data["id_type"],
        id_number=data["id_number"],
        phone=data["phone"],
        household=household or Household(place=data["place"], room=data["room"].strip()),
        residency_type=data["residency_type"],
        tags=data["tags"],
        notes=data["notes"],
    )
    if household is None:
        errors: dict[str, Any] = {}
        try:
            clean_person_data(person_data, exclude_pk=exclude_pk, scope=scope_for(actor, Perm.PEOPLE_VIEW))
        except ValidationError as error:
            errors.update(error.message_dict)
        errors["room"] = [_("No room %(room)s in %(place)s.") % {"room": data["room"], "place": data["place"]}]
        raise ValidationError(errors)
    return person_data


@require_perm(Perm.PEOPLE_MANAGE)
def person_new(request: ScopedRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_create(actor=request.user, data=_person_data(form, request.user), request=request)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(name)s was registered.") % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": _("Register a resident"), "cancel_url": reverse("people:register")},
    )


@never_cache
@require_perm(Perm.PEOPLE_MANAGE)
def person_edit(request: ScopedRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(user=request.user, pk=pk, perm=Perm.PEOPLE_MANAGE)
    initial = {
        "name": person.name,
        "id_type": person.id_type,
        "place": person.household.place,
        "room": person.household.room,
        "residency_type": person.residency_type,
        "tags": list(person.tags.values_list("tag", flat=True)),
        "notes": person.notes,
    }
    # The numbers are never sent back in the form: it shows them masked, and an empty field keeps them.
    masked = {"id_number": mask_id_number(person.id_number), "phone": mask_phone(person.phone) if person.phone else ""}
    form = PersonForm(request.POST or None, scope=request.scope, initial=initial, masked=masked)
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["id_number"].strip():
            form.cleaned_data["id_number"] = person.id_number
        if form.cleaned_data.get("remove_phone"):
            form.cleaned_data["phone"] = ""
        elif not form.cleaned_data["phone"].strip():
            form.cleaned_data["phone"] = person.phone
        try:
            data = _person_data(form, request.user, exclude_pk=person.pk)
            if data.household.pk != person.household_id:
                raise ValidationError({"room": _("To move a resident to another household, use Move.")})
            person_update(actor=request.user, person=person, data=data, request=request)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The record was saved."))
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "core/form_page.html",
        {"form": form, "cancel_url": reverse("people:register"), "title": _("Edit %(name)s") % {"name": person.name}},
    )


@never_cache
@require_perm(Perm.PII_REVEAL)
def person_reveal(request: ScopedRequest, pk: int, field: str) -> HttpResponse:
    """Ask for a purpose, then show the ID or phone number once; audited."""
    person = get_person_for_user(user=request.user, pk=pk, perm=Perm.PII_REVEAL)
    if field not in ("id_number", "phone"):
        return HttpResponse(status=404)
    form = RevealForm(request.POST or None)
    value = None
    if request.method == "POST" and form.is_valid():
        value = pii_reveal(
            actor=request.user,
            obj=person,
            field=field,
            place_path=person.place_path,
            purpose=form.cleaned_data["purpose"],
            request=request,
        )
    return render(request, "people/_reveal.html", {"form": form, "value": value, "person": person, "field": field})


@require_perm(ResidentImporter.permission)
def import_template(request: ScopedRequest) -> HttpResponse:
    return imports.template_response(ResidentImporter)


@require_perm(ResidentImporter.permission)
def import_upload(request: ScopedRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, scope=request.scope)
    return imports.upload_view(
        request,
        ResidentImporter,
        form,
        place=None,
        job_view="people:import_job",
        template_url=reverse("people:import_template"),
    )


@require_perm(ResidentImporter.permission)
def import_job(request: ScopedRequest, pk: int) -> HttpResponse:
    job = get_import_job_for_user(user=request.user, pk=pk, importer=ResidentImporter.name)
    return imports.job_view(request, job, job_view="people:import_job", errors_view="people:import_errors")


@require_perm(ResidentImporter.permission)
def import_errors(request: ScopedRequest, pk: int) -> HttpResponse:
    """The job's row errors as a CSV, to fix the file beside it."""
    job = get_import_job_for_user(user=request.user, pk=pk, importer=ResidentImporter.name)
    return imports.errors_csv_response(job)


def _register_filters(request: ScopedRequest) -> exports.RegisterFilters:
    """The register list's filters from the query string (a bad one is left out, as on the list)."""
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    place = None
    if request.GET.get("place"):
        place = get_place_for_user(user=request.user, pk=request.GET["place"], perm=Perm.PEOPLE_VIEW)
    return exports.RegisterFilters(
        text=filters.get("q", ""), place=place, residency=filters.get("residency", ""), tag=filters.get("tag", "")
    )


@replica_reads
@require_perm(Perm.DATA_EXPORT)
def export(request: ScopedRequest) -> HttpResponseBase:
    """The register of the user's places as xlsx, narrowed by the list's filters (passed on in the
    query string): pseudonymized unless real values are asked for with a purpose by someone who
    may unmask them. Audited either way."""
    filters = _register_filters(request)
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        real = form.cleaned_data["real_values"]
        if real and scope_for(request.user, Perm.PII_REVEAL).is_empty:
            form.add_error("real_values", _("You may not export real values."))
        else:
            data, _rows = exports.register_workbook(
                actor=request.user,
                scope=request.scope,
                real_values=real,
                purpose=form.cleaned_data["purpose"],
                filters=filters,
                request=request,
            )
            name = f"tongzhou-residents-{timezone.localdate():%Y%m%d}.xlsx"
            return FileResponse(io.BytesIO(data), as_attachment=True, filename=name, content_type=XLSX)
    described = [
        text
        for text in (
            filters.place.name if filters.place else "",
            filters.text,
            str(ResidencyType(filters.residency).label) if filters.residency else "",
            str(Tag(filters.tag).label) if filters.tag else "",
        )
        if text
    ]
    return render(request, "people/export.html", {"form": form, "filters": described})


@require_POST
@require_perm(Perm.PEOPLE_MANAGE)
def person_send_link(request: ScopedRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(user=request.user, pk=pk, perm=Perm.PEOPLE_MANAGE)
    try:
        person_link_send(actor=request.user, person=person, site_url=request.build_absolute_uri("/"), request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The personal link was sent to the resident's phone."))
    return redirect("people:detail", pk=person.pk)


@require_POST
@require_perm(Perm.PEOPLE_MANAGE)
def person_revoke_links(request: ScopedRequest, pk: int) -> HttpResponse:
    """Stop the resident's personal links (a lost phone, a forwarded message)."""
    person = get_person_for_user(user=request.user, pk=pk, perm=Perm.PEOPLE_MANAGE)
    count = person_links_revoke(actor=request.user, person=person, request=request)
    messages.success(request, _("Personal links revoked: %(count)d.") % {"count": count})
    return redirect("people:detail", pk=person.pk)


@require_perm(Perm.PEOPLE_MANAGE)
def person_move_view(request: ScopedRequest, pk: int) -> HttpResponse:
    """Move to another household, mark a move-out, or merge a duplicate record into this one."""
    person = get_person_for_user(user=request.user, pk=pk, perm=Perm.PEOPLE_MANAGE)
    form = MoveForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "move":
                household = (
                    Household.objects.filter(place=data["place"], room=(data["room"] or "").strip())
                    .select_related("place")
                    .first()
                )
                if household is None:
                    raise ValidationError({"room": _("No such room in the chosen building or unit.")})
                person_move(actor=request.user, person=person, household=household, request=request)
            elif data["action"] == "move_out":
                person_move_out(actor=request.user, person=person, on=data["on"], request=request)
            else:
                duplicate = get_person_for_user(user=request.user, pk=data["duplicate"] or 0, perm=Perm.PEOPLE_MANAGE)
                person_merge(actor=request.user, keep=person, duplicate=duplicate, request=request)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The record was saved."))
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "cancel_url": reverse("people:detail", args=[person.pk]),
            "form": form,
            "title": _("Move, move out or merge: %(name)s") % {"name": person.name},
        },
    )
