"""Open alerts as a figure of the daily report (see tongzhou/core/figures.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhou.core.figures import Column, Figure, register_figures

ALERTS_OPEN = Figure(
    key="alerts_open",
    label=_("Alerts open"),
    doc=_("Alerts raised before the cut-off and not closed by then."),
    model="alerts.Alert",
    path_field="place_path",
    rows=lambda d: Q(created_at__lt=d.cutoff) & (Q(closed_at__isnull=True) | Q(closed_at__gte=d.cutoff)),
    columns=(Column(_("kind"), lambda a: a.kind_label), Column(_("raised at"), lambda a: a.created_at)),
    order=30,
    section=_("Alerts"),
)

register_figures(ALERTS_OPEN)
