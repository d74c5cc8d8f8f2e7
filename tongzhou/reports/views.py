from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, logged_in, require_perm
from tongzhou.accounts.selectors import scope_for, user_roles
from tongzhou.assistance.selectors import help_figures
from tongzhou.checkpoints.selectors import gate_figures
from tongzhou.core.db_router import replica_reads
from tongzhou.core.figures import Day, figure
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.monitoring.selectors import monitoring_figures
from tongzhou.places.models import Place
from tongzhou.places.selectors import scope_roots
from tongzhou.reports.audit import ReportsAudit
from tongzhou.reports.documents import report_pdf, report_xlsx
from tongzhou.reports.forms import AdjustmentForm, WordsForm
from tongzhou.reports.models import DailyReport
from tongzhou.reports.selectors import (
    REPORTING_KINDS,
    SIGNING_KINDS,
    daily_report,
    dashboard_figures,
    get_report_place_for_user,
    landing_url,
    rollups,
)
from tongzhou.reports.services import adjustment_add, deadline, reminders_send, report_sign, report_words_save
from tongzhou.supplies.selectors import supplies_figures
from tongzhou.volunteers.selectors import volunteer_figures
from tongzhou.welfare.selectors.plans import figures as welfare_figures


@logged_in
def landing(request: HttpRequest) -> HttpResponse:
    """Each role starts where its work is (see `landing_url`)."""
    return redirect(landing_url(request.user))


@replica_reads
@require_perm(Perm.DASHBOARD_VIEW)
def dashboard(request: ScopedRequest) -> HttpResponse:
    return render(
        request,
        "reports/dashboard.html",
        {
            "figures": dashboard_figures(request.scope),
            "roles": user_roles(request.user),
            "health": monitoring_figures(health_scope)
            if not (health_scope := scope_for(request.user, Perm.HEALTH_VIEW)).is_empty
            else None,
            "help": help_figures(help_scope)
            if not (help_scope := scope_for(request.user, Perm.HELP_MANAGE)).is_empty
            else None,
            "gates": gate_figures(gates_scope)
            if not (gates_scope := scope_for(request.user, Perm.GATES_MANAGE)).is_empty
            else None,
            "volunteers": volunteer_figures(volunteers_scope)
            if not (volunteers_scope := scope_for(request.user, Perm.VOLUNTEERS_MANAGE)).is_empty
            else None,
            "welfare": welfare_figures(welfare_scope)
            if not (welfare_scope := scope_for(request.user, Perm.WELFARE_MANAGE)).is_empty
            else None,
            "supplies": supplies_figures(supplies_scope)
            if not (supplies_scope := scope_for(request.user, Perm.SUPPLIES_VIEW)).is_empty
            else None,
        },
    )


# The daily report (日报).


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404 from None


@replica_reads
@require_perm(Perm.REPORT_VIEW)
def daily_home(request: ScopedRequest) -> HttpResponse:
    """Today's report of the broadest place the user reads reports for."""
    for place in scope_roots(request.scope):
        if place.kind in REPORTING_KINDS and place.code:
            return redirect("reports:daily", code=place.code, day=timezone.localdate().isoformat())
    raise Http404


@replica_reads
@require_perm(Perm.REPORT_VIEW)
def daily(request: ScopedRequest, code: str, day: str) -> HttpResponse:
    place = get_report_place_for_user(user=request.user, code=code, perm=Perm.REPORT_VIEW)
    when = _day(day)
    view = daily_report(place, when)
    may_sign = place.kind in SIGNING_KINDS and scope_for(request.user, Perm.REPORT_SIGN).contains(place.path)
    return render(
        request,
        "reports/daily.html",
        {
            "view": view,
            "day": when,
            "previous": (when - timedelta(days=1)).isoformat(),
            # No day after today: a report of the future has nothing in it.
            "next": (when + timedelta(days=1)).isoformat() if when < timezone.localdate() else None,
            "may_sign": may_sign,
            "words": WordsForm(initial=_words_of(view.current)) if may_sign else None,
            "adjust": AdjustmentForm() if may_sign else None,
            "deadline": deadline(place, when),
        },
    )


def _words_of(report: DailyReport | None) -> dict[str, str]:
    if report is None:
        return {}
    return {"key_work": report.key_work, "difficulties": report.difficulties, "requests": report.requests}


