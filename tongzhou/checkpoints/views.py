"""Pages of closed management: levels (list, overview, asking and approving), gates and their
devices, passes (issue, print, revoke), the passage log with its hourly chart, fever alerts and
visitors. The guard's scan page is in pwa.py."""

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, require_perm
from tongzhou.accounts.selectors import scope_for
from tongzhou.checkpoints import documents
from tongzhou.checkpoints.forms import (
    ControlForm,
    DecideForm,
    DeviceForm,
    GateForm,
    IssueForm,
    PassageFilterForm,
    RevokeForm,
    VisitorForm,
)
from tongzhou.checkpoints.models import ControlLevel, PassStatus
from tongzhou.checkpoints.selectors import (
    PassageFilter,
    active_pass_counts,
    active_passes_under,
    compounds_in_scope,
    control_history,
    gate_households,
    gates_in_scope,
    get_control_change_for_user,
    get_gate_for_user,
    get_pass_for_user,
    hourly_counts,
    household_count_under,
    households_matching,
    level_area_counts,
    levels_tree,
    overdue_outings,
    passages,
    passes_under,
    pending_changes,
    treemap_data,
)
from tongzhou.checkpoints.services import (
    CONTROLLABLE_KINDS,
    control_decide,
    control_request,
    device_create,
    gate_create,
    pass_revoke,
    passes_issue,
    visitor_register,
)
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.places.selectors import get_place_for_user, natural_key, scope_roots

LEVEL_COLOURS = {
    ControlLevel.NONE: "#198754",
    ControlLevel.PRECAUTION: "#0dcaf0",
    ControlLevel.CONTROLLED: "#fd7e14",
    ControlLevel.SEALED: "#dc3545",
}


def _root(request: ScopedRequest) -> Place:
    roots = scope_roots(request.scope)
    wanted = request.GET.get("place")
    if wanted and wanted.isdigit():
        return get_place_for_user(user=request.user, pk=int(wanted), perm=Perm.PLACES_VIEW)
    return roots[0]


@require_perm(Perm.PLACES_VIEW)
def levels(request: ScopedRequest) -> HttpResponse:
    """Current levels down the tree from one of the user's places: a list and a treemap."""
    root = _root(request)
    rows = levels_tree(root, request.scope, depth=4)
    can_set = (
        scope_for(request.user, Perm.CONTROL_SET).contains(root.path)
        or not scope_for(request.user, Perm.CONTROL_SET).is_empty
    )
    set_scope = scope_for(request.user, Perm.CONTROL_SET)
    choices = [
        (r.place.pk, "　" * (r.place.depth - root.depth) + r.place.name)
        for r in rows
        if r.place.kind in CONTROLLABLE_KINDS and set_scope.contains(r.place.path)
    ]
    form = ControlForm(places=choices) if can_set and choices else None
    approve_scope = scope_for(request.user, Perm.CONTROL_APPROVE)
    chart = {
        "tooltip": {},
        "series": [
            {
                "type": "treemap",
                # The breadcrumb's first step names the root (unnamed, it was a bare dark square).
                "name": root.name,
                "roam": False,
                "nodeClick": "zoomToNode",
                "leafDepth": 2,
                "label": {"show": True},
                "upperLabel": {"show": True, "height": 22},
                # Level 0 is the series' root, named by the breadcrumb already.
                "levels": [{"itemStyle": {"gapWidth": 2}, "upperLabel": {"show": False}}],
                "data": _coloured(treemap_data(rows)),
            }
        ],
    }
    return render(
        request,
        "checkpoints/levels.html",
        {
            "root": root,
            "roots": scope_roots(request.scope),
            "rows": [r for r in rows if r.place.kind != PlaceKind.BUILDING or r.own != ControlLevel.NONE],
            "counts": [
                (ControlLevel(k).label, v, LEVEL_COLOURS[ControlLevel(k)])
                for k, v in level_area_counts(Scope.of([root.path])).items()
            ],
            "chart": chart,
            "form": form,
            "pending": pending_changes(approve_scope) if not approve_scope.is_empty else [],
            "history": control_history(request.scope, under=root)[:30],
            "colours": LEVEL_COLOURS,
            "user_id": request.user.pk,
        },
    )


