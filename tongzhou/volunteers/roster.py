"""The duty-roster solver: plain data in, plain data out, no database (OR-Tools CP-SAT).

    python -m tongzhou.volunteers.roster problem.json [--time-limit 30] > roster.json

Problem (JSON):

    {
      "timezone": "Asia/Shanghai",
      "rules": {"min_rest_after_overnight_hours": 11, "max_hours_per_7_days": 48,
                "max_consecutive_days": 6, "min_rest_hours": 8, "max_continuous_hours": 12,
                "time_limit_seconds": 30},
      "volunteers": [{"id": "v1", "skills": ["driving"],
                      "availability": [{"weekday": 0, "start": "19:00", "end": "07:00"}],
                      "blackout_dates": ["2026-12-24"],
                      "prefer_posts": ["gate-3"], "avoid_overnight": false}],
      "shifts": [{"id": "s1", "post": "gate-3", "start": "2026-12-01T19:00", "end": "2026-12-02T07:00",
                  "min": 2, "max": 3, "skills": []}]
    }

Every rule has the default shown (the site passes its `TONGZHOU_ROSTER_*` settings). Times without
an offset are in `timezone`. A weekly availability window runs from `start` on its weekday
(0 = Monday) to `end`, the next day when `end` is not after `start` (19:00–07:00). A volunteer can
take a shift when their windows, joined where they meet, hold all of it, no blackout date touches
it and they have every skill it needs.

Hard rules, kept by every roster returned: head count at most `max`; no two shifts of one person
overlap; after a shift that crosses midnight (local time) at least
`min_rest_after_overnight_hours` before the next; between any two shifts of one person at least
`min_rest_hours`, unless the next starts the moment the previous ends: then they are one
continuous duty, which lasts at most `max_continuous_hours` (07:00–19:00 then 19:00–07:00 is 24 h:
refused); at most `max_hours_per_7_days` in shifts starting within any 7 × 24 h; at most
`max_consecutive_days` consecutive days with a shift starting on them.

Objectives, strictly in this order, one CP-SAT solve (stage) each, every stage keeping the values
of the earlier ones: `coverage` (the missing head count), `max_load` (the most hours anyone
works), `spread` (max − min hours among the volunteers who can take at least one shift; with the
peak fixed, this lifts the least-loaded), `preferences` (shifts at a post not preferred, or
overnight for those who would rather not).

Why this fairness: minimising the peak first has a tight bound (the hours needed over the people
who can give them), so CP-SAT proves or nearly proves it fast and it removes the 70 h volunteers;
the spread, minimised next with the peak fixed, then lifts the 0 h ones. Minimising max − min at
once has a weak bound (one volunteer with a single free evening pins the minimum) and stalls; a
sum of squared deviations needs a product constraint per volunteer and a weaker, nonlinear bound
(a possible further stage; the spread is what coordinators are shown). Loads are
counted in units of the greatest common divisor of the shift lengths (12 h for day and night
shifts), so the domains are small. Time rules are written on slots (shifts with the same start
and end) rather than on shifts, so 15 posts with the same hours cost one constraint, not 15.

Never worse than the greedy baseline, and never a broken roster: the greedy roster (shifts in time
order, least-loaded eligible volunteers who break no rule, same rule code as the model) is built
first. Each stage starts from the best roster so far, hinted in full, with its objective bounded
by that roster's value; the solver's answer replaces it only if the solver returned one (OPTIMAL
or FEASIBLE; a failed solve is never read) and, evaluated in Python, it keeps the earlier stages'
values and is no worse on this one. When the greedy roster keeps the earlier stages' values and
is better on a stage, that stage starts from it. Before the max_load and spread stages the roster
is evened out by moves (a shift from a heavier to a lighter eligible volunteer, rules kept), which
never raise the peak nor widen the spread: a lopsided coverage roster does not survive a starved
fairness stage. A stage that finds nothing better in its time leaves the roster as it was.

Time: `time_limit_seconds` holds for the whole call, model building and the greedy included,
less a small reserve for the solver's own lateness in stopping on a busy machine; each stage gets
its share (40/20/25/15 %) of the time still left, so time a stage does not use goes to the next.

Result (JSON): {"status", "assignments": [{"shift", "volunteer"}], "uncovered": [{"shift", "post",
"start", "missing", "reason"}], "hours": {volunteer: hours}, "spread_hours", "stages": [{"stage",
"status" (CP-SAT's, or NOT_RUN when no time was left), "outcome" (`proven`, `improved` or
`timed_out`: the previous roster kept; for the spread stage, `improved` with the same spread
means a more even load under it, by the sum of squares), "start" and "value" (head count, hours,
hours, shifts),
"seconds"}], "seconds", "greedy": {"uncovered", "spread_hours", "max_hours"}}. `status` is OPTIMAL
when every stage was proven, FEASIBLE otherwise. `uncovered` is computed from the returned
assignments: exactly the missing head count. `reason` is `nobody_available` (nobody free then),
`nobody_with_skill` (free, but without the skill), `too_long` (longer than the longest continuous
duty) or `limits` (the eligible ones are taken or at their limits).
"""

