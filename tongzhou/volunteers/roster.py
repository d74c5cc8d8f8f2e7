"""The duty-roster solver: plain data in, plain data out, no database (OR-Tools CP-SAT).

    python -m tongzhou.volunteers.roster problem.json [--time-limit 30] > roster.json

Problem (JSON):

    {
      "timezone": "Asia/Shanghai",
      "rules": {"min_rest_after_overnight_hours": 11, "max_hours_per_7_days": 48,
                "max_consecutive_days": 6, "time_limit_seconds": 30},
      "volunteers": [{"id": "v1", "skills": ["driving"],
                      "availability": [{"weekday": 0, "start": "19:00", "end": "07:00"}],
                      "blackout_dates": ["2026-12-24"],
                      "prefer_posts": ["gate-3"], "avoid_overnight": false}],
      "shifts": [{"id": "s1", "post": "gate-3", "start": "2026-12-01T19:00", "end": "2026-12-02T07:00",
                  "min": 2, "max": 3, "skills": []}]
    }

Times without an offset are in `timezone`. A weekly availability window runs from `start` on its
weekday (0 = Monday) to `end`, the next day when `end` is not after `start` (19:00–07:00). A
volunteer can take a shift when their windows, joined where they meet, hold all of it, no blackout
date touches it and they have every skill it needs.

Hard rules: head count at most `max`; no two shifts of one person overlap; after a shift that
crosses midnight (local time) at least `min_rest_after_overnight_hours` before the next; at most
`max_hours_per_7_days` in shifts starting within any 7 × 24 h; at most `max_consecutive_days`
consecutive days with a shift starting on them. Soft, strictly in this order (three solves, each
keeping the previous optimum): cover every minimum head count; spread hours fairly (max − min
among the volunteers who can take at least one shift); honour preferences.

Result (JSON): {"status", "assignments": [{"shift", "volunteer"}], "uncovered": [{"shift", "post",
"start", "missing", "reason"}], "hours": {volunteer: hours}, "spread_hours", "stages", "seconds"}.
`reason` is `nobody_available` (nobody free then), `nobody_with_skill` (free, but without the
skill) or `limits` (the eligible ones are taken or at their limits).
"""

import argparse
import json
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


def _gap(shift: Shift, rules: Rules) -> timedelta:
    return timedelta(hours=rules.min_rest_after_overnight_hours) if shift.overnight else timedelta(0)


@dataclass
class Result:
    status: str
    assignments: list[tuple[str, str]]
    uncovered: list[dict[str, Any]]
    hours: dict[str, float]
    spread_hours: float
    stages: list[dict[str, Any]]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "assignments": [{"shift": s, "volunteer": v} for s, v in self.assignments],
            "uncovered": self.uncovered,
            "hours": self.hours,
            "spread_hours": self.spread_hours,
            "stages": self.stages,
            "seconds": round(self.seconds, 2),
        }


