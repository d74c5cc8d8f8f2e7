"""The alert inbox: one list for every kind a user may see (open or closed, by kind) and one page
per alert with its close form. Phone first."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongzhou.accounts.access import logged_in
from tongzhou.alerts.forms import AlertCloseForm
from tongzhou.alerts.kinds import kind_of
from tongzhou.alerts.models import Alert, AlertStatus
from tongzhou.alerts.selectors import get_alert_for_user, inbox_for_user, kinds_for_user, may_close
from tongzhou.alerts.services import alert_close
from tongzhou.core.forms import form_errors


def _row(user: Any, alert: Alert) -> dict[str, Any]:
    kind = kind_of(alert.kind)
    url = ""
    if kind and kind.subject_url and alert.subject_id is not None:
        try:
            url = reverse(kind.subject_url, args=[alert.subject_id])
        except NoReverseMatch:
            url = ""
    return {
        "a": alert,
        "kind": kind,
        "summary": kind.describe(alert.details) if kind and kind.describe and alert.details else "",
        "subject_url": url,
        "can_close": may_close(user, alert, kind),
    }


# Access: any logged-in account, then the kinds it may see; none at all and the page is a 404,
# as for a permission held nowhere.
@logged_in
def inbox(request: HttpRequest) -> HttpResponse:
    kinds = kinds_for_user(request.user)
    if not kinds:
        raise Http404
    status = request.GET.get("status", AlertStatus.OPEN)
    if status not in (*AlertStatus.values, "all"):
        status = AlertStatus.OPEN
    kind = request.GET.get("kind", "")
    if kind not in {k.key for k in kinds}:
        kind = ""
    rows = inbox_for_user(user=request.user, status="" if status == "all" else status, kind=kind)
    page = Paginator(rows, settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {key: value for key, value in (("status", status), ("kind", kind)) if value}
    return render(
        request,
        "alerts/inbox.html",
        {
            "rows": [_row(request.user, a) for a in page.object_list],
            "page_obj": page,
            "kinds": kinds,
            "status": status,
            "kind": kind,
            "statuses": [(AlertStatus.OPEN, _("Open")), (AlertStatus.CLOSED, _("Closed")), ("all", _("All"))],
            "query_prefix": urlencode(query) + "&" if query else "",
            "back": request.get_full_path(),
        },
    )


@logged_in
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One alert and, for who may close it, the close form. A POST closes it."""
    alert = get_alert_for_user(user=request.user, pk=pk)
    row = _row(request.user, alert)
    kind = row["kind"]
    form = AlertCloseForm(request.POST if request.method == "POST" else None, kind=kind) if kind else None
    if request.method == "POST":
        # The inbox's inline forms send where to go back to (the list with its filters).
        back = request.POST.get("back", "")
        from_list = back.startswith("/alerts/") and url_has_allowed_host_and_scheme(back, {request.get_host()})
        target = back if from_list else reverse("alerts:inbox")
        if form is None or not row["can_close"]:
            messages.error(request, _("You may not close this alert."))
            return redirect(target)
        if form.is_valid():
            try:
                alert_close(
                    actor=request.user,  # type: ignore[arg-type]
                    alert=alert,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )
            except PermissionDenied:
                messages.error(request, _("You may not close this alert."))
                return redirect(target)
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Alert closed."))
                return redirect(target)
        if from_list:  # the list shows the error above it, naming the field and the alert
            problems = [
                f"{form.fields[name].label}{pgettext('label separator', ': ')}{error}"
                if name in form.fields
                else str(error)
                for name, errors in form.errors.items()
                for error in errors
            ]
            messages.error(
                request,
                _("Alert #%(n)s was not closed: %(problems)s") % {"n": alert.pk, "problems": " ".join(problems)},
            )
            return redirect(target)
    return render(request, "alerts/detail.html", {**row, "form": form})