import argparse
import bisect
import json
import math
import os
import sys
import time as clock
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclass(frozen=True)
class Rules:
    min_rest_after_overnight_hours: float = 11
    max_hours_per_7_days: float = 48
    max_consecutive_days: int = 6
    min_rest_hours: float = 8
    max_continuous_hours: float = 12
    time_limit_seconds: float = 30


@dataclass(frozen=True)
class Window:
    weekday: int
    start: time
    end: time

    def occurrences(self, first: date, last: date, tz: Any) -> list[tuple[datetime, datetime]]:
        """This weekly window's occurrences that open between `first` and `last` (local)."""
        found = []
        day = first
        while day <= last:
            if day.weekday() == self.weekday:
                opens = datetime.combine(day, self.start, tz)
                closes = datetime.combine(day + timedelta(days=1 if self.end <= self.start else 0), self.end, tz)
                found.append((opens, closes))
            day += timedelta(days=1)
        return found


def holds(windows: Iterable[Window], start: datetime, end: datetime) -> bool:
    """Whether the volunteer's windows, joined where they meet or overlap, contain [start, end)."""
    spans = sorted(
        span for w in windows for span in w.occurrences(start.date() - timedelta(days=1), end.date(), start.tzinfo)
    )
    reached = start
    for opens, closes in spans:
        if closes <= reached:
            continue
        if opens > reached:
            return False  # a gap: later windows open later still
        reached = closes
        if reached >= end:
            return True
    return False


@dataclass(frozen=True)
class Volunteer:
    id: str
    skills: frozenset[str] = frozenset()
    availability: tuple[Window, ...] = ()
    blackout_dates: frozenset[date] = frozenset()
    prefer_posts: frozenset[str] = frozenset()
    avoid_overnight: bool = False


@dataclass(frozen=True)
class Shift:
    id: str
    post: str
    start: datetime
    end: datetime
    min: int
    max: int
    skills: frozenset[str] = frozenset()

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def overnight(self) -> bool:
        """Crosses local midnight (ending exactly at midnight does not)."""
        return self.end.date() > self.start.date() and self.end.timetz().replace(tzinfo=None) != time(0)

    def dates(self) -> set[date]:
        last = (self.end - timedelta(microseconds=1)).date()
        return {self.start.date() + timedelta(days=n) for n in range((last - self.start.date()).days + 1)}


@dataclass
class Problem:
    volunteers: list[Volunteer]
    shifts: list[Shift]
    rules: Rules = field(default_factory=Rules)
    timezone: str = "Asia/Shanghai"


class ProblemError(ValueError):
    """The problem JSON is malformed; the message names the item and field."""


def _time(value: str, where: str) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ProblemError(f"{where}: {value!r} is not a time like 19:00") from None


