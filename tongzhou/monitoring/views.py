from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, get_in_scope, public, require_perm
from tongzhou.accounts.selectors import scope_for
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.monitoring import notices
from tongzhou.monitoring.forms import ChangeForm, CheckForm, KeyPersonForm, OrderForm, OutcomeForm, StaffCheckForm
from tongzhou.monitoring.models import Alert, CheckMethod, IsolationOrder, KeyPerson, Override, OverrideStatus
from tongzhou.monitoring.selectors import (
    active_order_of,
    checks_of,
    events_of,
    key_persons,
    open_alerts,
    orders_of_person,
    pending_overrides,
    today_counts,
    today_page,
)
from tongzhou.monitoring.services import (
    Change,
    CheckData,
    alert_close,
    check_record,
    key_person_register,
    order_change,
    order_create,
    order_view_record,
    override_decide,
)
from tongzhou.people.models import Person
from tongzhou.people.services import person_from_link
from tongzhou.places.selectors import street_addresses


def _orders() -> QuerySet[IsolationOrder]:
    return IsolationOrder.objects.select_related("key_person__person__household")


@require_perm(Perm.HEALTH_VIEW)
def today(request: ScopedRequest) -> HttpResponse:
    """Today's list for a grid or community, on a phone: overdue first, then due, then the rest."""
    state = request.GET.get("state", "")
    now = timezone.now()
    page = today_page(
        request.scope, state=state, page=request.GET.get("page"), per_page=settings.TONGZHOU_PAGE_SIZE, now=now
    )
    orders = list(page.object_list)
    streets = street_addresses(o.place_path for o in orders)
    local_today = timezone.localdate(now)
    counts = today_counts(request.scope, now)
    return render(
        request,
        "monitoring/today.html",
        {
            "counts": counts,
            "done_count": counts["active"] - counts["overdue"] - counts["due"],
            "rows": [
                {
                    "o": o,
                    "address": f"{streets[o.place_path]} {o.key_person.person.household.room}",
                    "day": (local_today - o.starts_on).days + 1,
                    "days": (o.planned_end_on - o.starts_on).days,
                }
                for o in orders
            ],
            "page_obj": page,
            "state": state,
            "query_prefix": f"state={state}&" if state else "",
            "can_check": not scope_for(request.user, Perm.HEALTH_CHECK).is_empty,
            "can_register": not scope_for(request.user, Perm.KEY_PERSON_REGISTER).is_empty,
        },
    )


@require_perm(Perm.HEALTH_VIEW)
def alerts(request: ScopedRequest) -> HttpResponse:
    return render(
        request,
        "monitoring/alerts.html",
        {
            "alerts": open_alerts(request.scope)[:200],
            "overrides": pending_overrides(request.scope),
            "can_approve": not scope_for(request.user, Perm.STATUS_APPROVE).is_empty,
            "form": OutcomeForm(),
        },
    )


@require_perm(Perm.HEALTH_VIEW)
def key_person_list(request: ScopedRequest) -> HttpResponse:
    page = Paginator(key_persons(request.scope), settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/key_persons.html",
        {"page_obj": page, "can_register": not scope_for(request.user, Perm.KEY_PERSON_REGISTER).is_empty},
    )


@require_perm(Perm.KEY_PERSON_REGISTER)
def key_person_new(request: ScopedRequest, person_pk: int) -> HttpResponse:
    person = get_in_scope(Person.objects.select_related("household"), request.scope, "place_path", pk=person_pk)
    form = KeyPersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            key_person = key_person_register(actor=request.user, person=person, request=request, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Registered as a key person."))
            return redirect("monitoring:key_person", pk=key_person.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Register a key person: %(name)s") % {"name": person.name},
            "cancel_url": reverse("people:detail", args=[person.pk]),
        },
    )


@require_perm(Perm.HEALTH_VIEW)
def key_person_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    key_person = get_in_scope(
        KeyPerson.objects.select_related("person__household", "registered_by"), request.scope, "place_path", pk=pk
    )
    return render(
        request,
        "monitoring/key_person.html",
        {
            "kp": key_person,
            "orders": key_person.orders.order_by("-starts_on", "-id"),
            "can_order": scope_for(request.user, Perm.ISOLATION_ORDER).contains(key_person.place_path),
        },
    )


@require_perm(Perm.ISOLATION_ORDER)
def order_new(request: ScopedRequest, pk: int) -> HttpResponse:
    key_person = get_in_scope(KeyPerson.objects.select_related("person"), request.scope, "place_path", pk=pk)
    form = OrderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = order_create(
                actor=request.user,
                key_person=key_person,
                kind=data["kind"],
                starts_on=data["starts_on"],
                facility=data["facility"],
                check_times=[t for t in data["check_times"].replace("，", ",").split(",") if t.strip()],
                reason=data["reason"],
                evidence=data["evidence"],
                request=request,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Isolation ordered until %(end)s.") % {"end": order.planned_end_on})
            return redirect("monitoring:order", pk=order.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Isolation order: %(name)s") % {"name": key_person.person.name},
            "cancel_url": reverse("monitoring:key_person", args=[key_person.pk]),
        },
    )


