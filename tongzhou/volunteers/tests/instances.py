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
