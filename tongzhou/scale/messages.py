"""Notices to every household every fifteen days, their reach, and the texts to the household heads
through the message pipeline (outbox rows with their statuses)."""

import random
from datetime import date, timedelta

from tongzhou.accounts.models import User
from tongzhou.core.bulk import insert_many
from tongzhou.notices.models import Notice, Reach
from tongzhou.scale.common import CityStats, Community, when, write


def notices(place: Community, days: list[date], staff: User, rng: random.Random, stats: CityStats) -> None:
    for day in days[::15]:
        notice = Notice(
            place=place.place,
            place_path=place.place.path,
            title=f"关于{day:%m月%d日}开展全员核酸检测的通知",
            body="请各位居民按时到采样点检测，带好身份证，戴好口罩，保持一米间距。",
            valid_from=day,
            valid_to=day + timedelta(days=3),
            status="sent",
            created_by=staff,
            sent_at=when(day, 9),
            recipient_count=len(place.households),
            created_at=when(day, 8),
        )
        insert_many([notice], as_given=("created_at",))
        reaches = (
            {
                "notice_id": notice.pk,
                "household_id": household.pk,
                "building_id": household.place_id,
                "place_path": household.place.path,
                "acknowledged_at": when(day, 12) if rng.random() < 0.3 else None,
                "visited_at": when(day, 15) if rng.random() < 0.05 else None,
                "created_at": when(day, 9),
                "updated_at": when(day, 9),
            }
            for household in place.households
        )
        write(Reach, reaches, stats, "notice_reach")
        stats.count("notices", 1)
