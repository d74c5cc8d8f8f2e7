"""Benchmark: the supplies pages and the ledger check for a street of 50 stores and 1,000,000 ledger
entries, on PostgreSQL.

    .venv/bin/python bench/supplies.py [--entries 1000000] [--stores 50] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

1. A fresh database gets the demo street with its supplies (4 stores, 8 items), then more stores
   across 二戈街道's communities, grids and compounds up to STORES, and ENTRIES ledger entries
   written with COPY: per store, item and lot a receipt then issues, returns, adjustments and
   transfers out. The balances are then built from the entries with one INSERT ... SELECT SUM.
2. `/supplies/` (stock on hand of the whole street) as the street administrator and the public
   ledger `/supplies/ledger/520102029/` anonymously, through the test client in-process: median
   and p95 server time of 30 requests. Baselines in the same run: stock on hand summed over the
   entries (no balance table), and the public ledger's sums taken over the entries.
3. The balance-versus-entries check (`ledger_compare`, one SQL aggregate over every entry), three
   runs; baseline: one SUM query per balance. The hand-out tally check (`tally_compare`, one SQL
   aggregate over the hand-outs and their entries), three runs.
4. Funds: the public ledger page also lists the street's funds (FUNDS funds with DONATIONS money
   donations, GRANTS grants and PURCHASES purchases of two lines each, bulk-created); hand-outs
   also carry one of 6 teams (counted on the ledger).
Figures are printed, never asserted.

    .venv/bin/python bench/supplies.py --area tz_city_1000000 [--runs 20]

--area: only the stock page of a district, on a database built by bench/city.py (read only: the
pages are called through RequestFactory, no session or login is written). As the district's
administrator (`city_admin`): the page before (every store and item of the district, the old view:
selectors.stock_on_hand over the whole scope into supplies/stock.html) and now (`/supplies/`:
totals per street and item), and now for the first street (`/supplies/places/<street>/`); median and
p95 of RUNS requests, rows or children listed and the queries of one request.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg
from timing import RUNS, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "tz_supplies_bench"


def area_bench(url: str, runs: int) -> None:
    from city import django_env

    os.environ.update(django_env(url))
    import django

    django.setup()
    from django.db import connection
    from django.shortcuts import render
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from tongzhou.accounts.models import User
    from tongzhou.places.models import Place, PlaceKind
    from tongzhou.supplies import selectors
    from tongzhou.supplies.models import Balance, Store
    from tongzhou.supplies.views import stock

    setup_test_environment()
    admin = User.objects.get(username="city_admin")
    street = Place.objects.filter(kind=PlaceKind.STREET).order_by("path").first()
    assert street is not None
    factory = RequestFactory()

    def request(path: str) -> object:
        req = factory.get(path)
        req.user = admin
        return req

    def before() -> object:
        # The view as it was: every store and every (store, item) row of the scope.
        req = request("/supplies/")
        stores = list(selectors.stores_for_user(admin))
        urls = {s.pk: reverse("supplies:store", args=[s.pk]) for s in stores}
        rows = [(row, urls.get(row.store_id, "")) for row in selectors.stock_on_hand(admin)]
        return render(req, "supplies/stock.html", {"rows": rows, "stores": [(s, urls[s.pk]) for s in stores]})

    cases = {
        "before: district, every store": before,
        "now: district, per street": lambda: stock(request("/supplies/")),
        "now: first street": lambda: stock(request(f"/supplies/places/{street.pk}/"), pk=street.pk),
    }
    print(f"{Store.objects.count():,} stores, {Balance.objects.count():,} balances, database {url.rsplit('/', 1)[1]}")
    print(f"{'page':32} {'median':>8} {'p95':>8}  {'bytes':>9} queries")
    for name, call in cases.items():
        response = call()
        assert response.status_code == 200, name  # type: ignore[attr-defined]
        median, p95 = timed(call, runs=runs)
        with CaptureQueriesContext(connection) as queries:
            call()
        size = len(response.content)  # type: ignore[attr-defined]
        print(f"{name:32} {median:8.1f} {p95:8.1f}  {size:9,} {len(queries):4}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--stores", type=int, default=50)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--funds", type=int, default=3)
    parser.add_argument("--donations", type=int, default=10_000)
    parser.add_argument("--grants", type=int, default=60)
    parser.add_argument("--purchases", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB} afterwards")
    parser.add_argument("--area", help="measure the stock page of the district of this tz_city_* database only")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    if args.area:
        area_bench(args.postgres.rsplit("/", 1)[0] + f"/{args.area}", args.runs)
        return

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
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone
    from faker import Faker

    from tongzhou.accounts.models import User
    from tongzhou.accounts.selectors import scope_for
    from tongzhou.core.partitions import ensure_partitions
    from tongzhou.core.permissions import Perm
    from tongzhou.demo import load_demo
    from tongzhou.places.demo import ER_GE
    from tongzhou.places.models import Place, PlaceKind
    from tongzhou.supplies.demo import _supplies
    from tongzhou.supplies.models import Balance, Entry, HandOut, HandOutTally, Item, Lot, Store, StoreKind
    from tongzhou.supplies.partitions import LEDGER
    from tongzhou.supplies.selectors import supplies_figures
    from tongzhou.supplies.services.catalogue import store_create
    from tongzhou.supplies.services.checks import ledger_compare
    from tongzhou.supplies.tally_check import tally_compare
    from tongzhou.volunteers.models import Post, Team

    setup_test_environment()
    rng = random.Random(2020)
    try:
        call_command("migrate", "--no-input", verbosity=0)
        load_demo(log=lambda message: None, extras=False)
        _supplies(fake=Faker("zh_CN"), log=lambda message: None)
        street = Place.objects.get(code=ER_GE)
        places = list(
            Place.objects.filter(
                path__startswith=street.path, kind__in=(PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND)
            ).order_by("path")
        )
        n = Store.objects.count()
        while n < args.stores:
            place = places[n % len(places)]
            kind = StoreKind.STOREROOM if place.kind == PlaceKind.COMMUNITY else StoreKind.CHECKPOINT_BOX
            store_create(actor=None, place=place, name=f"{place.name}物资点{n}", kind=kind)
            n += 1
        stores = list(Store.objects.order_by("pk").values_list("pk", "place_path"))
        items = list(Item.objects.order_by("pk"))
        today = timezone.localdate()
        lots: dict[int, list[int]] = {}
        for item in items:
            for k in range(3):
                lot, _created = Lot.objects.get_or_create(
                    item=item,
                    code=f"B{item.pk}-{k}",
                    defaults={"expires_on": today + timedelta(days=200 + 100 * k) if item.expiry_matters else None},
                )
                lots.setdefault(item.pk, []).append(lot.pk)
        actor = User.objects.get(username="street_admin").pk
        # A fifth of the issues are hand-outs to front-line workers (one worker of 40, at one post
        # of 12, or none): the public ledger counts them per item.
        workers = [User.objects.create(username=f"bench-worker-{k}", display_name=f"工作人员{k}").pk for k in range(40)]
        post_places = [p for p in places if p.kind == PlaceKind.COMPOUND][:12] or places[:12]
        posts = [
            Post.objects.create(
                place=p, place_path=p.path, name=f"{p.name}卡点", duty="gate", check_token=uuid.uuid4().hex
            ).pk
            for p in post_places
        ]
        teams = [
            Team.objects.create(place=p, place_path=p.path, name=f"{p.name}突击队", kind="volunteer_team").pk
            for p in post_places[:6]
        ]
        handouts = io.StringIO()

        # Entries: per (store, item, lot) one big receipt, then issues, returns, adjustments and
        # transfers out, never below zero.
        started = time.perf_counter()
        keys = [(s, p, item.pk, lot) for s, p in stores for item in items for lot in lots[item.pk]]
        per_key = max(2, args.entries // len(keys))
        now = timezone.now()
        # The ledger's months over the 60 days written (PostgreSQL partitions by month).
        ensure_partitions(LEDGER, since=timezone.localdate(now - timedelta(days=61)), now=now)
        buf = io.StringIO()
        written = 0
        for store_id, path, item_id, lot_id in keys:
            batch = uuid.uuid4()
            when = now - timedelta(days=60)
            buf.write(
                f"{store_id}\t{path}\t{item_id}\t{lot_id}\treceived\t{per_key * 10}\tf\t\t捐赠\t{batch}\t{actor}\t{when.isoformat()}\n"
            )
            written += 1
            for i in range(per_key - 1):
                kind, quantity, reason = rng.choices(
                    [
                        ("issued", -rng.randint(1, 8), ""),
                        ("returned", 1, ""),
                        ("adjusted", -1, "damaged"),
                        ("transfer_out", -rng.randint(1, 5), ""),
                    ],
                    weights=[85, 5, 3, 7],
                )[0]
                when = now - timedelta(days=60) + timedelta(seconds=(i + 1) * 60 * 60 * 24 * 59 // per_key)
                batch = uuid.uuid4()
                buf.write(
                    f"{store_id}\t{path}\t{item_id}\t{lot_id}\t{kind}\t{quantity}\tf\t{reason}\t\t{batch}\t{actor}\t{when.isoformat()}\n"
                )
                if kind == "issued" and rng.random() < 0.2:
                    post = rng.choice(posts) if rng.random() < 0.8 else "\\N"
                    worker = rng.randrange(len(workers))
                    team = teams[worker % len(teams)] if worker % 4 else "\\N"
                    handouts.write(
                        f"{store_id}\t{path}\t{workers[worker]}\t{post}\t{team}\t{batch}\t{actor}\t{when.isoformat()}\n"
                    )
                written += 1
            if buf.tell() > 8_000_000:
                _copy(connection, buf)
                buf = io.StringIO()
        _copy(connection, buf)
        with (
            connection.cursor() as cursor,
            cursor.connection.cursor().copy(
                "COPY supplies_handout (store_id, place_path, recipient_id, post_id, team_id, batch, issued_by_id, "
                "issued_at) "
                "FROM STDIN"
            ) as copy,
        ):
            copy.write(handouts.getvalue())
        with connection.cursor() as cursor:
            # The tallies the hand-out service keeps, built from the hand-outs and their entries.
            cursor.execute(
                "INSERT INTO supplies_handouttally (store_id, place_path, item_id, kind, who, quantity) "
                "SELECT h.store_id, MIN(h.place_path), e.item_id, 'worker', h.recipient_id, -SUM(e.quantity) "
                "FROM supplies_handout h JOIN supplies_entry e ON e.batch = h.batch WHERE e.kind = 'issued' "
                "GROUP BY h.store_id, e.item_id, h.recipient_id "
                "UNION ALL SELECT h.store_id, MIN(h.place_path), e.item_id, 'post', h.post_id, -SUM(e.quantity) "
                "FROM supplies_handout h JOIN supplies_entry e ON e.batch = h.batch "
                "WHERE e.kind = 'issued' AND h.post_id IS NOT NULL GROUP BY h.store_id, e.item_id, h.post_id "
                "UNION ALL SELECT h.store_id, MIN(h.place_path), e.item_id, 'team', h.team_id, -SUM(e.quantity) "
                "FROM supplies_handout h JOIN supplies_entry e ON e.batch = h.batch "
                "WHERE e.kind = 'issued' AND h.team_id IS NOT NULL GROUP BY h.store_id, e.item_id, h.team_id"
            )
            cursor.execute("ANALYZE supplies_handout")
            cursor.execute("ANALYZE supplies_handouttally")
            cursor.execute("DELETE FROM supplies_balance")
            cursor.execute(
                "INSERT INTO supplies_balance (store_id, place_path, item_id, lot_id, in_transit, quantity, "
                "received, used) SELECT e.store_id, MIN(e.place_path), e.item_id, e.lot_id, e.in_transit, "
                "SUM(e.quantity), SUM(CASE WHEN kind = 'received' THEN quantity ELSE 0 END), "
                "-SUM(CASE WHEN kind IN ('issued', 'returned') THEN quantity ELSE 0 END) "
                "FROM supplies_entry e GROUP BY e.store_id, e.item_id, e.lot_id, e.in_transit"
            )
            cursor.execute("ANALYZE supplies_entry")
            cursor.execute("ANALYZE supplies_balance")
        _funds(args, street, stores, items, rng)
        setup_s = time.perf_counter() - started
        total_entries = Entry.objects.count()
        balances = Balance.objects.count()

        admin = Client()
        admin.force_login(User.objects.get(username="street_admin"))
        anonymous = Client()

        def stock_page() -> None:
            assert admin.get("/supplies/").status_code == 200

        def ledger_page() -> None:
            assert anonymous.get("/supplies/ledger/520102029/").status_code == 200

        def stock_from_entries() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT store_id, item_id, SUM(quantity) FROM supplies_entry "
                    "WHERE place_path >= %s AND place_path < %s AND NOT in_transit GROUP BY store_id, item_id",
                    [street.path, street.path[:-1] + "0"],
                )
                cursor.fetchall()

        def ledger_from_entries() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT item_id, store_id, kind, in_transit, SUM(quantity) FROM supplies_entry "
                    "WHERE place_path >= %s AND place_path < %s GROUP BY item_id, store_id, kind, in_transit",
                    [street.path, street.path[:-1] + "0"],
                )
                cursor.fetchall()

        stock_med, stock_p95 = timed(stock_page)
        base_med, base_p95 = timed(stock_from_entries, runs=5)
        ledger_med, ledger_p95 = timed(ledger_page)
        scope = scope_for(User.objects.get(username="street_admin"), Perm.SUPPLIES_VIEW)
        figures_med, figures_p95 = timed(lambda: supplies_figures(scope))
        handout_rows = HandOut.objects.count()
        tally_rows = HandOutTally.objects.count()

        def handed_out_live() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT e.item_id, SUM(e.quantity), COUNT(DISTINCT h.recipient_id), COUNT(DISTINCT h.post_id) "
                    "FROM supplies_handout h JOIN supplies_entry e ON e.batch = h.batch "
                    "WHERE h.place_path >= %s AND h.place_path < %s AND e.kind = 'issued' GROUP BY e.item_id",
                    [street.path, street.path[:-1] + "0"],
                )
                cursor.fetchall()

        live_med, _live_p95 = timed(handed_out_live, runs=5)
        bare_med, bare_p95 = timed(ledger_from_entries, runs=5)

        checks = []
        for _ in range(3):
            report = ledger_compare()
            checks.append(report.seconds)
        assert report.entries == total_entries and not report.mismatches
        tally_checks = []
        for _ in range(3):
            tallies = tally_compare()
            tally_checks.append(tallies.seconds)
        assert not tallies.mismatches, tallies.mismatches[:5]
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for store_id, item_id, lot_id, in_transit in Balance.objects.values_list(
                "store_id", "item_id", "lot_id", "in_transit"
            ):
                cursor.execute(
                    "SELECT SUM(quantity) FROM supplies_entry WHERE store_id = %s AND item_id = %s AND lot_id = %s "
                    "AND in_transit = %s",
                    [store_id, item_id, lot_id, in_transit],
                )
                cursor.fetchone()
        per_balance_s = time.perf_counter() - started

        print(f"supplies: 二戈街道 on PostgreSQL ({os.cpu_count()} cores)")
        print(
            f"  set-up: {Store.objects.count()} stores, {len(items)} items, {total_entries} entries (COPY), "
            f"{balances} balances built from them, in {setup_s:.1f} s"
        )
        print(f"  median / p95 of {RUNS} requests, ms, in-process test client (server time, no network)")
        print(f"  stock on hand, /supplies/ (street admin, from balances)   {stock_med:>7.1f} {stock_p95:>7.1f}")
        print(f"    baseline: the same sums over the entries, no balances  {base_med:>7.1f} {base_p95:>7.1f}  (5 runs)")
        print(f"  public ledger, /supplies/ledger/520102029/ (anonymous)   {ledger_med:>7.1f} {ledger_p95:>7.1f}")
        print(
            f"    baseline: its sums over the entries, no balances        {bare_med:>7.1f} {bare_p95:>7.1f}  (5 runs)"
        )
        print(
            f"    (with workers and posts counted from {tally_rows} running tallies of {handout_rows} hand-outs;"
            f" the same counts joined live over hand-outs and entries: {live_med:.1f} ms median of 5)"
        )
        print(f"  supplies_figures(street) for the dashboard              {figures_med:>7.1f} {figures_p95:>7.1f}")
        print(
            f"  balance-versus-entries check over {total_entries} entries, one SQL aggregate: "
            f"{statistics.median(checks):.2f} s median of 3 ({', '.join(f'{c:.2f}' for c in checks)})"
        )
        print(f"    baseline: one SUM query per balance ({balances} queries): {per_balance_s:.2f} s")
        print(
            f"  hand-out tally check, {tallies.tallies} tallies against {handout_rows} hand-outs and their entries: "
            f"{statistics.median(tally_checks):.2f} s median of 3 ({', '.join(f'{c:.2f}' for c in tally_checks)})"
        )
        print(
            f"  (the public ledger page lists {args.funds} funds: {args.donations} money donations, {args.grants} "
            f"grants, {args.purchases} purchases of 2 lines)"
        )
    finally:
        connection.close()
        if not args.keep:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def _funds(args, street, stores, items, rng) -> None:
    """The street's funds for the public ledger: money donations (a tenth anonymous), grants (two
    thirds approved) and done purchases with two lines each, bulk-created."""
    from datetime import date
    from decimal import Decimal

    from tongzhou.supplies.models import (
        Donation,
        Donor,
        Fund,
        Grant,
        Purchase,
        PurchaseLine,
        Store,
    )

    funds = [
        Fund.objects.create(place=street, place_path=street.path, name=f"二戈街道专项资金{k}")
        for k in range(args.funds)
    ]
    donors = Donor.objects.bulk_create(
        [
            Donor(place=street, place_path=street.path, kind="individual", name=f"捐赠人{k}", anonymous=k % 10 == 0)
            for k in range(args.donations)
        ],
        batch_size=2000,
    )
    start = date(2020, 1, 20)
    Donation.objects.bulk_create(
        [
            Donation(
                donor=d,
                place=street,
                place_path=street.path,
                kind="money",
                received_on=start + timedelta(days=k % 60),
                amount=Decimal(rng.randint(100, 500000)) / 100,
                purpose="防疫",
                fund=funds[k % len(funds)],
            )
            for k, d in enumerate(donors)
        ],
        batch_size=2000,
    )
    Grant.objects.bulk_create(
        [
            Grant(
                fund=funds[k % len(funds)],
                place_path=street.path,
                applicant="二戈街道总工会",
                funder=f"职工保险互助会{k}",
                applied_on=start + timedelta(days=k % 60),
                amount_asked=Decimal(100000),
                status="approved" if k % 3 else "refused",
                amount_approved=Decimal(80000) if k % 3 else None,
            )
            for k in range(args.grants)
        ]
    )
    warehouse = Store.objects.get(pk=stores[0][0])
    purchases = Purchase.objects.bulk_create(
        [
            Purchase(
                fund=funds[k % len(funds)],
                place_path=street.path,
                store=warehouse,
                supplier=f"供应商{k % 40}",
                bought_on=start + timedelta(days=k % 60),
                amount=Decimal(rng.randint(100, 200000)) / 100,
                status="done",
            )
            for k in range(args.purchases)
        ],
        batch_size=2000,
    )
    PurchaseLine.objects.bulk_create(
        [
            PurchaseLine(purchase=p, item=items[(k + j) % len(items)], quantity=Decimal(rng.randint(1, 500)))
            for k, p in enumerate(purchases)
            for j in range(2)
        ],
        batch_size=4000,
    )


def _copy(connection, buf: io.StringIO) -> None:
    columns = (
        "store_id, place_path, item_id, lot_id, kind, quantity, in_transit, reason, note, batch, actor_id, created_at"
    )
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(f"COPY supplies_entry ({columns}) FROM STDIN") as copy,
    ):
        copy.write(buf.getvalue())


if __name__ == "__main__":
    main()
