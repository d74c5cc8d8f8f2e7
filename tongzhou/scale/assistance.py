"""Help requests (five a community a day) and alerts."""

import random
from datetime import date, datetime, timedelta

from tongzhou.alerts.models import Alert
from tongzhou.assistance.models import HelpRequest
from tongzhou.scale.common import CityStats, Community, fake_name, store, when

CATEGORIES = ("groceries", "groceries", "medicine", "medical_visit", "paperwork", "repairs", "psychological")


def requests_and_alerts(
    place: Community, days: list[date], rng: random.Random, now: datetime, stats: CityStats
) -> None:
    requests = []
    alerts = []
    for day in days:
        for n in range(5):
            opened = when(day, 8 + 2 * n + rng.random())
            if opened > now:
                continue
            household = rng.choice(place.households)
            hours = rng.expovariate(1 / 6)
            done = opened + timedelta(hours=hours)
            finished = done < now and rng.random() < 0.9
            requests.append(
                HelpRequest(
                    created_at=opened,
                    household=household,
                    place_path=household.place.path,
                    contact_name=fake_name(rng)[0] + "*",
                    contact_last4=f"{rng.randint(0, 9999):04d}",
                    category=rng.choice(CATEGORIES),
                    urgency="urgent" if rng.random() < 0.1 else "normal",
                    summary="代购生活物资",
                    status="done" if finished else rng.choice(("new", "assigned", "in_progress")),
                    due_at=opened + timedelta(hours=24),
                    done_at=done if finished else None,
                )
            )
        for n in range(2):
            raised = when(day, 9 + 6 * n + rng.random())
            if raised > now:
                continue
            closed = n == 0 or day < days[-1]
            alerts.append(
                Alert(
                    kind="city_generated",
                    place=place.place,
                    place_path=place.place.path,
                    severity=rng.choice(("low", "medium", "high")),
                    created_at=raised,
                    status="closed" if closed else "open",
                    closed_at=raised + timedelta(hours=2) if closed else None,
                )
            )
    store(requests, stats, "help_requests", as_given=("created_at",))
    store(alerts, stats, "alerts")
