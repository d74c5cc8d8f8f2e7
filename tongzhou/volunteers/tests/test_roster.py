"""The roster solver on its own (no database), its output verified by the independent checker:
availability windows across midnight and week ends, rest after overnight shifts across midnight
and month ends, hours in any 7 days, consecutive days, skills, blackout dates, head counts, the
reasons for uncovered shifts, and the JSON command line."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tongzhou.volunteers.roster import ProblemError, problem_from_dict, solve
from tongzhou.volunteers.tests.checker import check, shortfall
from tongzhou.volunteers.tests.instances import generate

ROOT = Path(__file__).resolve().parents[3]
ANY_TIME = [{"weekday": d, "start": "00:00", "end": "00:00"} for d in range(7)]  # 24 h every day


def shift(id, start, end, *, post="gate", minimum=1, maximum=1, skills=()):
    return {"id": id, "post": post, "start": start, "end": end, "min": minimum, "max": maximum, "skills": list(skills)}


def volunteer(id, *, availability=ANY_TIME, skills=(), blackout=(), **extra):
    return {"id": id, "availability": availability, "skills": list(skills), "blackout_dates": list(blackout), **extra}


def run(problem):
    problem = {**problem, "rules": {"time_limit_seconds": 5, **problem.get("rules", {})}}
    result = solve(problem_from_dict(problem)).to_dict()
    assert check(problem, result) == []
    return result


def taken(result):
    return {(a["shift"], a["volunteer"]) for a in result["assignments"]}


def test_a_generated_street_is_covered_and_verified():
    problem = generate(volunteers=40, posts=3, days=14, time_limit=10)
    result = solve(problem_from_dict(problem)).to_dict()
    assert check(problem, result) == []
    assert shortfall(problem, result) == 0 == sum(u["missing"] for u in result["uncovered"])


def test_the_over_demanded_street_reports_what_it_could_not_cover():
    problem = generate(volunteers=40, posts=3, days=14, minimum=3, time_limit=10)
    result = solve(problem_from_dict(problem)).to_dict()
    assert check(problem, result) == []
    missing = sum(u["missing"] for u in result["uncovered"])
    assert missing == shortfall(problem, result) > 0
    assert {u["reason"] for u in result["uncovered"]} <= {"limits", "nobody_available", "nobody_with_skill"}


@pytest.mark.parametrize(
    ("night", "next_start", "allowed"),
    [
        # Overnight 19:00–07:00 across a month end; the next shift 10 h or 11 h after it ends.
        (("2026-01-31T19:00", "2026-02-01T07:00"), "2026-02-01T17:00", False),
        (("2026-01-31T19:00", "2026-02-01T07:00"), "2026-02-01T18:00", True),
        # Across a year end and a leap day.
        (("2026-12-31T19:00", "2027-01-01T07:00"), "2027-01-01T17:59", False),
        (("2028-02-28T19:00", "2028-02-29T07:00"), "2028-02-29T18:00", True),
    ],
)
def test_rest_after_an_overnight_shift(night, next_start, allowed):
    later_end = next_start[:11] + "23:30"
    result = run(
        {
            "volunteers": [volunteer("v1")],
            "shifts": [shift("night", *night), shift("next", next_start, later_end)],
        }
    )
    assert taken(result) == ({("night", "v1"), ("next", "v1")} if allowed else taken(result))
    assert len(result["assignments"]) == (2 if allowed else 1)
    if not allowed:
        assert result["uncovered"][0]["reason"] == "limits"


def test_no_overlap_and_a_day_shift_needs_no_rest():
    result = run(
        {
            "rules": {"max_continuous_hours": 24},  # the default 12 h would not join a and c
            "volunteers": [volunteer("v1")],
            "shifts": [
                shift("a", "2026-03-02T07:00", "2026-03-02T19:00"),
                shift("b", "2026-03-02T18:00", "2026-03-02T22:00"),
                shift("c", "2026-03-02T19:00", "2026-03-03T07:00"),
            ],
        }
    )
    assert taken(result) == {("a", "v1"), ("c", "v1")}


def test_availability_windows_cross_midnight_and_the_week_end():
    sunday_night = [{"weekday": "sun", "start": "19:00", "end": "07:00"}]
    result = run(
        {
            "volunteers": [volunteer("v1", availability=sunday_night)],
            "shifts": [
                shift("sun-night", "2026-03-08T19:00", "2026-03-09T07:00"),  # Sunday → Monday
                shift("mon-night", "2026-03-09T19:00", "2026-03-10T07:00"),
            ],
        }
    )
    assert taken(result) == {("sun-night", "v1")}
    assert result["uncovered"] == [
        {
            "shift": "mon-night",
            "post": "gate",
            "start": "2026-03-09T19:00:00+08:00",
            "missing": 1,
            "reason": "nobody_available",
        }
    ]


def test_skills_blackouts_and_the_reasons():
    result = run(
        {
            "volunteers": [volunteer("driver", skills=["driving"], blackout=["2026-03-03"]), volunteer("walker")],
            "shifts": [
                shift("deliver-2", "2026-03-02T08:00", "2026-03-02T12:00", skills=["driving"]),
                shift("deliver-3", "2026-03-03T08:00", "2026-03-03T12:00", skills=["driving"]),
                shift("deliver-4", "2026-03-04T08:00", "2026-03-04T12:00", skills=["medical"]),
            ],
        }
    )
    assert taken(result) == {("deliver-2", "driver")}
    reasons = {u["shift"]: u["reason"] for u in result["uncovered"]}
    assert reasons == {"deliver-3": "nobody_with_skill", "deliver-4": "nobody_with_skill"}


def test_hours_in_any_seven_days_and_consecutive_days():
    days = [f"2026-03-{d:02d}" for d in range(1, 11)]
    problem = {
        "rules": {"max_hours_per_7_days": 24, "max_consecutive_days": 3, "time_limit_seconds": 5},
        "volunteers": [volunteer("v1")],
        "shifts": [shift(f"d{n}", f"{d}T08:00", f"{d}T16:00") for n, d in enumerate(days)],
    }
    result = solve(problem_from_dict(problem)).to_dict()
    assert check(problem, result) == []
    assert len(result["assignments"]) == 6  # at most 3 in any 7 days: 3 + 3 over 10 days


def test_head_counts_and_fairness():
    result = run(
        {
            "volunteers": [volunteer(f"v{n}") for n in range(4)],
            "shifts": [
                shift(f"s{n}", f"2026-03-{n + 1:02d}T08:00", f"2026-03-{n + 1:02d}T12:00", minimum=1, maximum=2)
                for n in range(4)
            ],
        }
    )
    counts = {}
    for a in result["assignments"]:
        counts[a["shift"]] = counts.get(a["shift"], 0) + 1
    assert all(1 <= n <= 2 for n in counts.values()) and len(counts) == 4
    assert result["spread_hours"] == 0  # four shifts, four people: one each, or two each


def test_preferences_come_after_coverage():
    result = run(
        {
            "volunteers": [volunteer("v1", avoid_overnight=True), volunteer("v2")],
            "shifts": [shift("night", "2026-03-02T19:00", "2026-03-03T07:00", minimum=2, maximum=2)],
        }
    )
    assert len(result["assignments"]) == 2  # covered although v1 would rather not


def test_the_checker_catches_a_bad_roster():
    problem = {
        "volunteers": [volunteer("v1", availability=[{"weekday": "mon", "start": "08:00", "end": "12:00"}])],
        "shifts": [
            shift("night", "2026-01-31T19:00", "2026-02-01T07:00"),
            shift("morning", "2026-02-01T09:00", "2026-02-01T12:00", skills=["medical"]),
        ],
    }
    bad = {"assignments": [{"shift": "night", "volunteer": "v1"}, {"shift": "morning", "volunteer": "v1"}]}
    found = " ".join(check(problem, bad))
    for rule in ("rest:", "skill:", "availability:"):
        assert rule in found


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"shifts": [shift("s", "2026-03-02T10:00", "2026-03-02T09:00")]}, "shifts[0].end"),
        ({"shifts": [shift("s", "tomorrow", "2026-03-02T09:00")]}, "shifts[0].start"),
        ({"volunteers": [volunteer("v", availability=[{"weekday": 9, "start": "08:00", "end": "09:00"}])]}, "weekday"),
        ({"volunteers": [volunteer("v", availability=[{"weekday": 1, "start": "8 am", "end": "09:00"}])]}, "start"),
        ({"rules": {"max_hours": 3}}, "rules"),
    ],
)
def test_bad_problems_name_the_field(change, message):
    problem = {"volunteers": [volunteer("v")], "shifts": [shift("s", "2026-03-02T08:00", "2026-03-02T09:00")]}
    problem.update(change)
    with pytest.raises(ProblemError, match=message.replace("[", r"\[").replace("]", r"\]")):
        problem_from_dict(problem)


def test_the_json_command_line(tmp_path):
    problem = {
        "rules": {"time_limit_seconds": 5},
        "volunteers": [volunteer("v1")],
        "shifts": [shift("s1", "2026-03-02T19:00", "2026-03-03T07:00")],
    }
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem))
    done = subprocess.run(
        [sys.executable, "-m", "tongzhou.volunteers.roster", str(path)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["assignments"] == [{"shift": "s1", "volunteer": "v1"}]
    path.write_text(json.dumps({**problem, "shifts": [{"id": "s1"}]}))
    done = subprocess.run(
        [sys.executable, "-m", "tongzhou.volunteers.roster", str(path)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2 and "shifts[0].start" in done.stderr
