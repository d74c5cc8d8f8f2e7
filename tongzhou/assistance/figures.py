"""Help requests as figures of the daily report (see tongzhou/core/figures.py).

The median time to done is not declared: a street's median is not the sum of its communities',
and every figure rolls up as a sum."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhou.assistance.models import Status
from tongzhou.core.figures import Column, Figure, Watch, register_figures

_COLUMNS = (
    Column(_("category"), lambda r: r.get_category_display()),
    Column(_("status"), lambda r: r.get_status_display()),
    Column(_("opened"), lambda r: r.created_at),
    Column(_("due"), lambda r: r.due_at),
    Column(_("done at"), lambda r: r.done_at or ""),
)
_SECTION = _("Help requests")
_CLOSED = (Status.DONE, Status.CONFIRMED, Status.TRANSFERRED, Status.DUPLICATE, Status.CANCELLED)

OPENED = Figure(
    key="help_opened",
    label=_("Help requests opened"),
    doc="Requests recorded between midnight and the cut-off.",
    model="assistance.HelpRequest",
    path_field="place_path",
    rows=lambda d: Q(created_at__gte=d.start, created_at__lt=d.cutoff),
    columns=_COLUMNS,
    order=50,
    section=_SECTION,
)

DONE = Figure(
    key="help_done",
    label=_("Help requests done"),
    doc="Requests marked done between midnight and the cut-off.",
    model="assistance.HelpRequest",
    path_field="place_path",
    rows=lambda d: Q(done_at__gte=d.start, done_at__lt=d.cutoff),
    columns=_COLUMNS,
    order=51,
    section=_SECTION,
)

OVERDUE = Figure(
    key="help_overdue",
    label=_("Help requests overdue"),
    doc="Requests still open at the count whose due time was before the cut-off.",
    model="assistance.HelpRequest",
    path_field="place_path",
    rows=lambda d: Q(due_at__lt=d.cutoff) & ~Q(status__in=_CLOSED),
    columns=_COLUMNS,
    reproducible=False,
    why_not=_("a request keeps its status now, not the one it had on that day"),
    watch=Watch.RISING,
    order=52,
    section=_SECTION,
)

register_figures(OPENED, DONE, OVERDUE)
