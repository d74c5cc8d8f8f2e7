"""Supplies as figures of the daily report (see tongzhou/core/figures.py): for each key protective
item, the stock on hand and what was issued over the last days, and the days the stock lasts,
derived from the two wherever it is shown (as % sampled is), so a street's days left is its own
stock over its own use, never a sum of days.

Both figures are sums of ledger entries, which are dated and never edited or deleted, so a late run
for a past day rebuilds them exactly: the stock at a past cut-off is the sum of the store's entries
up to then (the running balances hold only the stock now). In-transit entries are goods on their
way, not on hand, and are left out. Stores hang under communities (storerooms, checkpoint boxes);
a street warehouse is under no community, so it is not in the report's sums, which are the sums of
communities by construction."""

from collections.abc import Callable
from datetime import timedelta

from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tongzhou.core.figures import Column, Day, Figure, Ratio, register_figures
from tongzhou.supplies.models import EntryKind, ItemKind
from tongzhou.supplies.selectors import KEY_KINDS, USE_DAYS

_SECTION = _("Supplies")
_COLUMNS = (
    Column(_("store"), lambda e: e.store.name),
    Column(_("item"), lambda e: e.item.name),
    Column(_("lot"), lambda e: e.lot.code),
    Column(_("kind"), lambda e: e.get_kind_display()),
    Column(_("quantity"), lambda e: e.quantity),
    Column(_("time"), lambda e: e.created_at),
)


def _on_hand(kind: str) -> Callable[[Day], Q]:
    return lambda d: Q(item__kind=kind, in_transit=False, created_at__lt=d.cutoff)


def _issued(kind: str) -> Callable[[Day], Q]:
    # The last USE_DAYS days up to the cut-off: the day itself up to the cut-off and the days before.
    return lambda d: Q(
        item__kind=kind,
        kind=EntryKind.ISSUED,
        created_at__gte=d.start - timedelta(days=USE_DAYS - 1),
        created_at__lt=d.cutoff,
    )


def _declare(kind: ItemKind, order: int) -> tuple[Figure, Figure, Ratio]:
    stock = Figure(
        key=f"stock_{kind.value}",
        label=format_lazy(_("{kind}: in stock"), kind=kind.label),
        doc=format_lazy(
            _(
                "{kind} on hand in the community's stores at the cut-off: the sum of every ledger entry up to then "
                "(received, transferred, issued, returned, adjusted), goods in transit left out."
            ),
            kind=kind.label,
        ),
        model="supplies.Entry",
        path_field="place_path",
        rows=_on_hand(kind),
        sum_field="quantity",
        columns=_COLUMNS,
        select_related=("store", "item", "lot"),
        order=order,
        section=_SECTION,
    )
    issued = Figure(
        key=f"issued_{kind.value}",
        label=format_lazy(_("{kind}: issued in the last {n} days"), kind=kind.label, n=USE_DAYS),
        doc=format_lazy(
            _(
                "{kind} issued from the community's stores in the {n} days up to the cut-off, net of "
                "reversed issues (issues are negative entries of the ledger; the figure counts what went out)."
            ),
            kind=kind.label,
            n=USE_DAYS,
        ),
        model="supplies.Entry",
        path_field="place_path",
        rows=_issued(kind),
        sum_field="quantity",
        negate=True,
        columns=_COLUMNS,
        select_related=("store", "item", "lot"),
        order=order + 1,
        section=_SECTION,
    )
    days_left = Ratio(
        key=f"days_left_{kind.value}",
        label=format_lazy(_("{kind}: days of stock left"), kind=kind.label),
        numerator=stock.key,
        denominator=issued.key,
        scale=USE_DAYS,
        suffix=_(" days"),
        doc=format_lazy(_("In stock ÷ the average issued per day over the last {n} days."), n=USE_DAYS),
        order=order + 2,
        section=_SECTION,
    )
    return stock, issued, days_left


register_figures(*(fig for n, kind in enumerate(KEY_KINDS) for fig in _declare(kind, 90 + 3 * n)))
