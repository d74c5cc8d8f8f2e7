from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tongzhou.accounts.selectors import scope_for
from tongzhou.core.permissions import Perm
from tongzhou.core.transitions import may_decide_any, waiting_count
from tongzhou.places.selectors import scope_roots


def _navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    places = scope_for(user, Perm.PLACES_VIEW)
    approvals = may_decide_any(user)
    return {
        "can": {
            "dashboard": not scope_for(user, Perm.DASHBOARD_VIEW).is_empty,
            "daily_report": not scope_for(user, Perm.REPORT_VIEW).is_empty,
            "places": not places.is_empty,
            "roles": not scope_for(user, Perm.ROLES_GRANT).is_empty,
            "people": not scope_for(user, Perm.PEOPLE_VIEW).is_empty,
            "help": not scope_for(user, Perm.HELP_CLAIM).is_empty,
            "health": not scope_for(user, Perm.HEALTH_VIEW).is_empty,
            "volunteers": not scope_for(user, Perm.VOLUNTEERS_MANAGE).is_empty,
            "volunteer_self": not scope_for(user, Perm.VOLUNTEER_SELF).is_empty,
            "audit": not scope_for(user, Perm.AUDIT_VIEW).is_empty,
            "gates": not scope_for(user, Perm.GATES_MANAGE).is_empty,
            "levels": not scope_for(user, Perm.CONTROL_APPROVE).is_empty,
            "scan": not scope_for(user, Perm.GATE_SCAN).is_empty,
            "approvals": approvals,
            "testing": not scope_for(user, Perm.TESTING_SAMPLE).is_empty,
            "welfare": not scope_for(user, Perm.WELFARE_MANAGE).is_empty,
            "welfare_self": not scope_for(user, Perm.VOLUNTEER_SELF).is_empty
            or not scope_for(user, Perm.GATE_SCAN).is_empty,
            "welfare_unit": not scope_for(user, Perm.WELFARE_UNIT).is_empty,
            "notices": not scope_for(user, Perm.NOTICES_SEND).is_empty
            or not scope_for(user, Perm.NOTICES_VISIT).is_empty,
            "supplies": not scope_for(user, Perm.SUPPLIES_VIEW).is_empty,
        },
        "waiting": waiting_count(user) if approvals else 0,
        "roots": scope_roots(places)[:20],
    }


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries by role and the place switcher; computed only if a template uses them."""
    if not request.user.is_authenticated:
        return {}
    return {"nav": SimpleLazyObject(lambda: _navigation(request))}
