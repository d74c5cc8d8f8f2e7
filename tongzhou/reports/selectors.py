from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, FloatField, IntegerField, Max, Prefetch, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from tongzhou.accounts.selectors import scope_for, user_roles
from tongzhou.checkpoints.selectors import gates_in_scope
from tongzhou.core.figures import Ratio, Totals, Watch, figures, plain, ratios
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.scope import Scope, subtree_q
from tongzhou.places.models import Place, PlaceKind
from tongzhou.places.selectors import get_place_by_code_for_user, household_count, kind_counts, naturally_sorted
from tongzhou.reports.models import Adjustment, DailyReport, Snapshot


def dashboard_figures(scope: Scope) -> dict[str, Any]:
    """Counts for the dashboard shell: places by kind and households in the user's scope. Two
    queries, whatever the size of the scope."""
    counts = kind_counts(scope)
    kinds = [k for k in PlaceKind.values if counts.get(k)]
    spread = max(counts.values(), default=1) / min(counts.values(), default=1)
    return {
        "counts": [(PlaceKind(k).label, counts[k]) for k in kinds],
        "households": household_count(scope),
        "chart": {
            "tooltip": {},
            "grid": {"left": 30, "right": 10, "top": 30, "bottom": 10, "containLabel": True},
            "xAxis": {
                "type": "category",
                "data": [str(PlaceKind(k).label) for k in kinds],
                "axisLabel": {"interval": 0, "rotate": 30 if len(kinds) > 4 else 0},
            },
            # From a province down to its units the counts span six orders of magnitude.
            "yAxis": {"type": "log" if spread > 1000 else "value", "name": _("places"), "minInterval": 1},
            "series": [{"type": "bar", "data": [counts[k] for k in kinds], "itemStyle": {"color": "#c0392b"}}],
        },
    }


# Where each role's work is, in the order a person holding several roles lands: the broadest work
# first. Roles not named land on the dashboard.
LANDING_ORDER = (
    Role.DISTRICT_ADMIN,
    Role.STREET_ADMIN,
    Role.COMMUNITY_STAFF,
    Role.HEALTH_OFFICER,
    Role.AUDITOR,
    Role.WELFARE_OFFICER,
    Role.GRID_WORKER,
    Role.BUILDING_LEAD,
    Role.WAREHOUSE_KEEPER,
    Role.CHECKPOINT_GUARD,
    Role.VOLUNTEER,
    Role.UNIT_CONTACT,
)


def landing_url(user: Any) -> str:
    """The page a user starts on, by the first of their roles in LANDING_ORDER: the dashboard for
    administrators and staff; today's monitoring list for the health officer; the audit log for the
    auditor; the protection plans for the welfare officer; the register of their grid or building
    for grid workers and building leads; the scan page of their gate for a guard (the list of their
    gates when they have several); their shifts for a volunteer."""
    roles = sorted(user_roles(user), key=lambda r: LANDING_ORDER.index(Role(r.role)))
    if not roles:
        return reverse("reports:dashboard")
    first = roles[0]
    if first.role == Role.HEALTH_OFFICER:
        return reverse("monitoring:today")
    if first.role == Role.AUDITOR:
        return reverse("accounts:audit")
    if first.role == Role.WELFARE_OFFICER:
        return reverse("welfare:plans")
    if first.role in (Role.GRID_WORKER, Role.BUILDING_LEAD):
        return f"{reverse('people:register')}?place={first.place_id}"
    if first.role == Role.CHECKPOINT_GUARD:
        gates = list(gates_in_scope(scope_for(user, Perm.GATE_SCAN)).values_list("pk", flat=True)[:2])
        return reverse("checkpoints:scan", args=[gates[0]]) if len(gates) == 1 else reverse("checkpoints:my_gates")
    if first.role == Role.VOLUNTEER:
        return reverse("volunteers:me")
    if first.role == Role.UNIT_CONTACT:
        return reverse("welfare:units")
    return reverse("reports:dashboard")


# The daily report (日报): every figure above a community is a sum of its communities' snapshots.

ANOMALY_DAYS = 7


@dataclass
class Rollup:
    """A place's figures for a day, summed from the snapshots of its communities."""

    totals: Totals
    communities: int = 0
    taken_at: datetime | None = None
    late: bool = False


def _snapshot_rows(place: Place, days: list[date]) -> list[tuple[Any, ...]]:
    return list(
        Snapshot.objects.filter(subtree_q(place.path, "place_path"), day__in=days).values_list(
            "day", "place_path", "values", "missing", "taken_at", "late"
        )
    )


def _add(roll: Rollup, values: dict[str, Any], missing: dict[str, str], taken_at: datetime, late: bool) -> None:
    roll.totals.add(values, missing)
    roll.communities += 1
    roll.late = roll.late or late
    roll.taken_at = taken_at if roll.taken_at is None else max(roll.taken_at, taken_at)


def rollups(place: Place, days: list[date], rows: list[tuple[Any, ...]] | None = None) -> dict[date, Rollup]:
    """{day: the place's figures}, one query for all the days, from its communities' snapshots."""
    out = {day: Rollup(Totals()) for day in days}
    for day, _path, values, missing, taken_at, late in _snapshot_rows(place, days) if rows is None else rows:
        _add(out[day], values, missing, taken_at, late)
    for roll in out.values():
        roll.totals.rounded()
    return out