@replica_reads
@require_perm(Perm.REPORT_VIEW)
def daily_drill(request: ScopedRequest, code: str, day: str, key: str) -> HttpResponse:
    """The rows a figure counts for the place and day, masked, with the snapshot's time; each
    look is written to the audit log."""
    place = get_report_place_for_user(user=request.user, code=code, perm=Perm.REPORT_VIEW)
    when = _day(day)
    fig = figure(key)
    if fig is None:
        raise Http404
    rows = fig.drill(Day.of(when), place.path)
    shown = list(rows[:DRILL_LIMIT])
    total = len(shown) if len(shown) < DRILL_LIMIT else rows.count()
    roll = rollups(place, [when])[when]
    audit_log(
        action=ReportsAudit.FIGURE_DRILLED,
        actor=request.user,
        place_path=place.path,
        request=request,
        details={"figure": key, "day": when.isoformat()},
    )
    return render(
        request,
        "reports/drill.html",
        {
            "place": place,
            "day": when,
            "figure": fig,
            "headings": [c.label for c in fig.columns],
            "rows": [[c.value(row) for c in fig.columns] for row in shown],
            "total": total,
            "limit": DRILL_LIMIT,
            "counted": roll.totals.values.get(key) if roll.communities else None,
            "as_of": roll.taken_at,
        },
    )


DRILL_LIMIT = 200


def _back(place: Place, when: date) -> HttpResponse:
    return redirect("reports:daily", code=place.code, day=when.isoformat())


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


@require_POST
@require_perm(Perm.REPORT_SIGN)
def daily_sign(request: ScopedRequest, code: str, day: str) -> HttpResponse:
    place = get_report_place_for_user(user=request.user, code=code, perm=Perm.REPORT_SIGN)
    when = _day(day)
    try:
        report = report_sign(actor=request.user, place=place, day=when)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Signed (version %(version)s).") % {"version": report.version})
    return _back(place, when)


@require_POST
@require_perm(Perm.REPORT_SIGN)
def daily_words(request: ScopedRequest, code: str, day: str) -> HttpResponse:
    place = get_report_place_for_user(user=request.user, code=code, perm=Perm.REPORT_SIGN)
    when = _day(day)
    form = WordsForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(str(e) for e in errors)}")
        return _back(place, when)
    try:
        report_words_save(actor=request.user, place=place, day=when, **form.cleaned_data)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Saved."))
    return _back(place, when)


@require_POST
@require_perm(Perm.REPORT_SIGN)
def daily_adjust(request: ScopedRequest, code: str, day: str) -> HttpResponse:
    place = get_report_place_for_user(user=request.user, code=code, perm=Perm.REPORT_SIGN)
    when = _day(day)
    form = AdjustmentForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(str(e) for e in errors)}")
        return _back(place, when)
    try:
        adjustment_add(
            actor=request.user,
            place=place,
            day=when,
            figure_key=form.cleaned_data["figure"],
            delta=form.cleaned_data["delta"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Adjustment added."))
    return _back(place, when)


@require_POST
@require_perm(Perm.REPORT_SIGN)
def daily_remind(request: ScopedRequest, code: str, day: str) -> HttpResponse:
    place = get_report_place_for_user(user=request.user, code=code, perm=Perm.REPORT_SIGN)
    when = _day(day)
    sent = reminders_send(actor=request.user, place=place, day=when, unsigned=daily_report(place, when).unsigned)
    messages.success(request, _("%(n)s reminders sent.") % {"n": sent})
    return _back(place, when)


@replica_reads
@require_perm(Perm.REPORT_VIEW)
def daily_export(request: ScopedRequest, code: str, day: str, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    place = get_report_place_for_user(user=request.user, code=code, perm=Perm.REPORT_VIEW)
    when = _day(day)
    view = daily_report(place, when)
    audit_log(
        action=ReportsAudit.REPORT_EXPORTED,
        actor=request.user,
        place_path=place.path,
        request=request,
        details={"day": when.isoformat(), "format": fmt},
    )
    name = f"daily-{place.code}-{when.isoformat()}"
    if fmt == "xlsx":
        response = HttpResponse(
            report_xlsx(view), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(report_pdf(view), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