def _datetime(value: str, tz: ZoneInfo, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ProblemError(f"{where}: {value!r} is not a date and time like 2026-12-01T19:00") from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def problem_from_dict(data: dict[str, Any]) -> Problem:
    """Read a problem, refusing bad input with the item and field named."""
    tz = ZoneInfo(data.get("timezone", "Asia/Shanghai"))
    known = {f for f in Rules.__dataclass_fields__}
    rules_data = data.get("rules", {})
    if set(rules_data) - known:
        raise ProblemError(f"rules: unknown {sorted(set(rules_data) - known)}")
    rules = Rules(**rules_data)
    volunteers = []
    for n, v in enumerate(data.get("volunteers", [])):
        where = f"volunteers[{n}]"
        windows = []
        for k, w in enumerate(v.get("availability", [])):
            weekday = w.get("weekday")
            if isinstance(weekday, str) and weekday.lower()[:3] in WEEKDAYS:
                weekday = WEEKDAYS.index(weekday.lower()[:3])
            if weekday not in range(7):
                raise ProblemError(f"{where}.availability[{k}].weekday: 0 (Monday) to 6, or mon…sun")
            windows.append(
                Window(
                    weekday,
                    _time(w.get("start"), f"{where}.availability[{k}].start"),
                    _time(w.get("end"), f"{where}.availability[{k}].end"),
                )
            )
        try:
            blackout = frozenset(date.fromisoformat(d) for d in v.get("blackout_dates", []))
        except (TypeError, ValueError):
            raise ProblemError(f"{where}.blackout_dates: dates like 2026-12-24") from None
        if not v.get("id"):
            raise ProblemError(f"{where}.id: required")
        volunteers.append(
            Volunteer(
                id=str(v["id"]),
                skills=frozenset(v.get("skills", [])),
                availability=tuple(windows),
                blackout_dates=blackout,
                prefer_posts=frozenset(v.get("prefer_posts", [])),
                avoid_overnight=bool(v.get("avoid_overnight", False)),
            )
        )
    shifts = []
    for n, s in enumerate(data.get("shifts", [])):
        where = f"shifts[{n}]"
        start = _datetime(s.get("start"), tz, f"{where}.start")
        end = _datetime(s.get("end"), tz, f"{where}.end")
        if end <= start:
            raise ProblemError(f"{where}.end: must be after the start")
        low, high = s.get("min", 1), s.get("max", s.get("min", 1))
        if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high):
            raise ProblemError(f"{where}: min and max are whole numbers with 0 <= min <= max")
        if not s.get("id") or not s.get("post"):
            raise ProblemError(f"{where}: id and post are required")
        shifts.append(Shift(str(s["id"]), str(s["post"]), start, end, low, high, frozenset(s.get("skills", []))))
    if len({v.id for v in volunteers}) != len(volunteers) or len({s.id for s in shifts}) != len(shifts):
        raise ProblemError("volunteer and shift ids must be unique")
    return Problem(volunteers=volunteers, shifts=shifts, rules=rules, timezone=str(tz))


def is_free(volunteer: Volunteer, shift: Shift) -> bool:
    return not (shift.dates() & volunteer.blackout_dates) and holds(volunteer.availability, shift.start, shift.end)


def can_take(volunteer: Volunteer, shift: Shift) -> bool:
    return shift.skills <= volunteer.skills and is_free(volunteer, shift)


def _clash(a: Shift, b: Shift, rules: Rules) -> bool:
    """Whether one person may never hold both `a` and `b` (`a` starts no later than `b`): they
    overlap, too little rest after an overnight shift, or joined back to back they make a duty
    longer than the maximum continuous duty."""
    if b.start < a.end:
        return True
    gap = b.start - a.end
    if a.overnight and gap < timedelta(hours=rules.min_rest_after_overnight_hours):
        return True
    return not gap and a.minutes + b.minutes > rules.max_continuous_hours * 60


def _short_rest(a: Shift, b: Shift, rules: Rules) -> bool:
    """A gap after `a` before `b` that is not a rest: allowed only when the person fills it with
    shifts back to back (one continuous duty), never as a break of a few hours."""
    return timedelta(0) < b.start - a.end < timedelta(hours=rules.min_rest_hours)


@dataclass
class Result:
    status: str
    assignments: list[tuple[str, str]]
    uncovered: list[dict[str, Any]]
    hours: dict[str, float]
    spread_hours: float
    stages: list[dict[str, Any]]
    seconds: float
    greedy: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "assignments": [{"shift": s, "volunteer": v} for s, v in self.assignments],
            "uncovered": self.uncovered,
            "hours": self.hours,
            "spread_hours": self.spread_hours,
            "stages": self.stages,
            "seconds": round(self.seconds, 2),
            "greedy": self.greedy,
        }


Pick = frozenset[tuple[int, int]]  # (volunteer index, shift index) pairs