def children_rollups(place: Place, day: date, rows: list[tuple[Any, ...]] | None = None) -> list[tuple[Place, Rollup]]:
    """The place's children (communities under a street, streets under a district) with their
    figures for `day`: two queries (one, given the snapshot rows already read)."""
    children = naturally_sorted(Place.objects.filter(parent=place, kind__in=REPORTING_KINDS))
    by_path = {c.path: Rollup(Totals()) for c in children}
    start = len(place.path)
    for row_day, path, values, missing, taken_at, late in _snapshot_rows(place, [day]) if rows is None else rows:
        if row_day != day or len(path) <= start:
            continue
        roll = by_path.get(path[: path.index("/", start) + 1])
        if roll is not None:
            _add(roll, values, missing, taken_at, late)
    for roll in by_path.values():
        roll.totals.rounded()
    return [(c, by_path[c.path]) for c in children]


REPORTING_KINDS = (PlaceKind.CITY, PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY)
# Every level signs its own report: a community, its street, the district, the city.
SIGNING_KINDS = REPORTING_KINDS


def latest_reports(places: list[Place], day: date) -> dict[int, DailyReport]:
    """{place id: the latest version of its report for `day`} (one query)."""
    out: dict[int, DailyReport] = {}
    rows = (
        DailyReport.objects.filter(place__in=places, day=day)
        .select_related("signed_by", "place")
        .prefetch_related("adjustments")
        .order_by("version")
    )
    for report in rows:
        out[report.place_id] = report
    return out


def report_versions(place: Place, day: date) -> list[DailyReport]:
    """Every version of the place's report for the day, newest first, with their adjustments."""
    return list(
        DailyReport.objects.filter(place=place, day=day)
        .select_related("signed_by")
        .prefetch_related(Prefetch("adjustments", queryset=Adjustment.objects.select_related("created_by")))
        .order_by("-version")
    )


def get_report_place_for_user(*, user: Any, code: str, perm: Perm) -> Place:
    """A place a daily report is written for (community up to city), by its official code; 404
    outside the user's places or for any other kind."""
    place = get_place_by_code_for_user(user=user, code=code, perm=perm)
    if place.kind not in REPORTING_KINDS:
        raise Http404
    return place


@dataclass
class Line:
    """One figure as the report shows it: the counted value, its own adjustment lines, and a flag
    when it jumped against the last days."""

    key: str
    label: Any
    section: Any
    value: int | float | None
    is_ratio: bool = False
    # A derived figure's unit ("%", " days") and what it is derived from.
    suffix: Any = ""
    doc: Any = ""
    missing: str = ""
    adjustments: list[Adjustment] = field(default_factory=list)
    change: str = ""
    # The latest adjustments of the place's children's own reports (a street's communities).
    from_children: list[tuple[Place, Adjustment]] = field(default_factory=list)

    @property
    def adjusted(self) -> int | float | None:
        if not (self.adjustments or self.from_children) or self.value is None:
            return self.value
        deltas = [a.delta for a in self.adjustments] + [a.delta for _, a in self.from_children]
        return plain(Decimal(str(self.value)) + sum(deltas, Decimal(0)))


@dataclass
class DailyView:
    place: Place
    day: date
    rollup: Rollup
    lines: list[Line]
    children: list[tuple[Place, Rollup, DailyReport | None]]
    versions: list[DailyReport]
    trend: dict[str, Any] = field(default_factory=dict)
    side_by_side: dict[str, Any] = field(default_factory=dict)

    @property
    def current(self) -> DailyReport | None:
        return self.versions[0] if self.versions else None

    @property
    def unsigned(self) -> list[Place]:
        """The places right below (a street's communities, a district's streets) not signed yet."""
        return [c for c, _, report in self.children if c.kind in SIGNING_KINDS and not (report and report.is_signed)]


def _change(watch: str, series: list[Any]) -> str:
    """The flag of a figure whose last value (series oldest first) jumped: doubled against the day
    before, or rising three days running."""
    known = [v for v in series if v is not None]
    if len(known) < 2 or series[-1] is None:
        return ""
    today, before = series[-1], series[-2]
    if before is None:
        return ""
    if watch == Watch.DOUBLED and today >= 2 and today >= 2 * before:
        return _("doubled: %(before)s → %(today)s") % {"before": before, "today": today}
    if watch == Watch.RISING and len(series) >= 3 and series[-3] is not None and series[-3] < before < today:
        return _("rising: %(a)s → %(b)s → %(c)s") % {"a": series[-3], "b": before, "c": today}
    return ""


def _history_keys() -> list[str]:
    """The figures the days before the report's day are read for: the watched ones, the charted
    ones and the parts of the shares whose fall is flagged."""
    keys = {f.key for f in figures() if f.watch} | set(CHARTED)
    for ratio in ratios():
        if isinstance(ratio, Ratio) and ratio.fall_points:
            keys |= {ratio.numerator, ratio.denominator}
    return sorted(keys)