def solve(problem: Problem, *, progress: Callable[[str, float], object] | None = None, workers: int = 0) -> Result:
    """Build and solve the model in three stages under the rules' time limit (split 50/30/20)."""
    started = clock.perf_counter()
    rules = problem.rules
    shifts = sorted(problem.shifts, key=lambda s: (s.start, s.id))
    volunteers = problem.volunteers
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for vi, v in enumerate(volunteers):
        for si, s in enumerate(shifts):
            if can_take(v, s):
                x[vi, si] = model.new_bool_var(f"x{vi}_{si}")
    by_volunteer: dict[int, list[int]] = defaultdict(list)
    by_shift: dict[int, list[int]] = defaultdict(list)
    for vi, si in x:
        by_volunteer[vi].append(si)
        by_shift[si].append(vi)

    shortfall = []
    for si, s in enumerate(shifts):
        taken = sum(x[vi, si] for vi in by_shift[si])
        model.add(taken <= s.max)
        short = model.new_int_var(0, s.min, f"short{si}")
        model.add(taken + short >= s.min)
        shortfall.append(short)

    cap = int(rules.max_hours_per_7_days * 60)
    week = timedelta(days=7)
    minutes_of: dict[int, Any] = {}
    for vi, mine in by_volunteer.items():
        mine.sort()
        # No overlap, and the rest after an overnight shift: pairwise within the reach of each shift.
        for i, a in enumerate(mine):
            reach = shifts[a].end + _gap(shifts[a], rules)
            for b in mine[i + 1 :]:
                if shifts[b].start >= reach:
                    break
                model.add_bool_or([x[vi, a].negated(), x[vi, b].negated()])
        # Hours in any 7 days: windows starting at each of this person's shift starts.
        starts = sorted({shifts[si].start for si in mine})
        for t in starts:
            inside = [si for si in mine if t <= shifts[si].start < t + week]
            if sum(shifts[si].minutes for si in inside) > cap:
                model.add(sum(shifts[si].minutes * x[vi, si] for si in inside) <= cap)
        # Consecutive days with a shift starting on them.
        days: dict[date, list[int]] = defaultdict(list)
        for si in mine:
            days[shifts[si].start.date()].append(si)
        worked = {}
        for day, day_shifts in days.items():
            w = model.new_bool_var(f"w{vi}_{day}")
            for si in day_shifts:
                model.add_implication(x[vi, si], w)
            worked[day] = w
        span = rules.max_consecutive_days + 1
        for first in sorted(days):
            run = [worked[first + timedelta(days=k)] for k in range(span) if first + timedelta(days=k) in worked]
            if len(run) == span:
                model.add(sum(run) <= rules.max_consecutive_days)
        minutes_of[vi] = sum(shifts[si].minutes * x[vi, si] for si in mine)

    horizon = sum(s.minutes for s in shifts) or 1
    longest = max((sum(shifts[si].minutes for si in mine) for mine in by_volunteer.values()), default=0)
    high = model.new_int_var(0, longest, "max_minutes")
    low = model.new_int_var(0, longest, "min_minutes")
    for vi in by_volunteer:
        model.add(high >= minutes_of[vi])
        model.add(low <= minutes_of[vi])
    spread = model.new_int_var(0, horizon, "spread")
    model.add(spread == high - low)
    unpreferred = []
    for (vi, si), var in x.items():
        v, s = volunteers[vi], shifts[si]
        if (v.prefer_posts and s.post not in v.prefer_posts) or (v.avoid_overnight and s.overnight):
            unpreferred.append(var)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers or max(os.cpu_count() or 1, 1)
    solver.parameters.random_seed = 2020
    stages = []
    total_short = sum(shortfall)
    status = cp_model.UNKNOWN
    for name, objective, share in (
        ("coverage", total_short, 0.5),
        ("fairness", spread, 0.3),
        ("preferences", sum(unpreferred), 0.2),
    ):
        # A little is kept back for reading the solution out, so the whole call keeps the limit.
        remaining = rules.time_limit_seconds - (clock.perf_counter() - started) - 0.3
        budget = remaining if name == "preferences" else min(remaining, rules.time_limit_seconds * share)
        solver.parameters.max_time_in_seconds = max(0.5, budget)
        model.minimize(objective)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        value = int(solver.objective_value)
        stages.append(
            {"stage": name, "status": solver.status_name(status), "value": value, "seconds": round(solver.wall_time, 2)}
        )
        if progress:
            progress(name, len(stages) / 3)
        # Keep this stage's optimum (or best found) while improving the next; hint the solution.
        model.add(objective <= value)
        model.clear_hints()
        for var in x.values():
            model.add_hint(var, solver.value(var))
    if not stages:
        return Result(solver.status_name(status), [], [], {}, 0.0, [], clock.perf_counter() - started)

    assignments = sorted((shifts[si].id, volunteers[vi].id) for (vi, si), var in x.items() if solver.value(var))
    hours = {volunteers[vi].id: solver.value(minutes_of[vi]) / 60 for vi in by_volunteer}
    taken_per_shift: dict[str, int] = defaultdict(int)
    for shift_id, _v in assignments:
        taken_per_shift[shift_id] += 1
    uncovered = []
    for s in shifts:
        missing = s.min - taken_per_shift[s.id]
        if missing > 0:
            uncovered.append(
                {
                    "shift": s.id,
                    "post": s.post,
                    "start": s.start.isoformat(),
                    "missing": missing,
                    "reason": why_uncovered(s, volunteers),
                }
            )
    return Result(
        status="OPTIMAL" if len(stages) == 3 and all(st["status"] == "OPTIMAL" for st in stages) else "FEASIBLE",
        assignments=assignments,
        uncovered=uncovered,
        hours=hours,
        spread_hours=(max(hours.values()) - min(hours.values())) if hours else 0.0,
        stages=stages,
        seconds=clock.perf_counter() - started,
    )


def why_uncovered(shift: Shift, volunteers: Iterable[Volunteer]) -> str:
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
