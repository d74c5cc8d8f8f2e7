"""Figures of the daily report (日报), named once.

Each module declares its figures in `tongzhou/<app>/figures.py`, a module that calls
`register_figures(...)` at import; `figures()` imports every installed app's `figures` module the
first time it is asked (as Django's admin discovers `admin.py`), so adding a module's figures is
that one file. The registry knows no app's tables: a figure names its model, the lookup to the
place path of each row, and the rows it counts for a day (a Q built from the day's bounds).

A figure is computed set-based: one query per figure for any number of communities, grouped by the
community's path prefix (`compute`). Its drill-down (`Figure.drill`) is the same rows, for one
place's subtree, so it lists exactly what was counted.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from tongzhou.core.scope import subtree_q

Label = str | Promise


@dataclass(frozen=True)
class Day:
    """The bounds a figure is counted in: local midnight of `day` up to the cut-off."""

    day: date
    start: datetime
    cutoff: datetime

    @classmethod
    def of(cls, day: date, cutoff: time | None = None) -> "Day":
        at = cutoff or report_cutoff()
        tz = timezone.get_current_timezone()
        return cls(
            day,
            timezone.make_aware(datetime.combine(day, time.min), tz),
            timezone.make_aware(datetime.combine(day, at), tz),
        )

    @property
    def end_of_day(self) -> datetime:
        return self.start + timedelta(days=1)


def report_cutoff() -> time:
    hour, _, minute = settings.TONGZHOU_REPORT_CUTOFF.partition(":")
    return time(int(hour), int(minute or 0))


@dataclass(frozen=True)
class Column:
    """One column of a drill-down table: a heading and the (masked) text of a row."""

    label: Label
    value: Callable[[Any], Any]


# How a figure's jump against the last days is flagged on the report.
class Watch(models.TextChoices):
    NONE = "", ""
    DOUBLED = "doubled", "doubled"
    RISING = "rising", "rising"


@dataclass(frozen=True)
class Figure:
    """A named count (or sum of `sum_field`) of `model`'s rows for one community and one day.

    `rows(day)` is the Q of the rows counted; `path_field` the lookup to a row's place path.
    `reproducible` False marks a figure of the state at the moment of counting ("open now"), which
    a late run for a past day cannot rebuild; `why_not` says why. `columns` are the drill-down's
    table, which must mask personal data."""

    key: str
    label: Label
    doc: str
    model: str
    path_field: str
    rows: Callable[[Day], Q]
    columns: tuple[Column, ...]
    sum_field: str = ""
    reproducible: bool = True
    why_not: Label = ""
    select_related: tuple[str, ...] = ()
    watch: str = Watch.NONE
    order: int = 100
    section: Label = ""

    def queryset(self) -> models.QuerySet[Any]:
        return apps.get_model(self.model)._default_manager.all()

    def counted(self, day: Day) -> models.QuerySet[Any]:
        return self.queryset().filter(self.rows(day))

    def drill(self, day: Day, path: str) -> models.QuerySet[Any]:
        """Exactly the rows counted for the subtree of `path` on `day`."""
        rows = self.counted(day).filter(subtree_q(path, self.path_field))
        return rows.select_related(*self.select_related).order_by("pk")


@dataclass(frozen=True)
class Ratio:
    """A share of two figures (per cent), derived wherever it is shown, never stored: so a total
    is the share of the sums, not a sum of shares. `fall_points` flags a fall of more points than
    that against the day before."""

    key: str
    label: Label
    numerator: str
    denominator: str
    fall_points: int = 0
    order: int = 100
    section: Label = ""

    def of(self, values: dict[str, Any]) -> float | None:
        top, bottom = values.get(self.numerator), values.get(self.denominator)
        if top is None or not bottom:
            return None
        return round(100 * float(top) / float(bottom), 1)


_FIGURES: dict[str, Figure] = {}
_RATIOS: dict[str, Ratio] = {}
_discovered = False


def register_figures(*declared: Figure | Ratio) -> None:
    """Declare figures; the same one again is harmless, another under a taken key is an error."""
    for item in declared:
        table: dict[str, Any] = _FIGURES if isinstance(item, Figure) else _RATIOS
        known = table.get(item.key)
        if known is not None and known != item:
            raise ImproperlyConfigured(f"Two figures are declared with the key {item.key!r}.")
        table[item.key] = item


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("figures")
        _discovered = True


def figures() -> list[Figure]:
    _discover()
    return sorted(_FIGURES.values(), key=lambda f: (f.order, f.key))


def ratios() -> list[Ratio]:
    _discover()
    return sorted(_RATIOS.values(), key=lambda r: (r.order, r.key))


def figure(key: str) -> Figure | None:
    _discover()
    return _FIGURES.get(key)


def plain(value: Any) -> int | float | None:
    """A figure's value as stored in JSON: whole numbers stay whole, hours keep one decimal."""
    if value is None:
        return None
    if isinstance(value, Decimal | float):
        return round(float(value), 1) if value % 1 else int(value)
    return int(value)


def compute(
    declared: Iterable[Figure], *, day: Day, communities: Sequence[str], within: Iterable[str]
) -> dict[str, dict[str, int | float]]:
    """{figure key: {community path: value}} for every community in `communities` (paths), each
    figure one query per distinct community path length (one, for places with official codes),
    whatever the number of communities. `within` are roots containing every community (the
    district, say), to keep each query to one index range. Communities without rows get 0."""
    wanted = set(communities)
    lengths = sorted({len(p) for p in wanted})
    out: dict[str, dict[str, int | float]] = {}
    for fig in declared:
        values: dict[str, int | float] = dict.fromkeys(wanted, 0)
        scope = Q()
        for root in within:
            scope |= subtree_q(root, fig.path_field)
        rows = fig.counted(day).filter(scope)
        measure = Sum(fig.sum_field) if fig.sum_field else Count("pk")
        for length in lengths:
            grouped = rows.annotate(_community=Substr(fig.path_field, 1, length)).values("_community")
            for community, value in grouped.annotate(_value=measure).values_list("_community", "_value").order_by():
                if community in wanted:
                    values[community] = plain(value) or 0
        out[fig.key] = values
    return out


@dataclass
class Totals:
    """Values summed over children, with the figures some child could not give (late runs)."""

    values: dict[str, int | float] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def add(self, values: dict[str, Any], missing: dict[str, str]) -> None:
        totals = self.values
        for key, value in values.items():
            if value is not None:
                totals[key] = totals.get(key, 0) + value
        for key, reason in missing.items():
            self.missing.setdefault(key, reason)

    def rounded(self) -> "Totals":
        """The sums with float noise taken off (hours keep one decimal)."""
        self.values = {key: plain(value) or 0 for key, value in self.values.items()}
        return self
