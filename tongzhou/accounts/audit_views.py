"""The audit log page: who did what, for the auditor of a place (accounts' AUDIT_VIEW role)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from tongzhou.accounts.access import ScopedRequest, require_perm
from tongzhou.accounts.forms import AuditFilterForm
from tongzhou.core import audit
from tongzhou.core.permissions import Perm
from tongzhou.core.selectors import audit_events


@require_perm(Perm.AUDIT_VIEW)
def audit_list(request: ScopedRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    form.is_valid()  # the valid filters are in cleaned_data, a bad one is left out
    action = form.cleaned_data.get("action") or ""
    actor = form.cleaned_data.get("actor") or ""
    day = form.cleaned_data.get("day")
    known = action if audit.is_registered(action) else ""
    events = audit_events(request.scope, action=known, actor=actor, day=day)
    page = Paginator(events, settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_list.html",
        {
            "page_obj": page,
            "actions": audit.choices(),
            "action": action,
            "actor": actor,
            "day": request.GET.get("day", ""),
            "query_prefix": (query.urlencode() + "&") if query else "",
        },
    )
