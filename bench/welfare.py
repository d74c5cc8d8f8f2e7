"""Benchmark: the gifted-enrollment proposal list for a street with 5,000 volunteers and 1,000,000
hours-ledger rows, on PostgreSQL.

    .venv/bin/python bench/welfare.py [--volunteers 5000] [--rows 1000000] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

1. A fresh database (tz_welfare_bench) gets the demo street, VOLUNTEERS approved volunteers of
   泰安巷, 100 posts at 泰安巷3号院 (60 gates, 20 sealed-building watches, 10 testing-site posts,
   10 delivery posts) with two 12-hour shifts a day over the last 120 days, and ROWS assignments,
   each checked out with its hours-ledger row (COPY).
2. `/welfare/plans/<id>/proposals/` (at least 24 hours at key posts in the last 30 days, the
   first 500 by hours) for 二戈街道's welfare officer through the test client in-process: median
   and p95 server time, and the query count.
   Baselines in the same run: (a) the selector alone, no view or template; (b) the naive way, one
   sum query per volunteer (N+1), timed once.
Figures are printed, never asserted.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
from timing import timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "tz_welfare_bench"
RUNS = 15


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, default=5_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default=BENCH_DB, help="name of the bench database (one per parallel run)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time again on a bench database kept by --keep")
    args = parser.parse_args()
    bench_db = args.db

    if not args.reuse:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {bench_db}")
            conn.execute(f"CREATE DATABASE {bench_db}")
    url = args.postgres.rsplit("/", 1)[0] + f"/{bench_db}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tongzhou.settings_test",
            "DATABASE_URL": url,
            "TONGZHOU_DEMO": "true",
            "DEBUG": "false",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from tongzhou.accounts.models import User
    from tongzhou.core.bulk import insert_many
    from tongzhou.demo import load_demo
    from tongzhou.people.idnumbers import check_digit
    from tongzhou.places.models import Place
    from tongzhou.volunteers.models import Assignment, HoursEntry, Post, Shift, Source, Volunteer

    setup_test_environment()
    try:
        if args.reuse:
            call_command("migrate", "--no-input", verbosity=0)
            time_again(args)
            return
        call_command("migrate", "--no-input", verbosity=0)
        load_demo(log=lambda message: None, extras=False)
        officer = User.objects.get(username="welfare_officer")
        taian = Place.objects.get(code="520102029004")
        compound = Place.objects.get(name="泰安巷3号院")
        started = time.perf_counter()
        now = timezone.now()
        volunteers = []
        for n in range(args.volunteers):
            first17 = f"520102198{n // 10000}{(n // 100) % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
            volunteers.append(
                Volunteer(
                    name=f"志愿{n}",
                    phone=f"137{n:08d}",
                    id_number=first17 + check_digit(first17),
                    community=taian,
                    place_path=taian.path,
                    consent_at=now,
                    status="approved",
                    created_at=now,
                    updated_at=now,
                )
            )
        insert_many(volunteers)
        duties = ["gate"] * 60 + ["sealed_building"] * 20 + ["testing_order"] * 10 + ["delivery"] * 10
        posts = [
            Post(
                place=compound,
                place_path=compound.path,
                name=f"岗{i}",
                duty=duty,
                check_token=f"bench{i}",
                created_at=now,
                updated_at=now,
            )
            for i, duty in enumerate(duties)
        ]
        insert_many(posts)
        midnight = now.replace(hour=7, minute=0, second=0, microsecond=0)
        shifts = [
            Shift(
                post=post,
                place_path=post.place_path,
                start=midnight - timedelta(days=day, hours=12 * half),
                end=midnight - timedelta(days=day, hours=12 * half) + timedelta(hours=12),
                min_people=1,
                max_people=99,
                published=True,
            )
            for day in range(120)
            for half in range(2)
            for post in posts
        ]
        insert_many(shifts)
        per_volunteer = args.rows // len(volunteers)
        step = 113  # coprime with the number of shifts: each volunteer's shifts are distinct
        batch_a: list[Assignment] = []
        batch_h: list[HoursEntry] = []
        for v_index, volunteer in enumerate(volunteers):
            for k in range(per_volunteer):
                shift = shifts[(v_index * 7 + k * step) % len(shifts)]
                batch_a.append(
                    Assignment(
                        shift=shift,
                        volunteer=volunteer,
                        source=Source.ROSTER,
                        created_at=now,
                        checked_in_at=shift.start,
                        checked_out_at=shift.end,
                    )
                )
            if len(batch_a) >= 100_000 or v_index == len(volunteers) - 1:
                insert_many(batch_a)
                batch_h = [
                    HoursEntry(
                        volunteer_id=a.volunteer_id,
                        assignment=a,
                        hours=Decimal(12),
                        created_at=now,
                        post_id=a.shift.post_id,  # what HoursEntry.save copies from the shift
                        shift_start=a.shift.start,
                    )
                    for a in batch_a
                ]
                insert_many(batch_h)
                batch_a = []
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        build = time.perf_counter() - started
        rows = HoursEntry.objects.count()

        from tongzhou.people.services import organisation_get_or_create
        from tongzhou.welfare.services.plans import PlanData, plan_create

        er_ge = Place.objects.get(code="520102029")
        union = organisation_get_or_create(actor=None, name="贵阳市职工互助保障中心", kind="trade_union", place=er_ge)
        today = timezone.localdate()
        plan = plan_create(
            actor=officer,
            place=er_ge,
            data=PlanData(
                name="一线防疫人员互助保障",
                sponsor=union,
                contribution=Decimal(30),
                starts_on=today - timedelta(days=30),
                ends_on=today + timedelta(days=335),
                waiting_days=7,
                places_total=10_000,
                benefits={"infection": Decimal(3000)},
            ),
        )
        measure(plan, officer, taian, len(volunteers), len(shifts), rows, build)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {bench_db}")


def time_again(args: argparse.Namespace) -> None:
    from tongzhou.accounts.models import User
    from tongzhou.places.models import Place
    from tongzhou.volunteers.models import HoursEntry, Shift, Volunteer
    from tongzhou.welfare.models import Plan

    measure(
        Plan.objects.get(),
        User.objects.get(username="welfare_officer"),
        Place.objects.get(code="520102029004"),
        Volunteer.objects.count(),
        Shift.objects.count(),
        HoursEntry.objects.count(),
        0.0,
    )


def measure(plan, officer, taian, n_volunteers, n_shifts, rows, build) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tongzhou.accounts.selectors import scope_for
    from tongzhou.core.permissions import Perm
    from tongzhou.volunteers.models import HoursEntry, Volunteer
    from tongzhou.welfare.selectors.plans import KEY_DUTIES, proposals

    client = Client()
    client.force_login(officer)
    url = f"/welfare/plans/{plan.pk}/proposals/?min_hours=24&days=30"
    assert client.get(url).status_code == 200
    page_med, page_p95 = timed(lambda: client.get(url), runs=RUNS)
    scope = scope_for(officer, Perm.WELFARE_MANAGE)
    bare_med, bare_p95 = timed(lambda: proposals(scope, plan, min_hours=Decimal(24), days=30), runs=RUNS)
    with CaptureQueriesContext(connection) as queries:
        found = len(proposals(scope, plan, min_hours=Decimal(24), days=30))
    with CaptureQueriesContext(connection) as page_queries:
        client.get(url)

    since = timezone.now() - timedelta(days=30)

    def naive() -> int:
        hits = 0
        for volunteer in Volunteer.objects.filter(place_path__startswith=taian.path[:-1]):
            total = HoursEntry.objects.filter(
                volunteer=volunteer,
                assignment__shift__start__gte=since,
                assignment__shift__post__duty__in=KEY_DUTIES,
            ).aggregate(total=Sum("hours"))["total"]
            hits += bool(total and total >= 24)
        return hits

    t0 = time.perf_counter()
    naive_hits = naive()
    naive_ms = (time.perf_counter() - t0) * 1000

    print(f"welfare: the proposal list on PostgreSQL ({os.cpu_count()} cores), 二戈街道's welfare officer")
    print(
        f"  data: {n_volunteers:,} volunteers, {n_shifts:,} shifts, {rows:,} hours-ledger rows (built in {build:.0f} s)"
    )
    print(f"  proposals found: {found} shown (limit 500) of {naive_hits:,} who reach 24 h in 30 days")
    print(f"  median / p95 of {RUNS} calls, ms, in-process (server time, no network)")
    print(f"  {'the page (view + template)':<34} {page_med:>8.1f} {page_p95:>8.1f}   queries {len(page_queries)}")
    print(f"  {'baseline a: the selector alone':<34} {bare_med:>8.1f} {bare_p95:>8.1f}   queries {len(queries)}")
    print(f"  {'baseline b: one sum per volunteer':<34} {naive_ms:>8.1f} {'(once)':>8}   queries {n_volunteers + 1}")


if __name__ == "__main__":
    main()
