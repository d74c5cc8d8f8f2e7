from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from tongzhou.accounts.selectors import scope_for, user_roles
from tongzhou.checkpoints.selectors import gates_in_scope
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.scope import Scope
from tongzhou.places.models import PlaceKind
from tongzhou.places.selectors import household_count, kind_counts


def dashboard_figures(scope: Scope) -> dict[str, Any]:
    """Counts for the dashboard shell: places by kind and households in the user's scope. Two
    queries, whatever the size of the scope."""
    counts = kind_counts(scope)
    kinds = [k for k in PlaceKind.values if counts.get(k)]
    spread = max(counts.values(), default=1) / min(counts.values(), default=1)
    return {
        "counts": [(PlaceKind(k).label, counts[k]) for k in kinds],
        "households": household_count(scope),
        "chart": {
            "tooltip": {},
            "grid": {"left": 30, "right": 10, "top": 30, "bottom": 10, "containLabel": True},
            "xAxis": {
                "type": "category",
                "data": [str(PlaceKind(k).label) for k in kinds],
                "axisLabel": {"interval": 0, "rotate": 30 if len(kinds) > 4 else 0},
            },
            # From a province down to its units the counts span six orders of magnitude.
            "yAxis": {"type": "log" if spread > 1000 else "value", "name": _("places"), "minInterval": 1},
            "series": [{"type": "bar", "data": [counts[k] for k in kinds], "itemStyle": {"color": "#c0392b"}}],
        },
    }


# Where each role's work is, in the order a person holding several roles lands: the broadest work
# first. Roles not named land on the dashboard.
LANDING_ORDER = (
    Role.DISTRICT_ADMIN,
    Role.STREET_ADMIN,
    Role.COMMUNITY_STAFF,
    Role.HEALTH_OFFICER,
    Role.AUDITOR,
    Role.WELFARE_OFFICER,
    Role.GRID_WORKER,
    Role.BUILDING_LEAD,
    Role.WAREHOUSE_KEEPER,
    Role.CHECKPOINT_GUARD,
    Role.VOLUNTEER,
)


def landing_url(user: Any) -> str:
    """The page a user starts on, by the first of their roles in LANDING_ORDER: the dashboard for
    administrators and staff; today's monitoring list for the health officer; the audit log for the
    auditor; the protection plans for the welfare officer; the register of their grid or building
    for grid workers and building leads; the scan page of their gate for a guard (the list of their
    gates when they have several); their shifts for a volunteer."""
    roles = sorted(user_roles(user), key=lambda r: LANDING_ORDER.index(Role(r.role)))
    if not roles:
        return reverse("reports:dashboard")
    first = roles[0]
    if first.role == Role.HEALTH_OFFICER:
        return reverse("monitoring:today")
    if first.role == Role.AUDITOR:
        return reverse("accounts:audit")
    if first.role == Role.WELFARE_OFFICER:
        return reverse("welfare:plans")
    if first.role in (Role.GRID_WORKER, Role.BUILDING_LEAD):
        return f"{reverse('people:register')}?place={first.place_id}"
    if first.role == Role.CHECKPOINT_GUARD:
        gates = list(gates_in_scope(scope_for(user, Perm.GATE_SCAN)).values_list("pk", flat=True)[:2])
        return reverse("checkpoints:scan", args=[gates[0]]) if len(gates) == 1 else reverse("checkpoints:my_gates")
    if first.role == Role.VOLUNTEER:
        return reverse("volunteers:me")
    return reverse("reports:dashboard")
