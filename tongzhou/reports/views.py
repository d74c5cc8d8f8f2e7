from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tongzhou.accounts.access import ScopedRequest, logged_in, require_perm
from tongzhou.accounts.selectors import scope_for, user_roles
from tongzhou.assistance.selectors import help_figures
from tongzhou.checkpoints.selectors import gate_figures
from tongzhou.core.permissions import Perm
from tongzhou.monitoring.selectors import monitoring_figures
from tongzhou.reports.selectors import dashboard_figures, landing_url
from tongzhou.supplies.selectors import supplies_figures
from tongzhou.volunteers.selectors import volunteer_figures
from tongzhou.welfare.selectors import figures as welfare_figures


@logged_in
def landing(request: HttpRequest) -> HttpResponse:
    """Each role starts where its work is (see `landing_url`)."""
    return redirect(landing_url(request.user))


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