def history_rollups(place: Place, days: list[date], keys: list[str]) -> dict[date, Rollup]:
    """{day: the place's sums of `keys`} summed in the database, one aggregate query for all the
    days: the days before the report's only feed its flags and its chart, so their snapshots are
    not read whole."""
    out = {day: Rollup(Totals()) for day in days}
    if not days:
        return out
    sums = {f"_{n}": Sum(Cast(KT(f"values__{key}"), FloatField())) for n, key in enumerate(keys)}
    grouped = (
        Snapshot.objects.filter(subtree_q(place.path, "place_path"), day__in=days)
        .values("day")
        .annotate(_communities=Count("pk"), _taken_at=Max("taken_at"), _late=Max(Cast("late", IntegerField())), **sums)
        .order_by()
    )
    for row in grouped:
        roll = out[row["day"]]
        roll.communities, roll.taken_at, roll.late = row["_communities"], row["_taken_at"], bool(row["_late"])
        roll.totals.values = {key: plain(row[f"_{n}"]) or 0 for n, key in enumerate(keys) if row[f"_{n}"] is not None}
    return out


def daily_report(place: Place, day: date) -> DailyView:
    """The report of `place` for `day`: each figure summed from its communities' snapshots, with
    the last days for the anomaly flags, its children side by side with their sign-off, and the
    place's own report versions. A constant number of queries whatever the size of the place: the
    day's snapshots are read whole (its figures and its children's), the days before only as sums
    of the few figures their flags and chart need, in one aggregate."""
    days = [day - timedelta(days=n) for n in range(ANOMALY_DAYS - 1, -1, -1)]
    rows = _snapshot_rows(place, [day])
    history = history_rollups(place, days[:-1], _history_keys())
    history[day] = rollups(place, [day], rows)[day]
    versions = report_versions(place, day)
    own = list(versions[0].adjustments.all()) if versions else []
    lines: list[Line] = []
    for fig in figures():
        series = [history[d].totals.values.get(fig.key) if history[d].communities else None for d in days]
        missing = history[day].totals.missing.get(fig.key, "")
        lines.append(
            Line(
                key=fig.key,
                label=fig.label,
                section=fig.section,
                value=None if missing else series[-1],
                missing=missing,
                adjustments=[a for a in own if a.figure == fig.key],
                change=_change(fig.watch, series),
            )
        )
    for ratio in ratios():
        today = ratio.of(history[day].totals.values) if history[day].communities else None
        before = ratio.of(history[days[-2]].totals.values) if history[days[-2]].communities else None
        change = ""
        if ratio.fall_points and today is not None and before is not None and before - today > ratio.fall_points:
            change = _("fell %(points)s points: %(before)s%% → %(today)s%%") % {
                "points": round(before - today, 1),
                "before": before,
                "today": today,
            }
        lines.append(
            Line(
                key=ratio.key,
                label=ratio.label,
                section=ratio.section,
                value=today,
                is_ratio=True,
                change=change,
                suffix=ratio.suffix,
                doc=ratio.doc,
            )
        )
    order = {f.key: (f.order, f.key) for f in figures()} | {r.key: (r.order, r.key) for r in ratios()}
    lines.sort(key=lambda line: order[line.key])
    children = children_rollups(place, day, rows)
    signed = latest_reports([c for c, _ in children], day)
    for line in lines:
        line.from_children = [
            (report.place, a) for report in signed.values() for a in report.adjustments.all() if a.figure == line.key
        ]
    return DailyView(
        place=place,
        day=day,
        rollup=history[day],
        lines=lines,
        children=[(c, roll, signed.get(c.pk)) for c, roll in children],
        versions=versions,
        trend=_trend_chart(days, history, lines),
        side_by_side=_children_chart(children, lines),
    )


# The figures drawn: the ones that move day to day (not the head counts, which dwarf them).
CHARTED = ("fevers", "refusals", "checks_overdue", "help_opened", "help_done", "help_overdue", "alerts_open")


def _trend_chart(days: list[date], history: dict[date, Rollup], lines: list[Line]) -> dict[str, Any]:
    labels = {line.key: str(line.label) for line in lines}
    series = [
        {
            "name": labels[key],
            "type": "line",
            "data": [history[d].totals.values.get(key) if history[d].communities else None for d in days],
        }
        for key in CHARTED
        if key in labels
    ]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 30, "right": 10, "top": 40, "bottom": 10, "containLabel": True},
        "xAxis": {"type": "category", "data": [d.strftime("%m-%d") for d in days]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }


def _children_chart(children: list[tuple[Place, Rollup]], lines: list[Line]) -> dict[str, Any]:
    if not children:
        return {}
    labels = {line.key: str(line.label) for line in lines}
    keys = [k for k in ("fevers", "checks_overdue", "help_overdue") if k in labels]
    names = [c.name for c, _ in children]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 10, "right": 10, "top": 40, "bottom": 10, "containLabel": True},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": labels[k],
                "type": "bar",
                "stack": "all",
                "data": [roll.totals.values.get(k, 0) for _, roll in children],
            }
            for k in keys
        ],
    }
