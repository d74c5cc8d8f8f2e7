"""Help requests as figures of the daily report (see tongzhou/core/figures.py).

The median time to done does not roll up as a sum (a street's median is not the sum of its
communities'), so it is not stored: the requests done on the day are counted per bucket of time to
done (each bucket a summable figure), and the median is read from the summed buckets at any level."""

from datetime import timedelta

from django.db.models import F, Q
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from tongzhou.assistance.models import Status
from tongzhou.core.figures import Bucket, Column, Figure, Median, Watch, histogram, register_figures

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
    doc=_("Requests recorded between midnight and the cut-off."),
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
    doc=_("Requests marked done between midnight and the cut-off."),
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
    doc=_("Requests still open at the count whose due time was before the cut-off."),
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

# Hours from recorded to done: the bounds of the histogram's buckets (the last one open).
HOURS_TO_DONE = (0, 1, 2, 4, 8, 24, 48)


def _bucket_label(low: float, high: float | None) -> str:
    if high is None:
        return _("Done in %(low)s h or more") % {"low": f"{low:g}"}
    return _("Done in %(low)s–%(high)s h") % {"low": f"{low:g}", "high": f"{high:g}"}


def _took(low: float, high: float | None) -> Q:
    took = Q(done_at__gte=F("created_at") + timedelta(hours=low))
    if high is not None:
        took &= Q(done_at__lt=F("created_at") + timedelta(hours=high))
    return took


DONE_BY_HOURS = histogram(
    key="help_done_hours",
    label=lazy(_bucket_label, str),
    bounds=HOURS_TO_DONE,
    base=Figure(
        key="help_done_hours",
        label="",
        doc=_(
            "Requests marked done between midnight and the cut-off, by the hours from being recorded to done. "
            "The median time to done is read from these counts."
        ),
        model="assistance.HelpRequest",
        path_field="place_path",
        rows=lambda d: Q(done_at__gte=d.start, done_at__lt=d.cutoff),
        columns=_COLUMNS,
        section=_("Help requests: hours to done"),
    ),
    within=_took,
    order=54,
)

MEDIAN_TO_DONE = Median(
    key="help_median_hours",
    label=_("Median time to done"),
    buckets=tuple(
        Bucket(fig.key, low, high)
        for fig, low, high in zip(DONE_BY_HOURS, HOURS_TO_DONE, [*HOURS_TO_DONE[1:], None], strict=True)
    ),
    suffix=_(" h"),
    doc=_("Read from the counts of requests done per bucket of hours, interpolated within the middle bucket."),
    order=53,
    section=_SECTION,
)

register_figures(OPENED, DONE, OVERDUE, *DONE_BY_HOURS, MEDIAN_TO_DONE)
