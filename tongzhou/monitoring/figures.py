"""Key persons and health checks, as figures of the daily report (see tongzhou/core/figures.py)."""

from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tongzhou.core.figures import Column, Day, Figure, Watch, register_figures
from tongzhou.core.pii import mask_name
from tongzhou.monitoring.models import OrderKind, OrderStatus


def _under_order(d: Day) -> Q:
    # Started by the day and not ended before the cut-off: reproducible from the order's dates.
    return Q(starts_on__lte=d.day) & (Q(ended_at__isnull=True) | Q(ended_at__gte=d.cutoff))


_ORDER_COLUMNS = (
    Column(_("name"), lambda o: mask_name(o.key_person.person.name)),
    Column(_("kind"), lambda o: o.get_kind_display()),
    Column(_("starts on"), lambda o: o.starts_on),
    Column(_("planned end"), lambda o: o.planned_end_on),
)
_SECTION = _("Key persons")


def _isolating(kind: OrderKind, order: int) -> Figure:
    return Figure(
        key=f"isolating_{kind.value}",
        label=kind.label,
        doc=format_lazy(
            _("Key persons under a {kind} order on the day (started by then, not ended by the cut-off)."),
            kind=kind.label,
        ),
        model="monitoring.IsolationOrder",
        path_field="place_path",
        rows=lambda d: _under_order(d) & Q(kind=kind),
        columns=_ORDER_COLUMNS,
        select_related=("key_person__person",),
        order=order,
        section=_SECTION,
    )


ISOLATING = [_isolating(kind, 20 + i) for i, kind in enumerate(OrderKind)]

NEW_ORDERS = Figure(
    key="orders_new",
    label=_("New under isolation"),
    doc=_("Orders starting on the day."),
    model="monitoring.IsolationOrder",
    path_field="place_path",
    rows=lambda d: Q(starts_on=d.day),
    columns=_ORDER_COLUMNS,
    select_related=("key_person__person",),
    order=25,
    section=_SECTION,
)

RELEASED = Figure(
    key="orders_released",
    label=_("Released"),
    doc=_("Orders released between midnight and the cut-off."),
    model="monitoring.IsolationOrder",
    path_field="place_path",
    rows=lambda d: Q(status=OrderStatus.RELEASED, ended_at__gte=d.start, ended_at__lt=d.cutoff),
    columns=_ORDER_COLUMNS,
    select_related=("key_person__person",),
    order=26,
    section=_SECTION,
)

CHECKS_DONE = Figure(
    key="checks_done",
    label=_("Health checks done"),
    doc=_("Health checks recorded between midnight and the cut-off (reached or not)."),
    model="monitoring.HealthCheck",
    path_field="order__place_path",
    rows=lambda d: Q(done_at__gte=d.start, done_at__lt=d.cutoff),
    columns=(
        Column(_("name"), lambda c: mask_name(c.order.key_person.person.name)),
        Column(_("time"), lambda c: c.done_at),
    ),
    select_related=("order__key_person__person",),
    order=27,
    section=_SECTION,
)

CHECKS_OVERDUE = Figure(
    key="checks_overdue",
    label=_("Health checks overdue"),
    doc=_("Active orders whose next check was due before the cut-off."),
    model="monitoring.IsolationOrder",
    path_field="place_path",
    rows=lambda d: Q(status=OrderStatus.ACTIVE, next_due_at__lt=d.cutoff),
    columns=(*_ORDER_COLUMNS, Column(_("next check due"), lambda o: o.next_due_at)),
    select_related=("key_person__person",),
    reproducible=False,
    why_not=_("an order keeps only its next due time, not the one it had on that day"),
    watch=Watch.RISING,
    order=28,
    section=_SECTION,
)

register_figures(*ISOLATING, NEW_ORDERS, RELEASED, CHECKS_DONE, CHECKS_OVERDUE)
