"""An independent checker of a roster against its problem, written apart from the solver (raw JSON
in, its own parsing and arithmetic): every hard rule, and the coverage. Returns the violations,
each naming the rule, the volunteer and the shifts."""

import itertools
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo


def _local(value: str, tz: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")[:2]
    return int(hours) * 60 + int(minutes)


def _inside_availability(volunteer: dict[str, Any], start: datetime, end: datetime) -> bool:
    """Every quarter hour of the shift lies in some occurrence of a window (windows may join)."""
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    occurrences = []
    for window in volunteer.get("availability", []):
        weekday = window["weekday"]
        if isinstance(weekday, str):
            weekday = names.index(weekday.lower()[:3])
        opens, closes = _minutes(window["start"]), _minutes(window["end"])
        length = closes - opens if closes > opens else closes + 1440 - opens
        day = start.date() - timedelta(days=2)
        while day <= end.date():
            if day.weekday() == weekday:
                begin = datetime(day.year, day.month, day.day, tzinfo=start.tzinfo) + timedelta(minutes=opens)
                occurrences.append((begin, begin + timedelta(minutes=length)))
            day += timedelta(days=1)
    # Every quarter hour of the shift, and its last minute, inside some occurrence.
    marks = [start + timedelta(minutes=m) for m in range(0, int((end - start).total_seconds() // 60), 15)]
    marks.append(end - timedelta(minutes=1))
    return all(any(begin <= mark < finish for begin, finish in occurrences) for mark in marks)


def check(problem: dict[str, Any], roster: dict[str, Any]) -> list[str]:
    tz = ZoneInfo(problem.get("timezone", "Asia/Shanghai"))
    rules = {
        "min_rest_after_overnight_hours": 11,
        "max_hours_per_7_days": 48,
        "max_consecutive_days": 6,
        "min_rest_hours": 8,
        "max_continuous_hours": 12,
    }
    rules.update({k: v for k, v in problem.get("rules", {}).items() if k in rules})
    volunteers = {v["id"]: v for v in problem["volunteers"]}
    shifts = {s["id"]: {**s, "start": _local(s["start"], tz), "end": _local(s["end"], tz)} for s in problem["shifts"]}
    problems: list[str] = []
    per_shift: dict[str, list[str]] = defaultdict(list)
    per_volunteer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in roster["assignments"]:
        shift, who = shifts[item["shift"]], volunteers[item["volunteer"]]
        per_shift[shift["id"]].append(who["id"])
        per_volunteer[who["id"]].append(shift)
        if not set(shift.get("skills", [])) <= set(who.get("skills", [])):
            problems.append(f"skill: {who['id']} lacks {shift.get('skills')} for {shift['id']}")
        if not _inside_availability(who, shift["start"], shift["end"]):
            problems.append(f"availability: {who['id']} is not available for {shift['id']}")
        touched = {
            (shift["start"] + timedelta(minutes=m)).date()
            for m in range(0, int((shift["end"] - shift["start"]).total_seconds() // 60), 30)
        }
        if touched & {date.fromisoformat(d) for d in who.get("blackout_dates", [])}:
            problems.append(f"blackout: {who['id']} has a blackout date in {shift['id']}")
    for shift_id, people in per_shift.items():
        if len(people) != len(set(people)):
            problems.append(f"duplicate: someone twice in {shift_id}")
        if len(people) > shifts[shift_id].get("max", shifts[shift_id].get("min", 1)):
            problems.append(f"max: {shift_id} has {len(people)}")
    for who, mine in per_volunteer.items():
        mine.sort(key=lambda s: s["start"])
        for earlier, later in itertools.pairwise(mine):
            if later["start"] < earlier["end"]:
                problems.append(f"overlap: {who} in {earlier['id']} and {later['id']}")
            crosses = earlier["end"].date() != earlier["start"].date() and (
                earlier["end"].hour,
                earlier["end"].minute,
            ) != (0, 0)
            rest = (later["start"] - earlier["end"]).total_seconds() / 3600
            if crosses and rest < rules["min_rest_after_overnight_hours"]:
                problems.append(f"rest: {who} rests {rest:.1f} h after overnight {earlier['id']} before {later['id']}")
            elif 0 < rest < rules["min_rest_hours"]:
                problems.append(f"rest: {who} rests {rest:.1f} h between {earlier['id']} and {later['id']}")
        # Continuous duty: shifts that start the moment the previous one ends count as one.
        stretch = 0.0
        for n, current in enumerate(mine):
            joined = n > 0 and current["start"] == mine[n - 1]["end"]
            stretch = (stretch if joined else 0.0) + (current["end"] - current["start"]).total_seconds() / 3600
            if stretch > rules["max_continuous_hours"] + 1e-9:
                problems.append(f"continuous: {who} is on duty {stretch:.1f} h without a break up to {current['id']}")
        for first in mine:
            window_end = first["start"] + timedelta(days=7)
            hours = sum(
                (s["end"] - s["start"]).total_seconds() / 3600
                for s in mine
                if first["start"] <= s["start"] < window_end
            )
            if hours > rules["max_hours_per_7_days"] + 1e-9:
                problems.append(f"hours: {who} works {hours:.1f} h in the 7 days from {first['id']}")
        days = sorted({s["start"].date() for s in mine})
        run = 1
        for previous, day in itertools.pairwise(days):
            run = run + 1 if (day - previous).days == 1 else 1
            if run > rules["max_consecutive_days"]:
                problems.append(f"consecutive: {who} works {run} days in a row up to {day}")
    return problems


def shortfall(problem: dict[str, Any], roster: dict[str, Any]) -> int:
    taken: dict[str, int] = defaultdict(int)
    for item in roster["assignments"]:
        taken[item["shift"]] += 1
    return sum(max(0, s.get("min", 1) - taken[s["id"]]) for s in problem["shifts"])
