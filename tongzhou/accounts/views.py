from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, logged_in, public, require_perm
from tongzhou.accounts.forms import GrantForm, RevealForm
from tongzhou.accounts.models import RoleAssignment
from tongzhou.accounts.selectors import (
    get_member_for_user,
    get_role_assignment_for_user,
    role_assignments_in_scope,
    scope_for,
)
from tongzhou.accounts.services import (
    GrantRefused,
    login_failure_record,
    login_record,
    logout_record,
    member_add,
    pii_reveal,
    role_revoke,
    roles_grantable,
)
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.pii import mask_phone
from tongzhou.core.ratelimit import rate_count, rate_hit
from tongzhou.core.services import client_ip
from tongzhou.places.selectors import breadcrumbs, get_place_for_user

DEMO_USERS = [
    "street_admin",
    "street_deputy",
    "taian_staff",
    "songhua_staff",
    "dongfeng_staff",
    "volunteer",
    "guard",
    "building_lead",
    "health_officer",
    "auditor",
    "welfare_officer",
    "unit_contact",
]


ADDRESS_FAILURES = "login-failures-per-address"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Refused before the password is even checked, so a right guess tells nothing either.
        address = client_ip(request) or ""
        if rate_count(ADDRESS_FAILURES, address) >= settings.TONGZHOU_LOGIN_FAILURES_PER_ADDRESS:
            return render(request, "accounts/locked_out.html", {"address": True}, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        login_record(user=form.get_user(), request=self.request)
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        login_failure_record(username=self.request.POST.get("username", ""), request=self.request)
        rate_hit(ADDRESS_FAILURES, client_ip(self.request) or "", window_seconds=3600)
        return super().form_invalid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_users"] = DEMO_USERS if settings.TONGZHOU_DEMO else []
        return context


@public
def logout_view(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST" and request.user.is_authenticated:
        logout_record(user=request.user, request=request)
    return auth_views.LogoutView.as_view()(request)


@require_perm(Perm.ROLES_GRANT)
def roles_list(request: ScopedRequest) -> HttpResponse:
    page = Paginator(role_assignments_in_scope(request.scope), settings.TONGZHOU_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(a, mask_phone(a.user.phone) if a.user.phone else "") for a in page]
    return render(
        request,
        "accounts/roles.html",
        {"page_obj": page, "rows": rows, "can_reveal": not scope_for(request.user, Perm.PII_REVEAL).is_empty},
    )


@require_perm(Perm.ROLES_GRANT)
def place_members(request: ScopedRequest, pk: int) -> HttpResponse:
    place = get_place_for_user(user=request.user, pk=pk, perm=Perm.ROLES_GRANT)
    form = GrantForm(request.POST or None, roles=roles_grantable(actor=request.user, place=place))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = member_add(
                actor=request.user,
                place=place,
                role=data["role"],
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
                request=request,
            )
        except GrantRefused as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("%(user)s is now %(role)s at %(place)s.")
                % {"user": user, "role": Role(data["role"]).label, "place": place.name},
            )
            return redirect("accounts:place_members", pk=place.pk)
    assignments = (
        RoleAssignment.objects.filter(place=place)
        .select_related("user", "granted_by")
        .order_by("role", "user__username")
    )
    return render(
        request,
        "accounts/place_members.html",
        {
            "place": place,
            "form": form,
            "assignments": assignments,
            "crumbs": breadcrumbs(place, request.scope),
        },
    )


@require_POST
@require_perm(Perm.ROLES_GRANT)
def role_revoke_view(request: ScopedRequest, pk: int) -> HttpResponse:
    assignment = get_role_assignment_for_user(user=request.user, pk=pk, perm=Perm.ROLES_GRANT)
    try:
        role_revoke(actor=request.user, assignment=assignment, request=request)
    except GrantRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The role was removed."))
    return redirect("accounts:place_members", pk=assignment.place_id)


@never_cache
@require_perm(Perm.PII_REVEAL)
def user_phone_reveal(request: ScopedRequest, pk: int) -> HttpResponse:
    """Ask for a purpose, then show the phone number once (htmx swaps the result in place)."""
    assignment = get_member_for_user(user=request.user, pk=pk, perm=Perm.PII_REVEAL)
    form = RevealForm(request.POST or None)
    value = None
    if request.method == "POST" and form.is_valid():
        value = pii_reveal(
            actor=request.user,
            obj=assignment.user,
            field="phone",
            place_path=assignment.place.path,
            purpose=form.cleaned_data["purpose"],
            request=request,
        )
    return render(request, "accounts/_reveal.html", {"form": form, "value": value, "target": assignment.user})


class PasswordForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


password_change = logged_in(
    PasswordChangeView.as_view(
        form_class=PasswordForm,
        template_name="core/form_page.html",
        success_url=reverse_lazy("root"),
        extra_context={"title": gettext_lazy("Change password"), "cancel_url": reverse_lazy("root")},
    )
)
