from typing import Any

from django.utils.translation import gettext as _

from tongzhou.core.scope import Scope
from tongzhou.places.models import PlaceKind
from tongzhou.places.selectors import household_count, kind_counts


def dashboard_figures(scope: Scope) -> dict[str, Any]:
    """Counts for the dashboard shell: places by kind and households in the user's scope. Two
    queries, whatever the size of the scope."""
    counts = kind_counts(scope)
    kinds = [k for k in PlaceKind.values if counts.get(k)]
    return {
        "counts": [(PlaceKind(k).label, counts[k]) for k in kinds],
        "households": household_count(scope),
        "chart": {
            "tooltip": {},
            "grid": {"left": 60, "right": 20, "top": 20, "bottom": 30},
            "xAxis": {"type": "category", "data": [str(PlaceKind(k).label) for k in kinds]},
            "yAxis": {"type": "log", "name": _("places")},
            "series": [{"type": "bar", "data": [counts[k] for k in kinds], "itemStyle": {"color": "#c0392b"}}],
        },
    }
