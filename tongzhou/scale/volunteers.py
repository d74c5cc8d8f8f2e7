"""Volunteers (1 in 200 residents), a gate post per gate and an overnight post per community, shifts
and assignments with check-ins, check-outs and the hours ledger."""

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from tongzhou.accounts.models import User
from tongzhou.core.bulk import insert_many
from tongzhou.scale.common import CityStats, Community, fake_name, fake_phone, store, when
from tongzhou.volunteers.models import Assignment, HoursEntry, Post, Shift, Team, Volunteer

SHIFTS = {"gate": [(7, 13), (13, 19)], "sealed_building": [(19, 31)]}  # 19:00 to 07:00 the next day


def volunteers(
    place: Community, days: list[date], staff: User, rng: random.Random, now: datetime, stats: CityStats
) -> None:
    count = max(2, len(place.residents) // 200)
    volunteers = [
        Volunteer(
            name=fake_name(rng),
            phone=fake_phone(rng),
            community=place.place,
            place_path=place.place.path,
            consent_at=when(days[0], 9),
            status="approved",
            vetted_by=staff,
            vetted_at=when(days[0], 10),
        )
        for _ in range(count)
    ]
    insert_many(volunteers)
    place.volunteers = volunteers
    team = Team(
        name=f"{place.place.name}志愿服务队", kind="volunteer_team", place=place.place, place_path=place.place.path
    )
    insert_many([team])
    posts = [
        Post(place=gate.place, place_path=gate.place_path, name=f"{gate.place.name}大门", duty="gate")
        for gate in place.gates
    ]
    posts.append(
        Post(place=place.compounds[0], place_path=place.compounds[0].path, name="封控楼栋值守", duty="sealed_building")
    )
    for post in posts:
        post.check_token = uuid.UUID(int=rng.getrandbits(128)).hex
    insert_many(posts)
    shifts = [
        Shift(
            post=post,
            place_path=post.place_path,
            start=when(day, start),
            end=when(day, end),
            min_people=1,
            max_people=2,
            published=True,
        )
        for post in posts
        for day in days
        for start, end in SHIFTS[post.duty]
    ]
    insert_many(shifts)
    # Two different volunteers a shift, in turn (there are always at least two).
    assignments = []
    for turn, shift in enumerate(shifts):
        for seat in range(2):
            done = shift.end < now and rng.random() < 0.95
            assignments.append(
                Assignment(
                    shift=shift,
                    volunteer=volunteers[(2 * turn + seat) % len(volunteers)],
                    source="roster",
                    created_at=shift.start - timedelta(days=2),
                    checked_in_at=shift.start + timedelta(minutes=rng.randint(-10, 10)) if shift.start < now else None,
                    checked_out_at=shift.end + timedelta(minutes=rng.randint(-5, 15)) if done else None,
                )
            )
    store(assignments, stats, "assignments", as_given=("created_at",))
    hours = [
        HoursEntry(
            volunteer=a.volunteer,
            assignment=a,
            hours=Decimal(round((a.checked_out_at - a.checked_in_at).total_seconds() / 3600, 1)),
            created_at=a.checked_out_at,
            # As HoursEntry.save() fills them: the shift's post and start, which the proposals read.
            post=a.shift.post,
            shift_start=a.shift.start,
        )
        for a in assignments
        if a.checked_out_at and a.checked_in_at
    ]
    store(hours, stats, "hours", as_given=("created_at",))
    stats.count("volunteers", len(volunteers))
    stats.count("shifts", len(shifts))
