"""A generated district for measuring at city scale: `manage.py generate_city`.

The places are real: the first N neighbourhood committees of Guiyang (贵阳市) in code order from
Nanming District (the demo's district), with their real streets and districts, from the National
Bureau of Statistics' division codes kept in `scale/data/guiyang`. Below each community the
generator builds compounds of eight buildings of 24 households, fills them with fake residents
(names from common surnames and given-name characters, valid ID card numbers, a phone per
household), and writes a month of activity in every module. Rows go in by COPY on PostgreSQL
(`core.bulk`: `insert_many` for the few that need the ORM's field preparation, `insert_rows` for
the mass), with encrypted values sealed as EncryptedField seals them (the residents' numbers in
a pool of processes), so the application reads them as its own. One module per domain beside
this one does each part:

- places: compounds of eight buildings of 24 households; people: the residents;
- volunteers (1 in 200 residents), a gate post per gate and an overnight post per community,
  shifts and assignments with check-ins, check-outs and the hours ledger;
- checkpoints: gates (one per compound) and their passages, with fevers and refusals;
- monitoring: key persons (1 in 100), 14-day home-isolation orders and two health checks a day;
- assistance: help requests (five a community a day) and alerts;
- welfare: a protection plan per community, its volunteers enrolled, claims at every step;
- testing: rounds every ten days, 10-in-1 tubes, results, recalls after a positive tube;
- supplies: a storeroom per community, donations received and daily issues in the stock ledger,
  a compound's household distribution every ten days (packed building by building out of the
  store, delivered door to door), with the running balances made from the entries;
- messages: notices to every household every fifteen days, their reach, and a text to every
  household head through the outbox, with how far it got;
- the daily snapshots of every day.

Each community draws from its own `random.Random` (the seed and its code), and every clock is
counted from `now`, so the same arguments and `now` give the same district (ids and ciphertexts
aside), however many processes build it.
"""

import multiprocessing
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant
from tongzhou.core import partitions
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
    welfare,
)
from tongzhou.scale.common import CityStats, timed
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
    now: datetime | None = None,
    workers: int = 1,
) -> CityStats:
    """Build the district (see the module's doc). `residents` is the total, spread evenly; `now`
    the clock the month ends at (the time of the run unless given). Each community draws from its
    own generator (the seed and its code), so the district is the same whatever the order they
    are built in: with `workers` > 1 (PostgreSQL) that many processes build them side by side,
    each community in its own transaction, and the part times are summed over the processes."""
    stats = CityStats()
    now = now or timezone.now()
    today = timezone.localdate(now)
    day_list = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]
    with timed(stats, "divisions"):
        codes = places.divisions(communities)
        chosen = list(Place.objects.filter(code__in=codes).order_by("code").values_list("pk", flat=True))
        city = Place.objects.get(code="5201")
    admin, _created = User.objects.get_or_create(username="city_admin")
    if _created:
        admin.set_password(f"city-{seed}-admin")
        admin.save()
        role_grant(actor=None, user=admin, role=Role.DISTRICT_ADMIN, place=city)
    # Every partitioned table's months over the days generated, from last month at least
    # (passages, health checks, samples, the stock ledger, the outbox, the audit log; a log locked
    # down has its months already and is not this role's to change).
    since = min(day_list[0], partitions.month_start(today, -1))
    for spec in partitions.tables():
        if partitions.is_partitioned(spec) and partitions.owned(spec):
            partitions.ensure_partitions(spec, now=now, since=since)
    item_ids = [item.pk for item in supplies.items()]
    share, extra = divmod(residents, len(chosen))
    jobs = [
        Job(pk, share + (index < extra), seed, day_list, now, admin.pk, item_ids) for index, pk in enumerate(chosen)
    ]
    # Other processes see only committed rows: inside a caller's transaction (a test) build here.
    if workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Each process opens its own connection: none may be inherited open.
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for done, made in enumerate(pool.imap_unordered(_build, jobs), start=1):
                stats.merge(made)
                _progress(done, len(jobs), stats, log)
    else:
        # Two processes seal the residents' numbers while this one writes (fork: they inherit the keys).
        seal = multiprocessing.get_context("fork").Pool(2) if residents >= 4 * SEAL_CHUNK else None
        try:
            for done, job in enumerate(jobs, start=1):
                stats.merge(_build(job, seal))
                _progress(done, len(jobs), stats, log)
        finally:
            if seal is not None:
                seal.close()
                seal.join()
    with timed(stats, "supplies"):
        supplies.balances()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if snapshots:
        with timed(stats, "snapshots"):
            for day in day_list:
                stats.count("snapshots", snapshot_day(day=day, within=city, now=now))
    return stats


@dataclass(frozen=True)
class Job:
    community_id: int
    residents: int
    seed: int
    days: list[date]
    now: datetime
    admin_id: int
    item_ids: list[int]


def _progress(done: int, total: int, stats: CityStats, log: Callable[[str], None]) -> None:
    if done % 10 == 0 or done == total:
        log(f"{done}/{total} communities, {stats.rows.get('people', 0):,} residents")


def _build(job: Job, seal: Any = None) -> CityStats:
    """One community and its month, in one transaction; returns what it made."""
    stats = CityStats()
    community = Place.objects.select_related("parent").get(pk=job.community_id)
    admin = User.objects.get(pk=job.admin_id)
    items = list(Item.objects.filter(pk__in=job.item_ids).order_by("pk"))
    rng = random.Random(f"{job.seed}:{community.code}")
    days, now = job.days, job.now
    with transaction.atomic():
        with timed(stats, "places"):
            made = places.places(community, job.residents, rng, stats)
        with timed(stats, "people"):
            people.people(made, job.residents, rng, timezone.localdate(now), now, stats, seal)
        with timed(stats, "checkpoints"):
            checkpoints.gates_and_passages(made, days, rng, now, stats)
        with timed(stats, "monitoring"):
            monitoring.monitoring(made, days, admin, rng, now, stats)
        with timed(stats, "assistance"):
            assistance.requests_and_alerts(made, days, rng, now, stats)
        with timed(stats, "volunteers"):
            volunteers.volunteers(made, days, admin, rng, now, stats)
        with timed(stats, "welfare"):
            welfare.welfare(made, days, admin, rng, now, stats)
        with timed(stats, "testing"):
            testing.testing(made, days, admin, rng, now, stats)
        with timed(stats, "supplies"):
            store = supplies.supplies(made, days, items, rng, now, stats)
            supplies.distributions(made, store, days, items, admin, rng, now, stats)
        with timed(stats, "notices"):
            messages.notices(made, days, admin, rng, now, stats)
    return stats
