from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, require_perm
from tongzhou.accounts.selectors import scope_for
from tongzhou.alerts.selectors import open_alerts_about
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.monitoring import notices
from tongzhou.monitoring.alert_kinds import SUBJECT
from tongzhou.monitoring.forms import NOT_REACHED, ChangeForm, KeyPersonForm, OrderForm, StaffCheckForm
from tongzhou.monitoring.models import Override, OverrideStatus
from tongzhou.monitoring.selectors import (
    checks_of,
    events_of,
    get_check_for_user,
    get_key_person_for_user,
    get_order_for_user,
    get_override_for_user,
    key_persons,
    pending_overrides,
    today_counts,
    today_page,
)
from tongzhou.monitoring.services import (
    Change,
    CheckData,
    check_not_reached,
    check_record,
    key_person_register,
    order_change,
    order_create,
    order_view_record,
    override_decide,
)
from tongzhou.people.selectors import get_person_for_user
from tongzhou.places.selectors import street_addresses


def _temperature(value: object) -> Decimal | None:
    """A check's temperature as read by a subquery (a float on SQLite) to one decimal."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


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
    fever = Decimal(str(settings.TONGZHOU_FEVER_CELSIUS))
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
                    "temperature": _temperature(o.latest_temperature),
                    "fever": (_temperature(o.latest_temperature) or 0) >= fever,
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
def overrides(request: ScopedRequest) -> HttpResponse:
    """Exceptions waiting for a second approver (the alerts are in the shared inbox)."""
    return render(
        request,
        "monitoring/overrides.html",
        {
            "overrides": pending_overrides(request.scope),
            "can_approve": not scope_for(request.user, Perm.STATUS_APPROVE).is_empty,
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
    person = get_person_for_user(user=request.user, pk=person_pk, perm=Perm.KEY_PERSON_REGISTER)
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
    key_person = get_key_person_for_user(user=request.user, pk=pk, perm=Perm.HEALTH_VIEW)
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
    key_person = get_key_person_for_user(user=request.user, pk=pk, perm=Perm.ISOLATION_ORDER)
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
    order = get_order_for_user(user=request.user, pk=pk, perm=Perm.HEALTH_VIEW)
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
            "alerts": open_alerts_about(subject_type=SUBJECT, subject_id=order.pk),
            "can_change": may and order.status == "active",
            "can_approve": scope_for(request.user, Perm.STATUS_APPROVE).contains(order.place_path),
            "can_check": scope_for(request.user, Perm.HEALTH_CHECK).contains(order.place_path)
            and order.status == "active",
            "change_form": ChangeForm(),
        },
    )


@require_POST
@require_perm(Perm.ISOLATION_ORDER)
def order_change_view(request: ScopedRequest, pk: int) -> HttpResponse:
    order = get_order_for_user(user=request.user, pk=pk, perm=Perm.ISOLATION_ORDER)
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
    override = get_override_for_user(user=request.user, pk=pk, perm=Perm.STATUS_APPROVE)
    if override.status != OverrideStatus.PENDING:
        raise Http404
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
    order = get_order_for_user(user=request.user, pk=pk, perm=Perm.HEALTH_CHECK)
    if order.status != "active":
        raise Http404
    form = StaffCheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        method = data.pop("method")
        try:
            if method == NOT_REACHED:
                check = check_not_reached(actor=request.user, order=order, notes=data["notes"], request=request)
            else:
                check = check_record(
                    actor=request.user, order=order, data=CheckData(**data), method=method, request=request
                )
        except ValidationError as error:
            form_errors(form, error)
        else:
            if not check.reached:
                messages.warning(request, _("Not reached: the check stays due. Try again later."))
            elif check.abnormal:
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


@require_perm(Perm.HEALTH_VIEW)
def notice_pdf(request: ScopedRequest, pk: int) -> HttpResponse:
    order = get_order_for_user(user=request.user, pk=pk, perm=Perm.HEALTH_VIEW)
    order_view_record(actor=request.user, order=order, what="notice", request=request)
    response = HttpResponse(notices.order_notice(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{order.pk}.pdf"'
    return response


@require_perm(Perm.HEALTH_VIEW)
def check_source(request: ScopedRequest, pk: int) -> HttpResponse:
    """Where a help request made from a check points back to: the check on its order's page
    (health roles only; 404 for everyone else, like a check that does not exist)."""
    check = get_check_for_user(user=request.user, pk=pk, perm=Perm.HEALTH_VIEW)
    return redirect(reverse("monitoring:order", args=[check.order_id]) + f"#check-{check.pk}")
