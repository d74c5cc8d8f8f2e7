"""The register's figures for the daily report (see tongzhou/core/figures.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhou.core.figures import Column, Figure, register_figures
from tongzhou.core.pii import mask_name

RESIDENTS = Figure(
    key="residents",
    label=_("Residents"),
    doc=_("People on the register who had not moved out by the day and were not merged into another record."),
    model="people.Person",
    path_field="place_path",
    rows=lambda d: Q(merged_into__isnull=True) & (Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=d.day)),
    columns=(Column(_("name"), lambda p: mask_name(p.name)), Column(_("moved in on"), lambda p: p.moved_in_on or "")),
    reproducible=False,
    why_not=_("the register keeps who lives here now: records removed or merged since are not kept as they were"),
    order=10,
    section=_("Residents"),
)

register_figures(RESIDENTS)
