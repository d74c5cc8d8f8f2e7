"""Benchmark: today's list of key persons for a street with 50,000 active isolation orders and 30
days of twice-daily checks (3,000,000 checks), on PostgreSQL.

    .venv/bin/python bench/today_list.py [--orders 50000] [--days 30] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

1. A fresh database gets the demo street plus 21,600 households in 泰安巷, ORDERS residents, one
   key person and one active home-isolation order each (check times 08:00 and 20:00, spread over
   overdue, due and done), and DAYS days of checks for every order, written with COPY.
2. `/monitoring/` (today's list with its counts) for 二戈街道 as its health officer, through the
   test client in-process: median and p95 server time of 30 requests for the first page, the
   overdue filter and a deep page; the query count at page sizes 20 and 200.
   Baselines in the same run: (a) the page's own selector queries run bare, without view or
   template; (b) one naive count a list built on the checks table would need ("checked today":
   distinct orders with a check since midnight).
Figures are printed, never asserted.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
from timing import RUNS, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "tongzhou_bench_monitoring"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB} afterwards")
    args = parser.parse_args()

    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    url = args.postgres.rsplit("/", 1)[0] + f"/{BENCH_DB}"
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
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from tongzhou.accounts.models import User
    from tongzhou.accounts.selectors import scope_for
    from tongzhou.core.bulk import insert_many
    from tongzhou.core.permissions import Perm
    from tongzhou.demo import load_demo
    from tongzhou.monitoring.models import HealthCheck, IsolationOrder, KeyPerson, OrderStatus
    from tongzhou.monitoring.selectors import today_counts, today_page
    from tongzhou.people.idnumbers import check_digit
    from tongzhou.people.importers import Checked, GoodRow, write_rows
    from tongzhou.places.models import Household, Place, PlaceKind
    from tongzhou.places.selectors import street_addresses
    from tongzhou.places.services import building_create, place_create

    setup_test_environment()
    rng = random.Random(2020)
    try:
        call_command("migrate", "--no-input", verbosity=0)
        load_demo(log=lambda message: None)
        staff = User.objects.get(username="taian_staff")
        officer = User.objects.get(username="health_officer")
        taian = Place.objects.get(code="520102029004")
        grid = Place.objects.get(parent=taian, name="第一网格")

        started = time.perf_counter()
        for c in range(10):
            compound = place_create(actor=staff, parent=grid, kind=PlaceKind.COMPOUND, name=f"泰安巷{100 + c}号院")
            for b in range(10):
                building_create(
                    actor=staff, compound=compound, name=f"{b + 1}栋", units=3, floors=18, rooms_per_floor=4
                )
        households = list(
            Household.objects.filter(
                place__path__startswith=grid.path, place__parent__parent__name__startswith="泰安巷1"
            )
            .select_related("place")
            .order_by("pk")
        )
        checked = Checked()
        for n in range(args.orders):
            born = date(1950, 1, 1) + timedelta(days=37 * (n // 1000))
            first17 = f"520103{born:%Y%m%d}{n % 1000:03d}"
            household = households[n % len(households)]
            checked.good.append(
                GoodRow(
                    row=n + 2,
                    tags=[],
                    values={
                        "name": f"隔离{n}",
                        "id_type": "id_card",
                        "id_number": first17 + check_digit(first17),
                        "birth_date": None,
                        "sex": "",
                        "phone": f"139{n:08d}",
                        "phone_last4": f"{n:08d}"[-4:],
                        "household": household,
                        "residency_type": "permanent",
                        "notes": "",
                    },
                )
            )
        checked.total = len(checked.good)
        write_rows(actor=staff, place=taian, checked=checked, all_or_nothing=True)
        from tongzhou.people.models import Person

        people = list(Person.objects.filter(name__startswith="隔离").values_list("pk", "place_path").order_by("pk"))
        now = timezone.now()
        today = timezone.localdate()
        key_people = [
            KeyPerson(
                person_id=pk,
                place_path=path,
                reason="risk_area",
                risk_area="武汉",
                risk_level="medium",
                registered_by=officer,
                created_at=now,
                updated_at=now,
            )
            for pk, path in people
        ]
        insert_many(key_people)
        orders = []
        for kp in key_people:
            # 5% overdue, 10% due within the grace, the rest checked and waiting for the next time.
            roll = rng.random()
            if roll < 0.05:
                next_due = now - timedelta(hours=rng.uniform(3, 60))
            elif roll < 0.15:
                next_due = now - timedelta(minutes=rng.uniform(1, 110))
            else:
                next_due = now + timedelta(minutes=rng.uniform(1, 700))
            start = today - timedelta(days=rng.randint(args.days, args.days + 10))
            orders.append(
                IsolationOrder(
                    key_person_id=kp.pk,
                    place_path=kp.place_path,
                    kind="home_isolation",
                    starts_on=start,
                    planned_end_on=start + timedelta(days=60),
                    check_times=["08:00", "20:00"],
                    status=OrderStatus.ACTIVE,
                    next_due_at=next_due,
                    last_check_at=next_due - timedelta(hours=rng.uniform(1, 12)),
                    ordered_by=officer,
                    created_at=now - timedelta(days=args.days),
                    updated_at=now,
                )
            )
        insert_many(orders)
        setup_s = time.perf_counter() - started

        started = time.perf_counter()
        # The last DAYS days up to now, today's morning check included when it is past.
        first_day = timezone.make_aware(datetime.combine(today - timedelta(days=args.days - 1), datetime.min.time()))
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY monitoring_healthcheck (order_id, done_at, method, temperature, symptoms, household_unwell,"
                " household_notes, needs, notes, abnormal) FROM STDIN"
            ) as copy,
        ):
            for order in orders:
                for day in range(args.days):
                    for hour in (8, 20):
                        done_at = first_day + timedelta(days=day, hours=hour, minutes=rng.randint(0, 50))
                        if done_at > now:
                            continue
                        fever = rng.random() < 0.002
                        copy.write_row(
                            (
                                order.pk,
                                done_at,
                                "phone",
                                "37.6" if fever else "36.5",
                                '["fever"]' if fever else "[]",
                                False,
                                "",
                                "[]",
                                "",
                                fever,
                            )
                        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        checks_s = time.perf_counter() - started
        total_checks = HealthCheck.objects.count()

        client = Client()
        client.force_login(officer)
        scope = scope_for(officer, Perm.HEALTH_VIEW)
        size = settings.TONGZHOU_PAGE_SIZE
        deep = args.orders // size // 2
        pages = [
            ("first page", {}),
            ("overdue only", {"state": "overdue"}),
            (f"page {deep}", {"page": deep}),
        ]
        results = []
        for label, params in pages:

            def page(params=params):  # type: ignore[no-untyped-def]
                response = client.get("/monitoring/", params)
                assert response.status_code == 200

            def bare(params=params):  # type: ignore[no-untyped-def]
                today_counts(scope)
                rows = today_page(scope, state=str(params.get("state", "")), page=params.get("page"), per_page=size)
                street_addresses(o.place_path for o in rows.object_list)

            results.append((label, *timed(page), *timed(bare)))

        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)

        def naive() -> None:
            HealthCheck.objects.filter(
                scope.q("order__place_path"), order__status=OrderStatus.ACTIVE, done_at__gte=midnight
            ).values("order").distinct().count()

        naive_med, naive_p95 = timed(naive)
        counts = {}
        for page_size in (20, 200):
            settings.TONGZHOU_PAGE_SIZE = page_size
            with CaptureQueriesContext(connection) as queries:
                client.get("/monitoring/")
            counts[page_size] = len(queries.captured_queries)
        settings.TONGZHOU_PAGE_SIZE = size

        active = IsolationOrder.objects.filter(status=OrderStatus.ACTIVE).count()
        print(f"monitoring: today's list of 二戈街道 on PostgreSQL ({os.cpu_count()} cores), health officer")
        print(
            f"  set-up: {active} active orders in {setup_s:.1f} s; {total_checks} checks ({args.days} days) in {checks_s:.1f} s"
        )
        print(f"  median / p95 of {RUNS} requests, ms, in-process test client (server time, no network)")
        print("  bare = the page's selector queries alone (counts, one page of orders, addresses), no view or template")
        print(f"  {'page':<22} {'median':>7} {'p95':>7} {'bare med':>9} {'bare p95':>9}")
        for label, med, p95, bmed, bp95 in results:
            print(f"  {label:<22} {med:>7.1f} {p95:>7.1f} {bmed:>9.1f} {bp95:>9.1f}")
        print(
            f"  naive baseline: 'checked today' counted from the checks table: {naive_med:.1f} ms median, {naive_p95:.1f} p95"
        )
        print(f"  queries per page: {counts[20]} at 20 rows a page, {counts[200]} at 200 rows a page")
    finally:
        connection.close()
        if not args.keep:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