def _coloured(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for node in nodes:
        node["itemStyle"] = {"color": LEVEL_COLOURS[ControlLevel(node["strictest"])]}
        if "children" in node:
            _coloured(node["children"])
    return nodes


@require_POST
@require_perm(Perm.CONTROL_SET)
def level_request(request: ScopedRequest) -> HttpResponse:
    place = get_place_for_user(user=request.user, pk=request.POST.get("place") or 0, perm=Perm.CONTROL_SET)
    form = ControlForm(request.POST, places=[(place.pk, place.name)])
    if form.is_valid():
        try:
            change = control_request(
                actor=request.user,
                place=place,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
                evidence=form.cleaned_data["evidence"],
                planned_end=form.cleaned_data["planned_end"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if change.status == "pending":
                messages.success(request, _("Asked. It takes effect when a second person approves it."))
            else:
                messages.success(
                    request, _("%(place)s is now: %(level)s.") % {"place": place, "level": change.get_level_display()}
                )
    else:
        messages.error(
            request, " ".join(f"{form.fields[f].label}: {' '.join(map(str, e))}" for f, e in form.errors.items())
        )
    return redirect(f"{_levels_url()}?place={place.pk}")


def _levels_url() -> str:
    from django.urls import reverse

    return reverse("checkpoints:levels")


@require_POST
@require_perm(Perm.CONTROL_APPROVE)
def level_decide(request: ScopedRequest, pk: int) -> HttpResponse:
    change = get_control_change_for_user(user=request.user, pk=pk, perm=Perm.CONTROL_APPROVE)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            control_decide(
                actor=request.user, change=change, approve=form.cleaned_data["approve"], note=form.cleaned_data["note"]
            )
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not decide this."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Decided."))
    return redirect(_levels_url())


@require_perm(Perm.GATES_MANAGE)
def gates(request: ScopedRequest) -> HttpResponse:
    compounds = compounds_in_scope(request.scope)
    choices = [(c.pk, c.name) for c in compounds]
    gate_list = list(gates_in_scope(request.scope))
    form = GateForm(request.POST or None, compounds=choices)
    device_form = DeviceForm(gates=gates_in_scope(request.scope))
    if request.method == "POST" and form.is_valid():
        compound = get_place_for_user(user=request.user, pk=form.cleaned_data["compound"], perm=Perm.GATES_MANAGE)
        if compound.kind != PlaceKind.COMPOUND:
            raise Http404
        try:
            gate_create(
                actor=request.user,
                compound=compound,
                name=form.cleaned_data["name"],
                opens=form.cleaned_data["opens"],
                closes=form.cleaned_data["closes"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Gate added; its duty post is ready for the roster."))
            return redirect("checkpoints:gates")
    shown = list(compounds[:50])
    pass_counts = active_pass_counts(shown)
    return render(
        request,
        "checkpoints/gates.html",
        {
            "gates": gate_list,
            "form": form,
            "device_form": device_form,
            "compounds": [(c, pass_counts.get(c.pk)) for c in shown],
        },
    )


@require_POST
@require_perm(Perm.GATES_MANAGE)
def device_new(request: ScopedRequest) -> HttpResponse:
    form = DeviceForm(request.POST, gates=gates_in_scope(request.scope))
    if not form.is_valid():
        messages.error(request, _("Name the device and choose its gates."))
        return redirect("checkpoints:gates")
    try:
        device, raw = device_create(
            actor=request.user, name=form.cleaned_data["name"], gates=list(form.cleaned_data["gates"])
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("checkpoints:gates")
    return render(request, "checkpoints/device_token.html", {"device": device, "token": raw})


@require_perm(Perm.GATES_MANAGE)
def pass_list(request: ScopedRequest, place_id: int) -> HttpResponse:
    """The passes of a compound or building: issue the missing ones, print, revoke."""
    place = get_place_for_user(user=request.user, pk=place_id, perm=Perm.GATES_MANAGE)
    form = IssueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = passes_issue(actor=request.user, place=place, valid_until=form.cleaned_data["valid_until"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(n)d passes issued.") % {"n": len(issued)})
            return redirect("checkpoints:passes", place_id=place.pk)
    rows = passes_under(place)
    page = Paginator(rows, settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page"))
    households = household_count_under(place)
    active = rows.filter(status=PassStatus.ACTIVE).count()
    return render(
        request,
        "checkpoints/passes.html",
        {
            "place": place,
            "page_obj": page,
            "form": form,
            "households": households,
            "active": active,
            "missing": max(households - active, 0),
            "buildings": place.children.filter(kind=PlaceKind.BUILDING).order_by("name")
            if place.kind == PlaceKind.COMPOUND
            else [],
        },
    )


@require_perm(Perm.GATES_MANAGE)
def pass_cards(request: ScopedRequest, place_id: int) -> HttpResponse:
    place = get_place_for_user(user=request.user, pk=place_id, perm=Perm.GATES_MANAGE)
    rows = list(active_passes_under(place))
    compound = place
    while compound.kind not in (PlaceKind.COMPOUND, PlaceKind.COMMUNITY) and compound.parent_id:
        compound = compound.parent  # type: ignore[assignment]
    response = HttpResponse(documents.pass_cards(rows, compound.name), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="passes-{place.pk}.pdf"'
    return response


@require_POST
@require_perm(Perm.GATES_MANAGE)
def pass_revoke_view(request: ScopedRequest, pk: int) -> HttpResponse:
    pass_ = get_pass_for_user(user=request.user, pk=pk, perm=Perm.GATES_MANAGE)
    form = RevokeForm(request.POST)
    back = request.POST.get("back") or ""
    if form.is_valid():
        try:
            new = pass_revoke(
                actor=request.user,
                pass_=pass_,
                reason=form.cleaned_data["reason"],
                reissue=form.cleaned_data["reissue"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Pass revoked; new pass No. %(n)d issued.") % {"n": new.pk} if new else _("Pass revoked.")
            )
    else:
        messages.error(request, _("Give a reason for revoking."))
    if back.isdigit():
        return redirect("checkpoints:passes", place_id=int(back))
    return redirect("checkpoints:gates")


def _passage_filter(form: PassageFilterForm, scope: Any) -> PassageFilter:
    if not form.is_valid():
        day = timezone.localdate()
        return PassageFilter(start=timezone.make_aware(datetime.combine(day, time.min)))
    data = form.cleaned_data
    day = data.get("day") or timezone.localdate()
    start = timezone.make_aware(datetime.combine(day, time.min))
    households = None
    if data.get("q"):
        households = households_matching(scope, data["q"].strip())
    return PassageFilter(
        gate=data.get("gate"),
        start=start,
        end=start + timedelta(days=1),
        result="" if data.get("result") in (None, "") else data["result"],
        households=households,
    )


@require_perm(Perm.GATES_MANAGE)
def passage_log(request: ScopedRequest) -> HttpResponse:
    gate_choices = [(g.pk, f"{g.place.name} {g.name}") for g in gates_in_scope(request.scope)]
    form = PassageFilterForm(request.GET or None, gates=gate_choices)
    selected = _passage_filter(form, request.scope)
    rows = passages(request.scope, selected)
    hours = hourly_counts(rows)
    page = Paginator(rows, settings.TONGZHOU_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Allowed"), _("Refused")]},
        "grid": {"left": 40, "right": 10, "bottom": 30, "top": 30},
        "xAxis": {"type": "category", "data": [h["hour"][-5:] for h in hours]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": _("Allowed"),
                "type": "bar",
                "stack": "n",
                "data": [h["allowed"] for h in hours],
                "color": "#198754",
            },
            {
                "name": _("Refused"),
                "type": "bar",
                "stack": "n",
                "data": [h["refused"] for h in hours],
                "color": "#dc3545",
            },
        ],
    }
    return render(
        request,
        "checkpoints/passages.html",
        {
            "form": form,
            "page_obj": page,
            "chart": chart,
            "total": sum(h["allowed"] + h["refused"] for h in hours),
            "refused": sum(h["refused"] for h in hours),
            "overdue": overdue_outings(request.scope),
            "outing_hours": settings.TONGZHOU_OUTING_HOURS,
            "query_prefix": (query.urlencode() + "&") if query else "",
        },
    )


@require_perm(Perm.GATE_SCAN)
def visitor_new(request: ScopedRequest, gate_id: int) -> HttpResponse:
    gate = get_gate_for_user(user=request.user, pk=gate_id, perm=Perm.GATE_SCAN)
    households = gate_households(gate)
    choices = sorted(((h.pk, _household_name(h)) for h in households), key=lambda choice: natural_key(choice[1]))
    form = VisitorForm(request.POST or None, households=choices)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = visitor_register(
                actor=request.user,
                gate=gate,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                reason=form.cleaned_data["reason"],
                household=households.filter(pk=form.cleaned_data["household"]).first(),
                temperature=form.cleaned_data["temperature"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            form = VisitorForm(households=choices)
    return render(request, "checkpoints/visitor.html", {"gate": gate, "form": form, "result": result})


def _household_name(h: Household) -> str:
    building = h.place.parent.name if h.place.kind == PlaceKind.UNIT and h.place.parent else ""
    return f"{building}{h.place.name} {h.room}"


@require_perm(Perm.GATE_SCAN)
def my_gates(request: ScopedRequest) -> HttpResponse:
    """A guard's start page: the gates they may scan at."""
    return render(request, "checkpoints/my_gates.html", {"gates": gates_in_scope(request.scope)})
