"""Benchmark: the duty-roster solver on a generated street, every roster verified by the
independent checker.

    .venv/bin/python bench/roster.py [--time-limit 30]

Instances (tongzhou/volunteers/tests/instances.py): 150 volunteers, 10 posts (two needing a
skill), 28 days, a day shift 07:00–19:00 and an overnight shift 19:00–07:00 per post and day,
volunteers free two or three weekly shift-slots each. "1.2×": 2 people a shift, the volunteers'
shift-slots 1.2 × that demand. "over-demanded": the same volunteers, 3 people a shift (0.8×).
For each: the CP-SAT solver under the time limit (wall time of the whole call, model building
included; and when the coverage stage was proven optimal), and, side by side in the same run, a
greedy baseline (shifts in time order, the least-loaded eligible volunteers who break no rule).
Printed: uncovered head count, hours spread (max − min among volunteers who can take any shift),
rule violations found by the checker. Figures are printed, never asserted.
"""

import argparse
import os
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tongzhou.volunteers.roster import Problem, can_take, problem_from_dict, solve  # noqa: E402
from tongzhou.volunteers.tests.checker import check, shortfall  # noqa: E402
from tongzhou.volunteers.tests.instances import generate  # noqa: E402


def greedy(problem: Problem) -> dict[str, object]:
    rules = problem.rules
    taken: dict[str, list] = defaultdict(list)
    hours: dict[str, float] = defaultdict(float)
    assignments = []
    eligible = {v.id for v in problem.volunteers if any(can_take(v, s) for s in problem.shifts)}
    for shift in sorted(problem.shifts, key=lambda s: s.start):
        chosen = 0
        for v in sorted(problem.volunteers, key=lambda v: hours[v.id]):
            if chosen >= shift.min:
                break
            if not can_take(v, shift):
                continue
            mine = taken[v.id]
            rest = timedelta(hours=rules.min_rest_after_overnight_hours)
            if any(shift.start < s.end + (rest if s.overnight else timedelta(0)) and s.start < shift.end for s in mine):
                continue
            week = [s for s in mine if shift.start - timedelta(days=7) < s.start]
            if sum(s.minutes for s in week) + shift.minutes > rules.max_hours_per_7_days * 60:
                continue
            days = {s.start.date() for s in mine} | {shift.start.date()}
            run, day = 0, shift.start.date()
            while day in days:
                run, day = run + 1, day - timedelta(days=1)
            if run > rules.max_consecutive_days:
                continue
            mine.append(shift)
            hours[v.id] += shift.minutes / 60
            assignments.append({"shift": shift.id, "volunteer": v.id})
            chosen += 1
    loads = [hours[v] for v in eligible]
    return {"assignments": assignments, "spread_hours": max(loads) - min(loads) if loads else 0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=30)
    args = parser.parse_args()
    print(f"roster: 150 volunteers, 10 posts, 28 days, day and overnight shifts ({os.cpu_count()} cores)")
    print(f"  CP-SAT with a {args.time_limit:.0f} s limit, three stages (coverage, fairness, preferences)")
    print(f"  {'instance':<16} {'method':<8} {'uncovered':>9} {'spread h':>9} {'violations':>10} {'seconds':>8}  notes")
    for label, minimum in (("1.2× capacity", 2), ("over-demanded", 3)):
        data = generate(minimum=minimum, time_limit=args.time_limit)
        problem = problem_from_dict(data)
        demand = sum(s["min"] for s in data["shifts"])
        started = time.perf_counter()
        result = solve(problem).to_dict()
        seconds = time.perf_counter() - started
        coverage = result["stages"][0]
        note = (
            f"{len(data['shifts'])} shifts, {demand} people needed; coverage {coverage['status'].lower()} "
            f"after {coverage['seconds']:.1f} s; status {result['status']}"
        )
        print(
            f"  {label:<16} {'CP-SAT':<8} {shortfall(data, result):>9} {result['spread_hours']:>9.0f} "
            f"{len(check(data, result)):>10} {seconds:>8.1f}  {note}"
        )
        started = time.perf_counter()
        baseline = greedy(problem)
        seconds = time.perf_counter() - started
        print(
            f"  {'':<16} {'greedy':<8} {shortfall(data, baseline):>9} {baseline['spread_hours']:>9.0f} "
            f"{len(check(data, baseline)):>10} {seconds:>8.1f}  baseline: least-loaded first, in time order"
        )


if __name__ == "__main__":
    main()
