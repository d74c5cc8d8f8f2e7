"""Generated roster problems (JSON dicts) for the tests and the benchmark.

`generate()`: POSTS posts (two needing a skill), DAYS days from START, a day shift 07:00–19:00 and
an overnight shift 19:00–07:00 per post, MIN people each; VOLUNTEERS volunteers, each free in two
or three weekly shift-slots (spread evenly over the 14 slot kinds, never an overnight followed by
the next day's day shift), a quarter with each skill, one in ten with a blackout date. Capacity
(the shift-slots volunteers can fill under the rules) is about `capacity` × the demand at two
people a shift; the same volunteers with `minimum=3` are over-demanded.
"""

import random
from datetime import date, datetime, timedelta
from typing import Any

SLOTS = [(weekday, kind) for weekday in range(7) for kind in ("day", "night")]


def _window(slot: tuple[int, str]) -> dict[str, Any]:
    weekday, kind = slot
    return (
        {"weekday": weekday, "start": "07:00", "end": "19:00"}
        if kind == "day"
        else {
            "weekday": weekday,
            "start": "19:00",
            "end": "07:00",
        }
    )


def generate(
    *,
    volunteers: int = 150,
    posts: int = 10,
    days: int = 28,
    minimum: int = 2,
    capacity: float = 1.2,
    start: date = date(2026, 12, 1),
    seed: int = 2020,
    time_limit: float = 30,
) -> dict[str, Any]:
    rng = random.Random(seed)
    skills = {0: ["medical"], 1: ["driving"]}
    shifts = []
    for d in range(days):
        day = start + timedelta(days=d)
        for p in range(posts):
            for kind, begin, length in (("day", 7, 12), ("night", 19, 12)):
                opens = datetime(day.year, day.month, day.day, begin)
                shifts.append(
                    {
                        "id": f"p{p}-{day:%m%d}-{kind}",
                        "post": f"post-{p}",
                        "start": opens.isoformat(timespec="minutes"),
                        "end": (opens + timedelta(hours=length)).isoformat(timespec="minutes"),
                        "min": minimum,
                        "max": minimum + 1,
                        "skills": skills.get(p, []),
                    }
                )
    # Weekly shift-slots the volunteers offer: `capacity` × the demand at 2 people a shift (so the
    # same volunteers with minimum=3 make an over-demanded instance), spread over the 14 kinds.
    weekly_slots = round(posts * len(SLOTS) * 2 * capacity)
    per_volunteer = [2] * volunteers
    extra = weekly_slots - 2 * volunteers
    for i in range(max(0, min(extra, volunteers))):
        per_volunteer[i] = 3
    rng.shuffle(per_volunteer)
    # Every slot kind gets its share: the kinds with the most places left are filled first.
    left = {
        slot: weekly_slots // len(SLOTS) + (1 if i < weekly_slots % len(SLOTS) else 0) for i, slot in enumerate(SLOTS)
    }
    people = []
    for n, count in enumerate(per_volunteer):
        chosen: list[tuple[int, str]] = []
        for _ in range(count):
            for slot in sorted(SLOTS, key=lambda k: (-left[k], rng.random())):
                clash = any(
                    (kind == "night" and slot[1] == "day" and (weekday + 1) % 7 == slot[0])
                    or (slot[1] == "night" and kind == "day" and (slot[0] + 1) % 7 == weekday)
                    or (weekday, kind) == slot
                    for weekday, kind in chosen
                )
                if left[slot] > 0 and not clash:
                    chosen.append(slot)
                    left[slot] -= 1
                    break
        people.append(
            {
                "id": f"v{n:03d}",
                "skills": (["medical"] if n % 6 == 0 else []) + (["driving"] if n % 6 == 1 else []),
                "availability": [_window(slot) for slot in chosen],
                "blackout_dates": [(start + timedelta(days=rng.randrange(days))).isoformat()] if n % 10 == 0 else [],
                "prefer_posts": [f"post-{n % posts}"] if n % 3 == 0 else [],
                "avoid_overnight": n % 5 == 0,
            }
        )
    # Enough people with each skill in every slot kind for its post: minimum + 1.
    for skill in ("medical", "driving"):
        for slot in SLOTS:
            window = _window(slot)
            offering = [p for p in people if window in p["availability"]]
            short = minimum + 1 - sum(skill in p["skills"] for p in offering)
            for person in offering:
                if short <= 0:
                    break
                if not person["skills"]:
                    person["skills"].append(skill)
                    short -= 1
    return {
        "timezone": "Asia/Shanghai",
        "rules": {
            "min_rest_after_overnight_hours": 11,
            "max_hours_per_7_days": 48,
            "max_consecutive_days": 6,
            "time_limit_seconds": time_limit,
        },
        "volunteers": people,
        "shifts": shifts,
    }