class _Index:
    """The problem indexed for the model and the greedy baseline alike, so that both keep the
    same rules. Shifts with the same start and end form one slot: a person holds at most one
    shift of a slot, and every rule about time is written once per slot, not once per shift."""

    def __init__(self, problem: Problem) -> None:
        self.rules = rules = problem.rules
        self.shifts = sorted(problem.shifts, key=lambda s: (s.start, s.end, s.id))
        self.volunteers = problem.volunteers
        longest = rules.max_continuous_hours * 60
        # Each volunteer's windows over the whole period, joined where they meet (as `holds` does),
        # so that "free for this shift" is one bisection instead of a walk over the windows.
        self._spans: list[list[tuple[datetime, datetime]]] = []
        if self.shifts:
            first = min(s.start for s in self.shifts).date() - timedelta(days=1)
            last = max(s.end for s in self.shifts).date()
            tz = self.shifts[0].start.tzinfo
        for v in self.volunteers:
            joined: list[tuple[datetime, datetime]] = []
            if self.shifts:
                for opens, closes in sorted(o for w in v.availability for o in w.occurrences(first, last, tz)):
                    if joined and opens <= joined[-1][1]:
                        joined[-1] = (joined[-1][0], max(joined[-1][1], closes))
                    else:
                        joined.append((opens, closes))
            self._spans.append(joined)
        self.eligible: dict[int, list[int]] = defaultdict(list)  # volunteer -> shifts, in time order
        for vi, v in enumerate(self.volunteers):
            for si, s in enumerate(self.shifts):
                if s.minutes <= longest and s.skills <= v.skills and self.free(vi, s):
                    self.eligible[vi].append(si)
        slot_of: dict[tuple[datetime, datetime], int] = {}
        self.slot: list[int] = []
        self.slots: list[Shift] = []  # one representative shift per slot, in time order
        for s in self.shifts:
            key = (s.start, s.end)
            if key not in slot_of:
                slot_of[key] = len(self.slots)
                self.slots.append(s)
            self.slot.append(slot_of[key])
        self.unit = math.gcd(*(s.minutes for s in self.slots)) if self.slots else 1
        self._clashes: dict[tuple[int, int], bool] = {}
        self.after: dict[int, list[int]] = defaultdict(list)  # slots starting when this one ends
        starting: dict[datetime, list[int]] = defaultdict(list)
        for g, s in enumerate(self.slots):
            starting[s.start].append(g)
        for g, s in enumerate(self.slots):
            self.after[g] = [h for h in starting.get(s.end, []) if not self.clash(g, h)]

    def free(self, vi: int, shift: Shift) -> bool:
        """`is_free`, fast: no blackout date touches the shift and one joined window holds it."""
        volunteer, spans = self.volunteers[vi], self._spans[vi]
        if volunteer.blackout_dates and shift.dates() & volunteer.blackout_dates:
            return False
        k = bisect.bisect_right(spans, (shift.start, shift.end + timedelta(days=3650))) - 1
        return k >= 0 and spans[k][0] <= shift.start and spans[k][1] >= shift.end

    def reason(self, shift: Shift) -> str:
        """Why a shift lacks people: see `why_uncovered`."""
        if shift.minutes > self.rules.max_continuous_hours * 60:
            return "too_long"
        free = [vi for vi in range(len(self.volunteers)) if self.free(vi, shift)]
        if not free:
            return "nobody_available"
        if not any(shift.skills <= self.volunteers[vi].skills for vi in free):
            return "nobody_with_skill"
        return "limits"

    def clash(self, g: int, h: int) -> bool:
        if g > h:
            g, h = h, g
        key = (g, h)
        if key not in self._clashes:
            self._clashes[key] = g == h or _clash(self.slots[g], self.slots[h], self.rules)
        return self._clashes[key]

    def long_chains(self) -> list[list[int]]:
        """Chains of three or more back-to-back slots longer than the maximum continuous duty,
        each the shortest such from its first slot (two-slot chains are clashes already)."""
        cap = self.rules.max_continuous_hours * 60
        found = []

        def extend(path: list[int], total: int) -> None:
            for h in self.after[path[-1]]:
                if total + self.slots[h].minutes > cap:
                    if len(path) >= 2:
                        found.append([*path, h])
                else:
                    extend([*path, h], total + self.slots[h].minutes)

        for g in range(len(self.slots)):
            extend([g], self.slots[g].minutes)
        return found

    def fits(self, taken: set[int], g: int) -> bool:
        """Whether a person holding the slots `taken` may also hold slot `g` (the greedy's check)."""
        rules, slots = self.rules, self.slots
        if any(self.clash(g, h) for h in taken):
            return False
        mine = sorted([*taken, g])  # slot numbers are in time order
        if not self.rested(mine):
            return False
        week = timedelta(days=7)
        start = slots[g].start
        for t in {slots[h].start for h in mine if start - week < slots[h].start <= start}:
            if sum(slots[h].minutes for h in mine if t <= slots[h].start < t + week) > rules.max_hours_per_7_days * 60:
                return False
        days = {slots[h].start.date() for h in mine}
        run, day = 1, start.date()
        while day - timedelta(days=1) in days:
            run, day = run + 1, day - timedelta(days=1)
        day = start.date()
        while day + timedelta(days=1) in days:
            run, day = run + 1, day + timedelta(days=1)
        return run <= rules.max_consecutive_days

    def rested(self, mine: list[int]) -> bool:
        """Rest and continuous duty along one person's slots (sorted, not overlapping)."""
        slots, rules = self.slots, self.rules
        stretch = 0
        for n, h in enumerate(mine):
            joined = n > 0 and slots[h].start == slots[mine[n - 1]].end
            if n > 0 and _short_rest(slots[mine[n - 1]], slots[h], rules):
                return False
            stretch = (stretch if joined else 0) + slots[h].minutes
            if stretch > rules.max_continuous_hours * 60:
                return False
        return True

    # The objectives, evaluated in Python on any pick: the solver's word is never taken for them.
    def loads(self, pick: Pick) -> dict[int, int]:
        load = dict.fromkeys(self.eligible, 0)
        for vi, si in pick:
            load[vi] += self.shifts[si].minutes // self.unit
        return load

    def shortfall(self, pick: Pick) -> int:
        taken: dict[int, int] = defaultdict(int)
        for _vi, si in pick:
            taken[si] += 1
        return sum(max(0, s.min - taken[si]) for si, s in enumerate(self.shifts))

    def max_load(self, pick: Pick) -> int:
        return max(self.loads(pick).values(), default=0)

    def spread(self, pick: Pick) -> int:
        loads = self.loads(pick).values()
        return max(loads) - min(loads) if loads else 0

    def unpreferred(self, pick: Pick) -> int:
        return sum(1 for vi, si in pick if self.unwanted(vi, si))

    def unwanted(self, vi: int, si: int) -> bool:
        v, s = self.volunteers[vi], self.shifts[si]
        return bool(v.prefer_posts and s.post not in v.prefer_posts) or (v.avoid_overnight and s.overnight)


