"""Volunteers on duty and hours served, as figures of the daily report (see tongzhou/core/figures.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhou.core.figures import Column, Figure, register_figures
from tongzhou.core.pii import mask_name

_SECTION = _("Volunteers")

ON_DUTY = Figure(
    key="volunteers_on_duty",
    label=_("Volunteers on duty"),
    doc=_("Shift assignments checked in between midnight and the cut-off, at posts of the community."),
    model="volunteers.Assignment",
    path_field="shift__place_path",
    rows=lambda d: Q(checked_in_at__gte=d.start, checked_in_at__lt=d.cutoff),
    columns=(
        Column(_("name"), lambda a: mask_name(a.volunteer.name)),
        Column(_("post"), lambda a: a.shift.post.name),
        Column(_("checked in"), lambda a: a.checked_in_at),
    ),
    select_related=("volunteer", "shift__post"),
    order=60,
    section=_SECTION,
)

HOURS = Figure(
    key="volunteer_hours",
    label=_("Hours served"),
    doc=_("Hours entered (check-outs, corrections) from midnight to the cut-off, by the volunteer's community."),
    model="volunteers.HoursEntry",
    path_field="volunteer__place_path",
    rows=lambda d: Q(created_at__gte=d.start, created_at__lt=d.cutoff),
    sum_field="hours",
    columns=(
        Column(_("name"), lambda e: mask_name(e.volunteer.name)),
        Column(_("hours"), lambda e: e.hours),
        Column(_("time"), lambda e: e.created_at),
    ),
    select_related=("volunteer",),
    order=61,
    section=_SECTION,
)

register_figures(ON_DUTY, HOURS)
