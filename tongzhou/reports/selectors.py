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
    spread = max(counts.values(), default=1) / min(counts.values(), default=1)
    return {
        "counts": [(PlaceKind(k).label, counts[k]) for k in kinds],
        "households": household_count(scope),
        "chart": {
            "tooltip": {},
            "grid": {"left": 50, "right": 10, "top": 30, "bottom": 50},
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
