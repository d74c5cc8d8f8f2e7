"""Benchmark: the duty-roster solver against its own greedy baseline and, where one is known, a
planted full cover; every roster verified by the independent checker.

    .venv/bin/python bench/roster.py [--time-limit 30]

Instances (tongzhou/volunteers/tests/instances.py), 28 days, a day shift 07:00–19:00 and an
overnight shift 19:00–07:00 per post and day:
- "1.2×": 150 volunteers, 10 posts (two needing a skill), 2 people a shift, the volunteers'
  weekly shift-slots 1.2 × that demand;
- "planted": 3 posts, 2 people a shift, volunteers built around a known full cover that keeps
  every rule, from 16 November across the month end (Asia/Shanghai);
- "over-demanded": the 1.2× volunteers, 3 people a shift (0.8×).
Printed per instance: the uncovered head count and the hours spread (max − min among volunteers
who can take a shift) of the solver, the greedy roster (the solver's own baseline, built first)
and the planted one; the wall time of the whole solve call (model building included); the stage
outcomes (proven, improved, timed_out); and the checker's violations. Figures are printed, never
asserted.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tongzhou.volunteers.roster import problem_from_dict, solve  # noqa: E402
from tongzhou.volunteers.tests.checker import check, shortfall  # noqa: E402
from tongzhou.volunteers.tests.instances import generate, planted  # noqa: E402


def spread(problem: dict, roster: dict, eligible: set[str]) -> float:
    hours = dict.fromkeys(eligible, 0.0)
    shifts = {s["id"]: s for s in problem["shifts"]}
    for a in roster["assignments"]:
        s = shifts[a["shift"]]
        hours[a["volunteer"]] += (int(s["end"][11:13]) - int(s["start"][11:13])) % 24 or 24
    return max(hours.values()) - min(hours.values()) if hours else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=30)
    args = parser.parse_args()
    print(
        f"roster: 28 days, day and overnight shifts; CP-SAT with a {args.time_limit:g} s limit ({os.cpu_count()} cores)"
    )
    print("  stages: coverage, max_load, spread, preferences (P proven, I improved, T timed out)")
    head = f"  {'instance':<14} {'shifts':>6} {'needed':>6} {'uncovered s/g/p':>16} {'spread h s/g/p':>16}"
    print(head + f" {'seconds':>7} {'stages':>7} {'violations':>10}")
    problem_planted, plant = planted(posts=3, time_limit=args.time_limit)
    for label, data, known in (
        ("1.2× capacity", generate(minimum=2, time_limit=args.time_limit), None),
        ("planted", problem_planted, plant),
        ("over-demanded", generate(minimum=3, time_limit=args.time_limit), None),
    ):
        started = time.perf_counter()
        result = solve(problem_from_dict(data)).to_dict()
        seconds = time.perf_counter() - started
        greedy = result["greedy"]
        eligible = set(result["hours"])
        planted_missing = "-" if known is None else str(shortfall(data, known))
        planted_spread = "-" if known is None else f"{spread(data, known, eligible):.0f}"
        missing = f"{shortfall(data, result)}/{greedy['uncovered']}/{planted_missing}"
        spreads = f"{result['spread_hours']:.0f}/{greedy['spread_hours']:.0f}/{planted_spread}"
        outcomes = "".join(s["outcome"][0].upper() for s in result["stages"])
        print(
            f"  {label:<14} {len(data['shifts']):>6} {sum(s['min'] for s in data['shifts']):>6} {missing:>16} "
            f"{spreads:>16} {seconds:>7.1f} {outcomes:>7} {len(check(data, result)):>10}"
        )
        for s in result["stages"]:
            print(
                f"      {s['stage']:<12} {s['status']:<9} {s['outcome']:<10} {s['start']:>6g} → {s['value']:<6g}"
                f" {s['seconds']:>5.1f} s"
            )


if __name__ == "__main__":
    main()