@require_perm(Perm.HEALTH_VIEW)
def order_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    order = get_in_scope(_orders(), request.scope, "place_path", pk=pk)
    may = scope_for(request.user, Perm.ISOLATION_ORDER).contains(order.place_path)
    order_view_record(actor=request.user, order=order, what="order", request=request)
    return render(
        request,
        "monitoring/order.html",
        {
            "o": order,
            "address": street_addresses([order.place_path])[order.place_path],
            "checks": checks_of(order)[:60],
            "events": events_of(order),
            "overrides": order.overrides.select_related("requested_by", "decided_by").order_by("-created_at"),
            "alerts": order.alerts.filter(closed_at__isnull=True).order_by("created_at"),
            "can_change": may and order.status == "active",
            "can_check": scope_for(request.user, Perm.HEALTH_CHECK).contains(order.place_path)
            and order.status == "active",
            "change_form": ChangeForm(),
        },
    )


@require_POST
@require_perm(Perm.ISOLATION_ORDER)
def order_change_view(request: ScopedRequest, pk: int) -> HttpResponse:
    order = get_in_scope(_orders(), request.scope, "place_path", pk=pk)
    form = ChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = order_change(
                actor=request.user,
                order=order,
                change=Change(
                    action=data["action"],
                    reason=data["reason"],
                    evidence=data["evidence"],
                    planned_end_on=data["planned_end_on"],
                    facility=data["facility"],
                ),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if isinstance(result, Override):
                messages.warning(request, _("This is an exception to the rules: it waits for a second approver."))
            else:
                messages.success(request, _("The order was changed."))
    else:
        messages.error(request, " ".join(f"{form.fields[f].label}: {e}" for f, es in form.errors.items() for e in es))
    return redirect("monitoring:order", pk=order.pk)


@require_POST
@require_perm(Perm.STATUS_APPROVE)
def override_decide_view(request: ScopedRequest, pk: int) -> HttpResponse:
    override = get_in_scope(
        Override.objects.select_related("order"),
        request.scope,
        "order__place_path",
        pk=pk,
        status=OverrideStatus.PENDING,
    )
    try:
        override_decide(
            actor=request.user,
            override=override,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not decide this."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("monitoring:order", pk=override.order_id)


@require_perm(Perm.HEALTH_CHECK)
def check_new(request: ScopedRequest, pk: int) -> HttpResponse:
    order = get_in_scope(_orders(), request.scope, "place_path", pk=pk, status="active")
    form = StaffCheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        method = data.pop("method")
        try:
            check = check_record(
                actor=request.user, order=order, data=CheckData(**data), method=method, request=request
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            if check.abnormal:
                messages.warning(request, _("Abnormal: the health officer has been alerted."))
            else:
                messages.success(request, _("Check recorded."))
            return redirect("monitoring:today")
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Daily check: %(name)s") % {"name": order.key_person.person.name},
            "cancel_url": reverse("monitoring:today"),
        },
    )


@require_POST
@require_perm(Perm.HEALTH_VIEW)
def alert_close_view(request: ScopedRequest, pk: int) -> HttpResponse:
    alert = get_in_scope(Alert.objects.all(), request.scope, "place_path", pk=pk)
    form = OutcomeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say what was done (the outcome)."))
        alert_close(actor=request.user, alert=alert, outcome=form.cleaned_data["outcome"])
    except PermissionDenied:
        messages.error(request, _("Only the health officer closes this alert."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Alert closed."))
    return redirect("monitoring:alerts")


@require_perm(Perm.HEALTH_VIEW)
def notice_pdf(request: ScopedRequest, pk: int) -> HttpResponse:
    order = get_in_scope(_orders(), request.scope, "place_path", pk=pk)
    order_view_record(actor=request.user, order=order, what="notice", request=request)
    response = HttpResponse(notices.order_notice(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{order.pk}.pdf"'
    return response


@never_cache
@public
def mine(request: HttpRequest, token: str) -> HttpResponse:
    """The resident under isolation, through their personal link: their orders and history, and
    the daily self check-in."""
    person = person_from_link(token)
    if person is None:
        raise Http404
    order = active_order_of(person)
    form = CheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if order is None:
            raise Http404
        if form.is_valid():
            try:
                check_record(
                    actor=None,
                    order=order,
                    person=person,
                    data=CheckData(**form.cleaned_data),
                    method=CheckMethod.SELF,
                    request=request,
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Thank you: your check-in was recorded."))
                return redirect("monitoring:mine", token=token)
    return render(
        request,
        "monitoring/mine.html",
        {"person": person, "order": order, "orders": orders_of_person(person), "form": form, "token": token},
    )