def greedy(index: _Index) -> Pick:
    """The baseline: shifts in time order, each filled to its minimum with the least-loaded
    eligible volunteers who break no rule; among equals, the one with the fewest chances left."""
    candidates: dict[int, list[int]] = defaultdict(list)
    for vi, mine in index.eligible.items():
        for si in mine:
            candidates[si].append(vi)
    chances = {vi: len(mine) for vi, mine in index.eligible.items()}
    load: dict[int, int] = defaultdict(int)
    held: dict[int, set[int]] = defaultdict(set)
    pick = set()
    for si, s in enumerate(index.shifts):
        chosen = 0
        for vi in sorted(candidates[si], key=lambda vi: (load[vi], chances[vi], vi)):
            if chosen >= s.min:
                break
            g = index.slot[si]
            if index.fits(held[vi], g):
                held[vi].add(g)
                load[vi] += s.minutes
                pick.add((vi, si))
                chosen += 1
        for vi in candidates[si]:
            chances[vi] -= 1
    return frozenset(pick)


def rebalance(index: _Index, pick: Pick, *, passes: int = 20, until: float | None = None) -> Pick:
    """Moves shifts from heavier to lighter eligible volunteers while the rules allow. Every move
    strictly lowers the sum of squared loads, so it ends; head counts do not change, the peak never
    rises and the spread never widens (both loads end between the two before). Bounded by passes
    (and `until`, a deadline on `time.perf_counter`, checked between passes)."""
    takers: dict[int, list[int]] = defaultdict(list)
    for vi, mine in index.eligible.items():
        for si in mine:
            takers[si].append(vi)
    load: dict[int, int] = dict.fromkeys(index.eligible, 0)
    held: dict[int, set[int]] = defaultdict(set)
    current = set(pick)
    for vi, si in current:
        load[vi] += index.shifts[si].minutes
        held[vi].add(index.slot[si])
    for _ in range(passes):
        if until is not None and clock.perf_counter() > until:
            break
        moved = False
        for vi, si in sorted(current, key=lambda pair: (-load[pair[0]], pair)):
            if (vi, si) not in current:
                continue
            minutes, g = index.shifts[si].minutes, index.slot[si]
            for wi in sorted(takers[si], key=lambda wi: (load[wi], wi)):
                if load[wi] + minutes >= load[vi]:
                    break
                if g in held[wi] or not index.fits(held[wi], g) or not index.rested(sorted(held[vi] - {g})):
                    continue
                current.discard((vi, si))
                current.add((wi, si))
                held[vi].discard(g)
                held[wi].add(g)
                load[vi] -= minutes
                load[wi] += minutes
                moved = True
                break
        if not moved:
            break
    return frozenset(current)


