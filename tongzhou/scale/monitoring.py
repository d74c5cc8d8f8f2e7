"""Key persons (1 in 100 residents), their 14-day isolation orders and two health checks a day."""

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tongzhou.accounts.models import User
from tongzhou.core.bulk import insert_many
from tongzhou.monitoring.models import HealthCheck, IsolationOrder, KeyPerson
from tongzhou.scale.common import CityStats, Community, when, write


def monitoring(
    place: Community, days: list[date], officer: User, rng: random.Random, now: datetime, stats: CityStats
) -> None:
    today = days[-1]
    chosen = place.residents[rng.randrange(min(100, len(place.residents))) :: 100] if place.residents else []
    key_persons = [
        KeyPerson(
            person_id=person_id,
            place_path=path,
            reason=rng.choice(("risk_area", "close_contact", "inbound")),
            risk_area=rng.choice(("", "上海市浦东新区", "西安市雁塔区")),
            arrived_on=days[0] - timedelta(days=rng.randint(0, 13)),
            risk_level=rng.choice(("low", "medium", "high")),
            registered_by=officer,
        )
        for person_id, _household, path in chosen
    ]
    for key_person in key_persons:
        key_person.created_at = when(key_person.arrived_on or days[0], 10)
    insert_many(key_persons, as_given=("created_at",))
    orders = []
    for key_person in key_persons:
        starts = days[0] - timedelta(days=13) + timedelta(days=rng.randint(0, len(days) + 12))
        ends = starts + timedelta(days=14)
        released = ends <= today
        orders.append(
            IsolationOrder(
                key_person=key_person,
                place_path=key_person.place_path,
                kind=rng.choice(("home_isolation", "home_isolation", "home_monitoring")),
                starts_on=starts,
                planned_end_on=ends,
                check_times=["08:00", "20:00"],
                status="released" if released else "active",
                next_due_at=None if released else when(today, 20),
                ended_at=when(ends, 10) if released else None,
                ordered_by=officer,
                created_at=when(starts, 9),
            )
        )
    insert_many(orders, as_given=("created_at",))
    stats.count("key_persons", len(key_persons))
    stats.count("isolation_orders", len(orders))

    def checks() -> Iterator[dict[str, Any]]:
        for order in orders:
            day = max(order.starts_on, days[0])
            last = min(order.planned_end_on, today)
            while day <= last:
                for hour in (8, 20):
                    at = when(day, hour + rng.random())
                    if at < now and rng.random() < 0.97:
                        yield {
                            "order_id": order.pk,
                            "done_at": at,
                            "method": rng.choice(("phone", "phone", "visit", "self")),
                            "checked_by_id": officer.pk,
                            "reached": True,
                            "temperature": Decimal(f"36.{rng.randint(0, 9)}"),
                        }
                day += timedelta(days=1)

    write(HealthCheck, checks(), stats, "health_checks")
