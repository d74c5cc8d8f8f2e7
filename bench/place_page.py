"""Benchmark: the place page (children list with counts, breadcrumbs) and the dashboard with the
whole country loaded, on PostgreSQL, side by side with their floor: the same page's queries run
bare, without the view, the middleware and the template.

    .venv/bin/python bench/place_page.py [DIR] [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--sqlite]

A fresh database gets the whole country (import_divisions) and the demo; a district administrator
of 贵州省 (52) then opens pages through Django's test client in-process. Prints median and 95th
percentile server time over 30 requests and the query count of each page.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

import psycopg
from timing import RUNS, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DIR = ROOT.parent / "shared" / "data" / "china-division"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file instead")
    parser.add_argument("--show-queries", action="store_true", help="print each page's queries with their time")
    args = parser.parse_args()

    bench_db = "tongzhou_bench_pages"
    tmp = tempfile.mkdtemp()
    if args.sqlite:
        url = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {bench_db}")
            conn.execute(f"CREATE DATABASE {bench_db}")
        url = args.postgres.rsplit("/", 1)[0] + f"/{bench_db}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tongzhou.settings_test", DATABASE_URL=url, TONGZHOU_DEMO="true", DEBUG="false"
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from tongzhou.accounts.models import User
    from tongzhou.accounts.selectors import scope_for
    from tongzhou.accounts.services import role_grant
    from tongzhou.core.permissions import Perm, Role
    from tongzhou.demo import load_demo
    from tongzhou.places.models import Place
    from tongzhou.places.selectors import breadcrumbs, place_children
    from tongzhou.reports.selectors import dashboard_figures

    setup_test_environment()
    try:
        call_command("migrate", "--no-input", verbosity=0)
        call_command("import_divisions", str(args.directory), "--no-progress", stdout=open(os.devnull, "w"))  # noqa: SIM115
        load_demo(log=lambda message: None)
        admin = User.objects.create_user("bench_admin", password="bench-password-1")
        role_grant(actor=None, user=admin, role=Role.DISTRICT_ADMIN, place=Place.objects.get(code="52"))
        client = Client()
        client.force_login(admin)
        scope = scope_for(admin, Perm.PLACES_VIEW)

        biggest_street = Place.objects.filter(code__startswith="52", kind="street").order_by("-pk").first()
        pages = [
            ("province 贵州省 (9 cities)", Place.objects.get(code="52")),
            ("district 南明区", Place.objects.get(code="520102")),
            ("street 二戈街道 (9 communities + demo)", Place.objects.get(code="520102029")),
            (f"street {biggest_street.name}", biggest_street),
            ("community 泰安巷 (grids)", Place.objects.get(code="520102029004")),
        ]
        rows = []
        for label, place in pages:
            url = f"/places/{place.pk}/"

            def page(url: str = url) -> None:
                assert client.get(url).status_code == 200

            def bare(place: Place = place) -> None:
                list(Paginator(place_children(place), settings.TONGZHOU_PAGE_SIZE).get_page(1))
                breadcrumbs(place, scope)

            with CaptureQueriesContext(connection) as queries:
                page()
            count = len(queries.captured_queries)  # now: the log is reset by every later request
            if args.show_queries:
                for q in queries.captured_queries:
                    sql = q["sql"] if float(q["time"]) > 0.02 else q["sql"][:150]
                    print(f"  {label}: {float(q['time']) * 1000:6.1f} ms  {sql}")
            rows.append((label, *timed(page), *timed(bare), count))

        def dashboard() -> None:
            assert client.get("/dashboard/").status_code == 200

        def dashboard_bare() -> None:
            dashboard_figures(scope_for(admin, Perm.DASHBOARD_VIEW))

        with CaptureQueriesContext(connection) as queries:
            dashboard()
        count = len(queries.captured_queries)
        rows.append(("dashboard, scope 贵州省 (23k places)", *timed(dashboard), *timed(dashboard_bare), count))

        engine = "SQLite" if args.sqlite else "PostgreSQL"
        print(
            f"place pages with the whole country loaded ({Place.objects.count()} places), {engine}, in-process test client"
        )
        print(
            f"median / p95 of {RUNS} requests, ms; baseline (bare): the page's own selector queries, no view or template"
        )
        print(f"{'page':<44} {'median':>7} {'p95':>7} {'bare med':>9} {'bare p95':>9} {'queries':>8}")
        for label, med, p95, bmed, bp95, count in rows:
            print(f"{label:<44} {med:>7.1f} {p95:>7.1f} {bmed:>9.1f} {bp95:>9.1f} {count:>8}")
    finally:
        connection.close()
        if not args.sqlite:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {bench_db}")


if __name__ == "__main__":
    main()