def _slots_clash(a: tuple[int, str], b: tuple[int, str]) -> bool:
    """Two weekly 12-hour slots one person cannot both hold every week under the default rules:
    the same slot, a day and the night after it (24 h without a break), or a night and the next
    morning (no rest after an overnight shift)."""
    (wa, ka), (wb, kb) = a, b
    return (
        a == b
        or (wa == wb and ka != kb)
        or (ka == "night" and kb == "day" and (wa + 1) % 7 == wb)
        or (kb == "night" and ka == "day" and (wb + 1) % 7 == wa)
    )


def planted(
    *,
    posts: int = 3,
    days: int = 28,
    minimum: int = 2,
    start: date = date(2026, 11, 16),
    seed: int = 2020,
    extra: int = 4,
    time_limit: float = 10,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A problem with a known full cover, and that cover (`{"assignments": [...]}`).

    Every (post, weekday, day or night) needs `minimum` people; each of them is given to a person
    who holds two or three such weekly slots that never clash (at most 36 h a week and 3 days in a
    row), every week of the period, which runs across a month end (from 16 November by default) in
    Asia/Shanghai (no daylight saving). A person's availability is exactly the windows of their
    slots, plus one more for a third of them; skills follow the posts they hold; a blackout date
    never touches a planted shift. `extra` more volunteers are free at random times.
    """
    rng = random.Random(seed)
    skills = {0: "medical", 1: "driving"}
    units = [(p, slot) for p in range(posts) for slot in SLOTS for _ in range(minimum)]
    rng.shuffle(units)
    holders: list[list[tuple[int, tuple[int, str]]]] = []
    for unit in units:
        open_people = [h for h in holders if len(h) < 3 and not any(_slots_clash(unit[1], s) for _p, s in h)]
        if open_people and (rng.random() < 0.8 or any(len(h) < 2 for h in open_people)):
            min(open_people, key=len).append(unit)
        else:
            holders.append([unit])
    shifts = []
    planted_assignments = []
    for d in range(days):
        day = start + timedelta(days=d)
        for p in range(posts):
            for kind, begin in (("day", 7), ("night", 19)):
                opens = datetime(day.year, day.month, day.day, begin)
                shift_id = f"p{p}-{day:%m%d}-{kind}"
                shifts.append(
                    {
                        "id": shift_id,
                        "post": f"post-{p}",
                        "start": opens.isoformat(timespec="minutes"),
                        "end": (opens + timedelta(hours=12)).isoformat(timespec="minutes"),
                        "min": minimum,
                        "max": minimum + 1,
                        "skills": [skills[p]] if p in skills else [],
                    }
                )
                for n, held in enumerate(holders):
                    if (p, (day.weekday(), kind)) in held:
                        planted_assignments.append({"shift": shift_id, "volunteer": f"v{n:03d}"})
    people = []
    for n, held in enumerate(holders):
        slots = {s for _p, s in held}
        spare = [s for s in SLOTS if not any(_slots_clash(s, mine) for mine in slots)]
        if spare and n % 3 == 0:
            slots.add(rng.choice(spare))
        worked = {
            start + timedelta(days=d) + timedelta(days=k)
            for d in range(days)
            for k in (0, 1)
            if any((start + timedelta(days=d)).weekday() == w for _p, (w, _k) in held)
        }
        free_days = [start + timedelta(days=d) for d in range(days) if start + timedelta(days=d) not in worked]
        people.append(
            {
                "id": f"v{n:03d}",
                "skills": sorted({skills[p] for p, _s in held if p in skills}),
                "availability": [_window(s) for s in sorted(slots)],
                "blackout_dates": [rng.choice(free_days).isoformat()] if free_days and n % 4 == 0 else [],
                "prefer_posts": [f"post-{held[0][0]}"] if n % 2 == 0 else [],
                "avoid_overnight": False,
            }
        )
    for k in range(extra):
        people.append(
            {
                "id": f"x{k:03d}",
                "skills": [],
                "availability": [_window(s) for s in rng.sample(SLOTS, 2)],
                "blackout_dates": [],
            }
        )
    problem = {
        "timezone": "Asia/Shanghai",
        "rules": {
            "min_rest_after_overnight_hours": 11,
            "max_hours_per_7_days": 48,
            "max_consecutive_days": 6,
            "min_rest_hours": 8,
            "max_continuous_hours": 12,
            "time_limit_seconds": time_limit,
        },
        "volunteers": people,
        "shifts": shifts,
    }
    return problem, {"assignments": planted_assignments}
