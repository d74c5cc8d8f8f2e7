"""A generated district for measuring at city scale: `manage.py generate_city`.

The places are real: the first N neighbourhood committees of Guiyang (贵阳市) in code order from
Nanming District (the demo's district), with their real streets and districts, from the National
Bureau of Statistics' division codes kept in `scale/data/guiyang`. Below each community the
generator builds compounds of eight buildings of 24 households, fills them with fake residents
(names from common surnames and given-name characters, valid ID card numbers, a phone per
household), and writes a month of activity in every module through the ORM's fields (`insert_many`:
COPY on PostgreSQL, bulk_create elsewhere), so encryption, blind indexes and defaults are as the
application writes them. One module per domain beside this one does each part:

- volunteers (1 in 200 residents), a gate post per gate and an overnight post per community,
  shifts and assignments with check-ins, check-outs and the hours ledger;
- gates (one per compound) and their passages, with fevers and refusals;
- key persons (1 in 100), 14-day home-isolation orders and two health checks a day;
- help requests (five a community a day) and alerts;
- testing rounds every ten days, 10-in-1 tubes, results, recalls after a positive tube;
- a storeroom per community and a warehouse per street, donations received and daily issues in
  the stock ledger, with their running balances made from the entries;
- notices to every household every fifteen days, with their reach;
- the daily snapshots of every day.

Everything comes from one `random.Random(seed)` and fixed clocks, so the same arguments give the
same district (ids and ciphertexts aside).
"""

import multiprocessing
import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant
from tongzhou.checkpoints.partitions import ensure_partitions
from tongzhou.core.permissions import Role
from tongzhou.places.models import Place
from tongzhou.reports.services import snapshot_day
from tongzhou.scale import (
    assistance,
    checkpoints,
    messages,
    monitoring,
    people,
    places,
    supplies,
    testing,
    volunteers,
)
from tongzhou.scale.common import CityStats
from tongzhou.scale.people import SEAL_CHUNK
from tongzhou.supplies.models import Item


def generate_city(
    *,
    communities: int,
    residents: int,
    days: int,
    seed: int,
    snapshots: bool = True,
    log: Callable[[str], None] = print,
) -> CityStats:
    """Build the district (see the module's doc). `residents` is the total, spread evenly."""
    stats = CityStats()
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    day_list = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]

    def part(name: str) -> Any:
        class Timer:
            def __enter__(self) -> None:
                self.began = time.perf_counter()

            def __exit__(self, *exc: object) -> None:
                stats.seconds[name] = stats.seconds.get(name, 0.0) + time.perf_counter() - self.began

        return Timer()

    with part("divisions"):
        codes = places.divisions(communities)
        chosen = list(Place.objects.filter(code__in=codes).select_related("parent").order_by("code"))
        city = Place.objects.get(code="5201")
    admin, _created = User.objects.get_or_create(username="city_admin")
    if _created:
        admin.set_password(f"city-{seed}-admin")
        admin.save()
        role_grant(actor=None, user=admin, role=Role.DISTRICT_ADMIN, place=city)
    ensure_partitions(now=now)
    items = supplies.items()
    share, extra = divmod(residents, len(chosen))
    # Two processes seal the residents' numbers while this one writes (fork: they inherit the keys).
    pool = multiprocessing.get_context("fork").Pool(2) if residents >= 4 * SEAL_CHUNK else None
    try:
        _communities(chosen, share, extra, day_list, admin, items, rng, now, today, stats, part, pool, log)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    with part("supplies"):
        supplies.balances()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if snapshots:
        with part("snapshots"):
            for day in day_list:
                stats.count("snapshots", snapshot_day(day=day, within=city))
    return stats


def _communities(
    chosen: list[Place],
    share: int,
    extra: int,
    day_list: list[date],
    admin: User,
    items: list[Item],
    rng: random.Random,
    now: datetime,
    today: date,
    stats: CityStats,
    part: Callable[[str], Any],
    pool: Any,
    log: Callable[[str], None],
) -> None:
    for index, community in enumerate(chosen):
        with transaction.atomic():
            with part("places"):
                made = places.places(community, share + (index < extra), rng, stats)
            with part("people"):
                people.people(made, share + (index < extra), rng, today, now, stats, pool)
            with part("checkpoints"):
                checkpoints.gates_and_passages(made, day_list, rng, now, stats)
            with part("monitoring"):
                monitoring.monitoring(made, day_list, admin, rng, now, stats)
            with part("assistance"):
                assistance.requests_and_alerts(made, day_list, rng, now, stats)
            with part("volunteers"):
                volunteers.volunteers(made, day_list, admin, rng, now, stats)
            with part("testing"):
                testing.testing(made, day_list, admin, rng, now, stats)
            with part("supplies"):
                supplies.supplies(made, day_list, items, rng, now, stats)
            with part("notices"):
                messages.notices(made, day_list, admin, rng, stats)
        if (index + 1) % 10 == 0 or index + 1 == len(chosen):
            log(f"{index + 1}/{len(chosen)} communities, {stats.rows.get('people', 0):,} residents")