STAGES = ("coverage", "max_load", "spread", "preferences")
SHARES = {"coverage": 0.4, "max_load": 0.2, "spread": 0.25, "preferences": 0.15}
# Kept back for reading the roster out and for the solver's own lateness in stopping (threads on a
# busy machine), so that the whole call keeps the limit.
RESERVE_SECONDS = 0.3
RESERVE_SHARE = 0.03


def solve(
    problem: Problem,
    *,
    progress: Callable[[str, float], object] | None = None,
    workers: int = 0,
    stage_seconds: dict[str, float] | None = None,
) -> Result:
    """Solve in stages under the rules' time limit, counted from this call (model building
    included). The greedy baseline comes first; each stage starts from the best roster so far
    (hinted), keeps the earlier stages' values, and its answer is taken only if the solver
    returned one and it is no worse, checked in Python. A stage that times out or fails leaves
    the roster as it was. `stage_seconds` caps a stage's time (for tests and benchmarks)."""
    started = clock.perf_counter()
    limit = problem.rules.time_limit_seconds
    deadline = started + limit - RESERVE_SECONDS - RESERVE_SHARE * limit
    index = _Index(problem)
    baseline = rebalance(index, greedy(index))
    shifts, slots = index.shifts, index.slots

    model = cp_model.CpModel()
    x = {(vi, si): model.new_bool_var(f"x{vi}_{si}") for vi, mine in index.eligible.items() for si in mine}
    y: dict[tuple[int, int], Any] = {}  # volunteer holds (a shift of) the slot
    for vi, mine in index.eligible.items():
        by_slot: dict[int, list[int]] = defaultdict(list)
        for si in mine:
            by_slot[index.slot[si]].append(si)
        for g, group in by_slot.items():
            if len(group) == 1:
                y[vi, g] = x[vi, group[0]]
            else:
                y[vi, g] = model.new_bool_var(f"y{vi}_{g}")
                model.add(sum(x[vi, si] for si in group) == y[vi, g])
    by_shift: dict[int, list[int]] = defaultdict(list)
    for vi, si in x:
        by_shift[si].append(vi)
    short = []
    for si, s in enumerate(shifts):
        taken = sum(x[vi, si] for vi in by_shift[si])
        model.add(taken <= s.max)
        short.append(model.new_int_var(0, s.min, f"short{si}"))
        model.add(taken + short[si] >= s.min)

    chains = index.long_chains()
    cap = int(problem.rules.max_hours_per_7_days * 60)
    week = timedelta(days=7)
    rest = timedelta(hours=max(problem.rules.min_rest_after_overnight_hours, problem.rules.min_rest_hours))
    worked: dict[tuple[int, date], Any] = {}
    load: dict[int, Any] = {}
    for vi in index.eligible:
        mine = sorted(g for (v, g) in y if v == vi)
        held = set(mine)
        for i, g in enumerate(mine):
            for h in mine[i + 1 :]:
                if slots[h].start > slots[g].end and slots[h].start >= slots[g].end + rest:
                    break  # rested: no rule between these two, nor with any later slot
                if index.clash(g, h):
                    model.add_bool_or([y[vi, g].negated(), y[vi, h].negated()])
                elif _short_rest(slots[g], slots[h], problem.rules):
                    # Both only with the gap filled back to back from g (inductively up to h).
                    bridges = [y[vi, m] for m in index.after[g] if m in held and slots[m].end <= slots[h].start]
                    model.add_bool_or([y[vi, g].negated(), y[vi, h].negated(), *bridges])
        for chain in chains:
            if held.issuperset(chain):
                model.add_bool_or([y[vi, g].negated() for g in chain])
        for t in sorted({slots[g].start for g in mine}):
            inside = [g for g in mine if t <= slots[g].start < t + week]
            if sum(slots[g].minutes for g in inside) > cap:
                model.add(sum(slots[g].minutes * y[vi, g] for g in inside) <= cap)
        days: dict[date, list[int]] = defaultdict(list)
        for g in mine:
            days[slots[g].start.date()].append(g)
        for day, day_slots in days.items():
            if len(day_slots) == 1:
                worked[vi, day] = y[vi, day_slots[0]]
            else:
                worked[vi, day] = model.new_bool_var(f"w{vi}_{day}")
                model.add_max_equality(worked[vi, day], [y[vi, g] for g in day_slots])
        span = problem.rules.max_consecutive_days + 1
        for first in sorted(days):
            run = [worked[vi, first + timedelta(days=k)] for k in range(span) if first + timedelta(days=k) in days]
            if len(run) == span:
                model.add(sum(run) <= problem.rules.max_consecutive_days)
        load[vi] = sum(slots[g].minutes // index.unit * y[vi, g] for g in mine)

    most = max((sum(shifts[si].minutes for si in mine) // index.unit for mine in index.eligible.values()), default=0)
    high = model.new_int_var(0, most, "max_load")
    low = model.new_int_var(0, most, "min_load")
    load_var, square = {}, {}
    for vi in index.eligible:
        load_var[vi] = model.new_int_var(0, most, f"load{vi}")
        model.add(load_var[vi] == load[vi])
        square[vi] = model.new_int_var(0, most * most, f"square{vi}")
        model.add_multiplication_equality(square[vi], [load_var[vi], load_var[vi]])
        model.add(high >= load_var[vi])
        model.add(low <= load_var[vi])
    # The spread stage breaks its ties by the sum of squared loads: that gives the search a slope
    # to climb (one volunteer lifted at a time) where max - min alone is flat until the last one
    # at the minimum is lifted. Only the spread is kept for the later stages.
    weight = len(index.eligible) * most * most + 1

    def spread_then_squares(pick: Pick) -> int:
        return index.spread(pick) * weight + sum(n * n for n in index.loads(pick).values())

    # stage: (objective, its value on a pick, what later stages keep, its value on a pick)
    objectives: dict[str, tuple[Any, Callable[[Pick], int], Any, Callable[[Pick], int]]] = {
        "coverage": (sum(short), index.shortfall, sum(short), index.shortfall),
        "max_load": (high, index.max_load, high, index.max_load),
        "spread": ((high - low) * weight + sum(square.values()), spread_then_squares, high - low, index.spread),
        "preferences": (
            sum(var for (vi, si), var in x.items() if index.unwanted(vi, si)),
            index.unpreferred,
            None,
            index.unpreferred,
        ),
    }

    def hint(pick: Pick) -> None:
        """A complete hint: every variable once (y and worked may be an x under another name)."""
        model.clear_hints()
        values: dict[int, tuple[Any, int]] = {}
        held = {(vi, index.slot[si]) for vi, si in pick}
        days = {(vi, slots[g].start.date()) for vi, g in held}
        for day_key, var in worked.items():
            values[var.index] = (var, int(day_key in days))
        for slot_key, var in y.items():
            values[var.index] = (var, int(slot_key in held))
        for pair, var in x.items():
            values[var.index] = (var, int(pair in pick))
        taken: dict[int, int] = defaultdict(int)
        for _vi, si in pick:
            taken[si] += 1
        for si, var in enumerate(short):
            values[var.index] = (var, max(0, shifts[si].min - taken[si]))
        loads = index.loads(pick)
        values[high.index] = (high, max(loads.values(), default=0))
        values[low.index] = (low, min(loads.values(), default=0))
        for vi, var in load_var.items():
            values[var.index] = (var, loads[vi])
            values[square[vi].index] = (square[vi], loads[vi] * loads[vi])
        for var, value in values.values():
            model.add_hint(var, value)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers or max(os.cpu_count() or 1, 4)
    solver.parameters.random_seed = 2020
    best = baseline
    fixed: list[tuple[Callable[[Pick], int], int]] = []  # the earlier stages' values, kept
    stages = []
    for k, name in enumerate(STAGES):
        objective, evaluate, kept, kept_value = objectives[name]
        # The greedy roster takes over when it keeps the earlier stages and does better here.
        if all(ev(baseline) <= value for ev, value in fixed) and evaluate(baseline) < evaluate(best):
            best = baseline
        if name in ("max_load", "spread"):
            # Moves from the heaviest to the lightest first: cheap, the same on a busy machine,
            # and they never raise the peak nor widen the spread, so a lopsided roster from an
            # earlier stage is evened out even when the solver gets little time here.
            balanced = rebalance(index, best, until=deadline)
            if all(ev(balanced) <= value for ev, value in fixed) and evaluate(balanced) <= evaluate(best):
                best = balanced
        before, started_from = evaluate(best), best
        model.add(objective <= before)
        if name == "max_load":
            model.add(high - low <= index.spread(best))  # lowering the peak never widens the spread
        remaining = deadline - clock.perf_counter()
        budget = remaining * SHARES[name] / sum(SHARES[n] for n in STAGES[k:])
        if stage_seconds and name in stage_seconds:
            budget = min(stage_seconds[name], remaining)
        status_name, seconds, outcome = "NOT_RUN", 0.0, "timed_out"
        if budget >= 0.05:
            hint(best)
            model.minimize(objective)
            solver.parameters.max_time_in_seconds = budget
            began = clock.perf_counter()
            status = solver.solve(model)
            status_name, seconds = status.name, clock.perf_counter() - began
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # never read a failed solve
                found = frozenset(key for key, var in x.items() if solver.boolean_value(var))
                if evaluate(found) <= before and all(ev(found) <= value for ev, value in fixed):
                    outcome = "improved" if evaluate(found) < before else outcome
                    best = found
                if status == cp_model.OPTIMAL:
                    outcome = "proven"
        value = kept_value(best)
        fixed.append((kept_value, value))
        if kept is not None:
            model.add(kept <= value)
        scale = 1 if name in ("coverage", "preferences") else index.unit / 60
        stages.append(
            {
                "stage": name,
                "status": status_name,
                "outcome": outcome,
                "value": value * scale,
                "start": kept_value(started_from) * scale,
                "seconds": round(seconds, 2),
            }
        )
        if progress:
            progress(name, (k + 1) / len(STAGES))

    assignments = sorted((shifts[si].id, index.volunteers[vi].id) for vi, si in best)
    loads = index.loads(best)
    hours = {index.volunteers[vi].id: loads[vi] * index.unit / 60 for vi in sorted(loads)}
    return Result(
        status="OPTIMAL" if all(st["outcome"] == "proven" for st in stages) else "FEASIBLE",
        assignments=assignments,
        uncovered=uncovered(index, best),
        hours=hours,
        spread_hours=index.spread(best) * index.unit / 60,
        stages=stages,
        seconds=clock.perf_counter() - started,
        greedy={
            "uncovered": index.shortfall(baseline),
            "spread_hours": index.spread(baseline) * index.unit / 60,
            "max_hours": index.max_load(baseline) * index.unit / 60,
        },
    )


def uncovered(index: _Index, pick: Pick) -> list[dict[str, Any]]:
    """Exactly the missing head count of these assignments, shift by shift, with the reason."""
    taken: dict[int, int] = defaultdict(int)
    for _vi, si in pick:
        taken[si] += 1
    found = []
    for si, s in enumerate(index.shifts):
        missing = s.min - taken[si]
        if missing > 0:
            found.append(
                {
                    "shift": s.id,
                    "post": s.post,
                    "start": s.start.isoformat(),
                    "missing": missing,
                    "reason": index.reason(s),
                }
            )
    return found


def why_uncovered(shift: Shift, volunteers: Iterable[Volunteer], rules: Rules | None = None) -> str:
    if rules is not None and shift.minutes > rules.max_continuous_hours * 60:
        return "too_long"
    free = [v for v in volunteers if is_free(v, shift)]
    if not free:
        return "nobody_available"
    if not any(shift.skills <= v.skills for v in free):
        return "nobody_with_skill"
    return "limits"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tongzhou.volunteers.roster", description=__doc__.split("\n\n")[0])
    parser.add_argument("problem", help="problem JSON file, or - for standard input")
    parser.add_argument("--time-limit", type=float, help="seconds (overrides rules.time_limit_seconds)")
    args = parser.parse_args(argv)
    raw = sys.stdin.read() if args.problem == "-" else open(args.problem, encoding="utf-8").read()  # noqa: SIM115
    try:
        data = json.loads(raw)
        if args.time_limit:
            data.setdefault("rules", {})["time_limit_seconds"] = args.time_limit
        problem = problem_from_dict(data)
    except (json.JSONDecodeError, ProblemError, TypeError) as error:
        print(f"bad problem: {error}", file=sys.stderr)
        return 2
    json.dump(solve(problem).to_dict(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
