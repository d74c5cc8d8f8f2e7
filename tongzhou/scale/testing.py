"""Testing rounds every ten days: 10-in-1 tubes, samples, results, recalls after a positive tube."""

import random
from datetime import date, datetime, timedelta

from tongzhou.accounts.models import User
from tongzhou.core.bulk import insert_many
from tongzhou.scale.common import CityStats, Community, when, write
from tongzhou.testing.models import Recall, Round, Sample, Tube


def testing(
    place: Community, days: list[date], staff: User, rng: random.Random, now: datetime, stats: CityStats
) -> None:
    pool = 10
    for start in days[::10]:
        test_round = Round(
            place=place.place,
            place_path=place.place.path,
            name=f"{place.place.name}{start:%m月%d日}核酸筛查",
            pool_size=pool,
            starts_on=start,
            ends_on=start + timedelta(days=1),
            status="closed" if start + timedelta(days=1) < days[-1] else "open",
            created_by=staff,
            created_at=when(start - timedelta(days=1), 15),
        )
        insert_many([test_round], as_given=("created_at",))
        sampled = [r for r in place.residents if rng.random() < 0.92]
        tubes = []
        samples: list[tuple[Tube, tuple[int, int, str], datetime]] = []
        for t in range(0, len(sampled), pool):
            members = sampled[t : t + pool]
            taken = when(start, 8 + 8 * t / max(1, len(sampled)))
            if taken > now:
                break
            positive = rng.random() < 0.0005
            tube = Tube(
                round=test_round,
                barcode=f"{place.place.code}{start:%y%m%d}{t // pool:05d}",
                capacity=pool,
                filled=len(members),
                place_path=members[0][2],
                opened_at=taken,
                result="positive" if positive else "negative",
                result_at=taken + timedelta(hours=10) if taken + timedelta(hours=10) < now else None,
            )
            if tube.result_at is None:
                tube.result = "pending"
            tubes.append(tube)
            samples += [(tube, member, taken) for member in members]
        insert_many(tubes, as_given=("opened_at",))
        write(
            Sample,
            (
                {
                    "round_id": test_round.pk,
                    "round_on": test_round.starts_on,
                    "tube_id": tube.pk,
                    "person_id": person_id,
                    "household_id": household_id,
                    "place_path": path,
                    "taken_at": taken,
                    "taken_by_id": staff.pk,
                }
                for tube, (person_id, household_id, path), taken in samples
            ),
            stats,
            "samples",
        )
        recalls = [
            Recall(
                round=test_round,
                person_id=person_id,
                household_id=household_id,
                place_path=path,
                tube=tube,
                created_at=tube.result_at or taken,
            )
            for tube, (person_id, household_id, path), taken in samples
            if tube.result == "positive"
        ]
        insert_many(recalls, as_given=("created_at",))
        stats.count("rounds", 1)
        stats.count("tubes", len(tubes))
        stats.count("recalls", len(recalls))
