"""Gate passages as figures of the daily report (see tongzhou/core/figures.py)."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhou.core.figures import Column, Day, Figure, Watch, register_figures


def _scanned(d: Day) -> Q:
    return Q(scanned_at__gte=d.start, scanned_at__lt=d.cutoff)


# No names: a passage row shows the gate, the time and the answer.
_COLUMNS = (
    Column(_("gate"), lambda p: p.gate.name),
    Column(_("scanned at"), lambda p: p.scanned_at),
    Column(_("direction"), lambda p: p.get_direction_display()),
    Column(_("temperature"), lambda p: p.temperature if p.temperature is not None else ""),
    Column(_("reason"), lambda p: p.get_reason_display()),
)
_SECTION = _("Gates")

PASSAGES = Figure(
    key="passages",
    label=_("Gate passages"),
    doc=_("Scans at the gates between midnight and the cut-off (device time)."),
    model="checkpoints.Passage",
    path_field="place_path",
    rows=_scanned,
    columns=_COLUMNS,
    select_related=("gate",),
    order=40,
    section=_SECTION,
)

REFUSALS = Figure(
    key="refusals",
    label=_("Refused at the gate"),
    doc=_("Scans answered 'may not pass', between midnight and the cut-off."),
    model="checkpoints.Passage",
    path_field="place_path",
    rows=lambda d: _scanned(d) & Q(allowed=False),
    columns=_COLUMNS,
    select_related=("gate",),
    order=41,
    section=_SECTION,
)

FEVERS = Figure(
    key="fevers",
    label=_("Fevers at the gate"),
    doc=_(
        "Scans with a temperature at or above the fever threshold (TONGZHOU_FEVER_CELSIUS), "
        "between midnight and the cut-off."
    ),
    model="checkpoints.Passage",
    path_field="place_path",
    rows=lambda d: _scanned(d) & Q(temperature__gte=Decimal(str(settings.TONGZHOU_FEVER_CELSIUS))),
    columns=_COLUMNS,
    select_related=("gate",),
    watch=Watch.DOUBLED,
    order=42,
    section=_SECTION,
)

register_figures(PASSAGES, REFUSALS, FEVERS)
