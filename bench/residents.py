"""Benchmark: importing a 100,000-row register on PostgreSQL, and the register list of a street with
100,000 residents.

    .venv/bin/python bench/residents.py [--rows 100000] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

1. A fresh database gets the demo street plus 10 compounds × 10 buildings × 3 units × 18 floors ×
   4 rooms (21,600 more households) in 泰安巷, and a generated .xlsx of ROWS residents for them
   (saved as Excel saves: shared strings and a dimension element).
2. Import, end to end: `manage.py import_residents FILE --place 520102029004` as a subprocess
   (Django start-up, reading, checking every row, encrypting, writing, audit). Baseline in the same
   run: openpyxl merely reading the same file in read-only mode.
3. The register list for 二戈街道 as its street administrator, through the test client in-process:
   median and p95 server time of 30 requests for several pages and searches, and the query count
   at page sizes 20 and 200. Baseline: the page's own selector queries run bare.
Figures are printed, never asserted.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
from timing import RUNS, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "tongzhou_bench_residents"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB} afterwards")
    args = parser.parse_args()

    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    url = args.postgres.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongzhou.settings_test",
        "DATABASE_URL": url,
        "TONGZHOU_DEMO": "true",
        "DEBUG": "false",
    }
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "TONGZHOU_DEMO", "DEBUG")})
    import django

    django.setup()
    import openpyxl
    from django.conf import settings
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from tongzhou.accounts.models import User
    from tongzhou.accounts.selectors import scope_for
    from tongzhou.core.permissions import Perm
    from tongzhou.demo import load_demo
    from tongzhou.people.idnumbers import check_digit
    from tongzhou.people.importers import HEADERS
    from tongzhou.people.models import Person
    from tongzhou.people.selectors import addresses, matching_page, register
    from tongzhou.places.models import Household, Place, PlaceKind
    from tongzhou.places.services import building_create, place_create

    setup_test_environment()
    tmp = Path(tempfile.mkdtemp())
    try:
        call_command("migrate", "--no-input", verbosity=0)
        load_demo(log=lambda message: None)
        staff = User.objects.get(username="taian_staff")
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
            .select_related("place__parent__parent")
            .order_by("pk")
        )
        setup_s = time.perf_counter() - started

        started = time.perf_counter()
        path = tmp / "residents.xlsx"
        # A normal (not write-only) workbook, as Excel and WPS save them: shared strings and a
        # <dimension> element. openpyxl's write-only files have neither and read much slower.
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "居民登记"
        sheet.append(HEADERS)
        for n in range(args.rows):
            household = households[n % len(households)]
            unit, building, compound = household.place, household.place.parent, household.place.parent.parent
            born = date(1950, 1, 1) + timedelta(days=37 * (n // 1000))  # unique with the sequence below
            first17 = f"520103{born:%Y%m%d}{n % 1000:03d}"
            sheet.append(
                (
                    f"居民{n}",
                    "身份证",
                    first17 + check_digit(first17),
                    f"139{n:08d}",
                    compound.name,
                    building.name,
                    unit.name,
                    household.room,
                    "常住",
                    "党员" if n % 10 == 0 else "",
                    "",
                    "",
                )
            )
        workbook.save(path)
        generate_s = time.perf_counter() - started

        started = time.perf_counter()
        rows = 0
        read = openpyxl.load_workbook(path, read_only=True)
        for _row in read.worksheets[0].iter_rows(values_only=True):
            rows += 1
        read.close()
        read_s = time.perf_counter() - started

        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "manage.py", "import_residents", str(path), "--place", "520102029004", "--all-or-nothing"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        import_s = time.perf_counter() - started
        if done.returncode:
            print(done.stdout, done.stderr)
            raise SystemExit("import failed")

        admin = User.objects.get(username="street_admin")
        client = Client()
        client.force_login(admin)
        scope = scope_for(admin, Perm.PEOPLE_VIEW)
        total = Person.objects.count()
        someone = Person.objects.filter(name="居民54321").first()
        pages = [
            ("first page", "/residents/", {}),
            ("page 1000", "/residents/", {"page": 1000}),
            ("search: part of a name", "/residents/", {"q": "居民5432"}),
            ("search: last 4 phone digits", "/residents/", {"q": "4321"}),
            ("search: full ID number", "/residents/", {"q": someone.id_number if someone else "x"}),
            ("filter: tag party member", "/residents/", {"tag": "party_member"}),
        ]
        results = []
        for label, url, params in pages:

            def page(url=url, params=params):  # type: ignore[no-untyped-def]
                assert client.get(url, params).status_code == 200

            def bare(params=params):  # type: ignore[no-untyped-def]
                qs = register(scope, text=str(params.get("q", "")), tag=str(params.get("tag", "")))
                size = settings.TONGZHOU_PAGE_SIZE
                page = (
                    matching_page(qs, 1, size) if params.get("q") else Paginator(qs, size).get_page(params.get("page"))
                )
                addresses(list(page.object_list))

            results.append((label, *timed(page), *timed(bare)))

        counts = {}
        for size in (20, 200):
            settings.TONGZHOU_PAGE_SIZE = size
            with CaptureQueriesContext(connection) as queries:
                client.get("/residents/")
            counts[size] = len(queries.captured_queries)

        print(f"residents: import of a generated {args.rows}-row .xlsx into PostgreSQL ({os.cpu_count()} cores)")
        print(
            f"  set-up: 21,600 households in {setup_s:.1f} s; file generated in {generate_s:.1f} s ({path.stat().st_size / 2**20:.1f} MB)"
        )
        print(f"  baseline: openpyxl read-only, reading every row     {read_s:8.1f} s  ({rows} rows with the header)")
        print(
            f"  import_residents, end to end (subprocess)            {import_s:8.1f} s  = {import_s / read_s:.1f}× the read"
        )
        print(f"  its output: {done.stdout.strip().splitlines()[-1]}")
        print()
        print(f"register list of 二戈街道 with {total} residents, street administrator, in-process test client")
        print(f"median / p95 of {RUNS} requests, ms; bare = the selector queries alone, no view or template")
        print(f"{'page':<34} {'median':>7} {'p95':>7} {'bare med':>9} {'bare p95':>9}")
        for label, med, p95, bmed, bp95 in results:
            print(f"{label:<34} {med:>7.1f} {p95:>7.1f} {bmed:>9.1f} {bp95:>9.1f}")
        print(f"queries per page: {counts[20]} at 20 rows a page, {counts[200]} at 200 rows a page")
    finally:
        connection.close()
        if not args.keep:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
