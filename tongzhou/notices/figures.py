"""Notices as figures of the daily report (see tongzhou/core/figures.py), counted by household."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhou.core.figures import Column, Day, Figure, register_figures

_SECTION = _("Notices")
_COLUMNS = (
    Column(_("notice"), lambda r: r.notice.title),
    Column(_("building"), lambda r: r.building.name),
    Column(_("acknowledged"), lambda r: r.acknowledged_at or ""),
    Column(_("visited"), lambda r: r.visited_at or ""),
)


def _not_reached(d: Day) -> Q:
    return (
        Q(notice__sent_at__lt=d.cutoff)
        & (Q(notice__valid_to__isnull=True) | Q(notice__valid_to__gte=d.day))
        & (Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=d.cutoff))
        & (Q(visited_at__isnull=True) | Q(visited_at__gte=d.cutoff))
    )


SENT = Figure(
    key="notice_households",
    label=_("Households sent a notice"),
    doc=_("Households a notice was sent to between midnight and the cut-off."),
    model="notices.Reach",
    path_field="place_path",
    rows=lambda d: Q(notice__sent_at__gte=d.start, notice__sent_at__lt=d.cutoff),
    columns=_COLUMNS,
    select_related=("notice", "building"),
    order=80,
    section=_SECTION,
)

NOT_REACHED = Figure(
    key="notice_not_reached",
    label=_("Households not reached"),
    doc=_("Households of notices in force on the day that neither acknowledged nor were visited by the cut-off."),
    model="notices.Reach",
    path_field="place_path",
    rows=_not_reached,
    columns=_COLUMNS,
    select_related=("notice", "building"),
    order=81,
    section=_SECTION,
)

register_figures(SENT, NOT_REACHED)
