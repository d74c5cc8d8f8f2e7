"""Figures of the daily report (日报), named once.

Each module declares its figures in `tongzhou/<app>/figures.py`, a module that calls
`register_figures(...)` at import; `figures()` imports every installed app's `figures` module the
first time it is asked (as Django's admin discovers `admin.py`), so adding a module's figures is
that one file. The registry knows no app's tables: a figure names its model, the lookup to the
place path of each row, and the rows it counts for a day (a Q built from the day's bounds).

A figure is computed set-based: one query per figure for any number of communities, grouped by the
community's path prefix (`compute`). Its drill-down (`Figure.drill`) is the same rows, for one
place's subtree, so it lists exactly what was counted.

Every stored figure rolls up as a sum. What does not (a share, days left, a median) is *derived*
wherever it is shown from summable figures: a `Ratio` of two sums, or a `Median` read from a
histogram whose buckets are each a summable figure (`histogram`).
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
from django.db.models import Count, F, Q, Sum
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
    table, which must mask personal data. `negate` sums the opposite of `sum_field` (issues are
    negative entries of the supplies ledger, and the figure counts what went out)."""

    key: str
    label: Label
    doc: Label
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
    negate: bool = False

    def measure(self) -> Any:
        """The SQL aggregate of the figure: a count of rows, or the sum of `sum_field`."""
        if not self.sum_field:
            return Count("pk")
        return Sum(-F(self.sum_field) if self.negate else F(self.sum_field))

    def value_of(self, row: Any) -> Any:
        """What one counted row adds to the figure (1, or its `sum_field`), read in Python."""
        if not self.sum_field:
            return 1
        value = row
        for part in self.sum_field.split("__"):
            value = getattr(value, part)
        return -value if self.negate else value

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
    that against the day before. `scale` and `suffix` make other ratios: days left is stock ÷
    issued over N days × N, shown in days."""

    key: str
    label: Label
    numerator: str
    denominator: str
    fall_points: int = 0
    order: int = 100
    section: Label = ""
    scale: int = 100
    suffix: Label = "%"
    doc: Label = ""

    def of(self, values: dict[str, Any]) -> float | None:
        top, bottom = values.get(self.numerator), values.get(self.denominator)
        if top is None or not bottom:
            return None
        return round(self.scale * float(top) / float(bottom), 1)


@dataclass(frozen=True)
class Bucket:
    """One bar of a histogram: the figure counting the rows whose measure is in [low, high)
    (`high` None: no upper bound)."""

    figure: str
    low: float
    high: float | None


@dataclass(frozen=True)
class Median:
    """The median of a histogram whose buckets are summable figures: a street's buckets are the
    sums of its communities', so its median is read from them like a community's, never averaged
    from medians. Within the bucket holding the middle row the value is interpolated linearly;
    in the open last bucket it is that bucket's lower bound ("at least")."""

    key: str
    label: Label
    buckets: tuple[Bucket, ...]
    order: int = 100
    section: Label = ""
    suffix: Label = ""
    doc: Label = ""
    fall_points: int = 0

    def of(self, values: dict[str, Any]) -> float | None:
        counts = [values.get(b.figure) for b in self.buckets]
        if any(c is None for c in counts):
            return None
        total = sum(float(c) for c in counts if c is not None)
        if not total:
            return None
        half, below = total / 2, 0.0
        for bucket, count in zip(self.buckets, counts, strict=True):
            n = float(count or 0)
            if n and below + n >= half:
                if bucket.high is None:
                    return round(bucket.low, 1)
                return round(bucket.low + (bucket.high - bucket.low) * (half - below) / n, 1)
            below += n
        return None  # pragma: no cover - the loop always reaches the half


Derived = Ratio | Median


def histogram(
    *,
    key: str,
    label: Callable[[float, float | None], Label],
    bounds: Sequence[float],
    base: Figure,
    within: Callable[[float, float | None], Q],
    order: int,
) -> list[Figure]:
    """The bucket figures of a histogram: `base` (its rows, columns, model) narrowed by
    `within(low, high)` for each pair of consecutive `bounds`, the last bucket open. Each is an
    ordinary summable figure with its own drill-down."""
    edges: list[tuple[float, float | None]] = list(zip(bounds, [*bounds[1:]], strict=False))
    edges.append((bounds[-1], None))
    out = []

    def narrowed(low: float, high: float | None) -> Callable[[Day], Q]:
        return lambda d: base.rows(d) & within(low, high)

    for n, (low, high) in enumerate(edges):
        out.append(
            Figure(
                key=f"{key}_{n}",
                label=label(low, high),
                doc=base.doc,
                model=base.model,
                path_field=base.path_field,
                rows=narrowed(low, high),
                columns=base.columns,
                select_related=base.select_related,
                reproducible=base.reproducible,
                why_not=base.why_not,
                order=order + n,
                section=base.section,
            )
        )
    return out


_FIGURES: dict[str, Figure] = {}
_RATIOS: dict[str, Derived] = {}
_discovered = False


def register_figures(*declared: Figure | Derived) -> None:
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


def ratios() -> list[Derived]:
    """The derived figures (shares, days left, medians), computed wherever they are shown."""
    _discover()
    return sorted(_RATIOS.values(), key=lambda r: (r.order, r.key))


def figure(key: str) -> Figure | None:
    _discover()
    return _FIGURES.get(key)


def plain(value: Any) -> int | float | None:
    """A figure's value as stored in JSON: whole numbers stay whole, hours and yuan keep their decimals."""
    if value is None:
        return None
    if isinstance(value, Decimal | float):
        return round(float(value), 2) if value % 1 else int(value)
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
        measure = fig.measure()
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
        """The sums with float noise taken off (hours and yuan keep their decimals)."""
        self.values = {key: plain(value) or 0 for key, value in self.values.items()}
        return self
