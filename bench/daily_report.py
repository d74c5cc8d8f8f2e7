"""Benchmark: the daily report (日报) of a generated district, on PostgreSQL.

    .venv/bin/python bench/daily_report.py [--streets 30] [--communities 10] [--residents 3333] [--days 30]

1. A fresh database (tz_daily_bench) gets the demo street, then STREETS new streets of
   COMMUNITIES communities each under the demo district, RESIDENTS residents per community (3 a
   household), and DAYS days of activity written with INSERT ... SELECT: 1% of residents become
   key persons with a 14-day home-isolation order started over the month, two health checks a day
   while under the order, alerts, help requests (5 a community a day), and gate passages (one gate
   per community, 100 scans a day, 0.2% fevers). Volunteers, testing and notices stay empty (their
   figures are still queried, over empty tables).
2. Snapshots: `snapshot_day` for the whole district, for today (on time) and the 6 days before
   (late runs), timed. Baseline in the same run: the same figures computed one community at a time
   (a loop of queries per community), for 10 communities, scaled to the district.
3. The district's report page and a drill-down (residents of one community; open alerts of the
   district), through the test client in-process as the district's administrator: median and p95
   server time of 30 requests, and the query count with 30 and with all communities. Baseline: the
   page's selector (`daily_report`) run bare, without view or template.
Figures are printed, never asserted.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
from timing import timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "tz_daily_bench"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streets", type=int, default=30)
    parser.add_argument("--communities", type=int, default=10)
    parser.add_argument("--residents", type=int, default=3333, help="per community")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tongzhou.settings_test",
            "DATABASE_URL": args.postgres.rsplit("/", 1)[0] + f"/{BENCH_DB}",
            "TONGZHOU_DEMO": "true",
            "DEBUG": "false",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from tongzhou.accounts.models import User
    from tongzhou.accounts.services import role_grant
    from tongzhou.checkpoints.partitions import ensure_partitions
    from tongzhou.core.figures import Day, compute, figures
    from tongzhou.core.permissions import Role
    from tongzhou.demo import load_demo
    from tongzhou.places.demo import ER_GE
    from tongzhou.places.models import Place, PlaceKind
    from tongzhou.reports.selectors import daily_report
    from tongzhou.reports.services import snapshot_day

    setup_test_environment()
    call_command("migrate", "--no-input", verbosity=0)
    load_demo(log=lambda message: None)
    district = Place.objects.get(code=ER_GE).parent
    today = timezone.localdate()
    started = time.perf_counter()
    now = timezone.now()
    streets = Place.objects.bulk_create(
        [
            Place(
                kind=PlaceKind.STREET,
                code=f"{district.code}{900 + s}",
                name=f"测试街道{s}",
                parent=district,
                depth=district.depth + 1,
                path=f"{district.path}{district.code}{900 + s}/",
            )
            for s in range(args.streets)
        ]
    )
    communities = Place.objects.bulk_create(
        [
            Place(
                kind=PlaceKind.COMMUNITY,
                code=f"{street.code}{c + 1:03d}",
                name=f"{street.name}{c + 1}社区",
                parent=street,
                depth=street.depth + 1,
                path=f"{street.path}{street.code}{c + 1:03d}/",
            )
            for street in streets
            for c in range(args.communities)
        ]
    )
    Place.objects.bulk_create(
        [
            Place(kind=PlaceKind.BUILDING, name="1栋", parent=c, depth=c.depth + 1, path=f"{c.path}b1/")
            for c in communities
        ]
    )
    admin = User.objects.create_user("bench_district", password="bench-password-1")
    role_grant(actor=None, user=admin, role=Role.DISTRICT_ADMIN, place=district)
    ensure_partitions(now=now)
    first = today - timedelta(days=args.days - 1)
    households = args.residents // 3
    with connection.cursor() as cursor:
        run = cursor.execute
        run(
            "CREATE TEMP TABLE bench_building AS SELECT id, path, parent_id AS community_id FROM places_place"
            " WHERE kind = 'building' AND path LIKE %s",
            [f"{district.path}{district.code}9%"],
        )
        run(
            "INSERT INTO places_household (created_at, updated_at, room, place_id)"
            " SELECT now(), now(), g::text, b.id FROM bench_building b, generate_series(1, %s) g",
            [households],
        )
        run(
            "INSERT INTO people_person (created_at, updated_at, name, id_type, id_index, sex, phone_index, phone_last4,"
            " place_path, residency_type, notes, household_id)"
            " SELECT now(), now(), '居民' || h.id || '-' || m, 'id_card', md5(h.id || '-' || m), '', '', '0000',"
            " b.path, 'permanent', '', h.id"
            " FROM places_household h JOIN bench_building b ON b.id = h.place_id, generate_series(1, 3) m"
        )
        run("ANALYZE people_person")
        run(
            "INSERT INTO monitoring_keyperson (created_at, updated_at, place_path, reason, risk_area, evidence,"
            " risk_level, person_id, registered_by_id)"
            " SELECT now(), now(), place_path, 'risk_area', '武汉', '', 'medium', id, %s FROM people_person"
            " WHERE place_path LIKE %s AND id %% 100 = 0",
            [admin.pk, f"{district.path}{district.code}9%"],
        )
        run(
            "INSERT INTO monitoring_isolationorder (created_at, updated_at, place_path, kind, facility, starts_on,"
            " planned_end_on, follow_up_days, check_times, status, end_reason, ordered_by_id, key_person_id,"
            " next_due_at, ended_at)"
            " SELECT now(), now(), k.place_path, 'home_isolation', '', s.d, s.d + 14, 0, '[\"08:00\", \"20:00\"]',"
            " CASE WHEN s.d + 14 <= %s THEN 'released' ELSE 'active' END, '', %s, k.id,"
            " now() + ((k.id %% 20) - 3) * interval '1 hour',"
            " CASE WHEN s.d + 14 <= %s THEN (s.d + 14)::timestamptz + interval '10 hours' END"
            " FROM monitoring_keyperson k, LATERAL (SELECT %s::date + (k.id %% %s)::int AS d) s",
            [today, admin.pk, today, first, args.days],
        )
        run(
            "INSERT INTO monitoring_healthcheck (order_id, done_at, method, symptoms, household_unwell,"
            " household_notes, needs, notes, abnormal, reached, temperature)"
            " SELECT o.id, d + h * interval '1 hour', 'phone', '[]', false, '', '[]', '', false, true, 36.5"
            " FROM monitoring_isolationorder o,"
            " generate_series(o.starts_on::timestamptz, LEAST(o.planned_end_on, %s)::timestamptz, interval '1 day') d,"
            " (VALUES (8), (20)) t(h) WHERE d + h * interval '1 hour' < now()",
            [today],
        )
        run(
            "INSERT INTO alerts_alert (kind, place_path, subject_type, subject_label, severity, assignee_role, details,"
            " created_at, status, outcome, note, place_id, closed_at)"
            " SELECT 'bench', b.path, '', '', 'medium', '', '{}', d + (g * 3) * interval '1 hour',"
            " CASE WHEN g %% 2 = 0 THEN 'closed' ELSE 'open' END, '', '', b.id,"
            " CASE WHEN g %% 2 = 0 THEN d + (g * 3 + 2) * interval '1 hour' END"
            " FROM bench_building b, generate_series(%s::timestamptz, %s::timestamptz, interval '1 day') d,"
            " generate_series(1, 2) g",
            [first, today],
        )
        run(
            "INSERT INTO assistance_helprequest (created_at, updated_at, place_path, contact_name, contact_last4,"
            " category, urgency, summary, source, source_ref, status, due_at, auto_confirmed, feedback,"
            " reopened_count, household_id, done_at)"
            " SELECT d + g * interval '2 hours', now(), b.path, '', '0000', 'groceries', 'normal', '', 'phone', '',"
            " CASE WHEN g = 5 THEN 'new' ELSE 'done' END, d + (g * 2 + 24) * interval '1 hour', false, '', 0,"
            " (SELECT min(id) FROM places_household WHERE place_id = b.id),"
            " CASE WHEN g = 5 THEN NULL ELSE d + (g * 2 + 3) * interval '1 hour' END"
            " FROM bench_building b, generate_series(%s::timestamptz, %s::timestamptz, interval '1 day') d,"
            " generate_series(1, 5) g",
            [first, today],
        )
        run(
            "INSERT INTO checkpoints_gate (created_at, updated_at, place_path, name, place_id)"
            " SELECT now(), now(), b.path, '大门', b.id FROM bench_building b"
        )
        run(
            "INSERT INTO checkpoints_passage (scanned_at, received_at, place_path, client_uuid, direction, allowed,"
            " reason, level, clock_skew, visitor, gate_id, temperature)"
            " SELECT d + g * interval '7 minutes', d + g * interval '7 minutes', gt.place_path, gen_random_uuid(),"
            " CASE WHEN g %% 2 = 0 THEN 'in' ELSE 'out' END, g %% 50 <> 0, 'ok', 'none', false, false, gt.id,"
            " CASE WHEN (g + gt.id) %% 500 = 0 THEN 37.8 ELSE 36.4 END"
            " FROM checkpoints_gate gt, generate_series(%s::timestamptz, %s::timestamptz, interval '1 day') d,"
            " generate_series(1, 100) g WHERE gt.place_path LIKE %s",
            [first, today, f"{district.path}{district.code}9%"],
        )
        for table in ("places_household", "monitoring_isolationorder", "monitoring_healthcheck", "alerts_alert"):
            run(f"ANALYZE {table}")
        run("ANALYZE assistance_helprequest")
        run("ANALYZE checkpoints_passage")
        cursor.execute("SELECT count(*) FROM people_person")
        people = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM checkpoints_passage")
        passages = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM monitoring_healthcheck")
        checks = cursor.fetchone()[0]
    setup_s = time.perf_counter() - started
    count = Place.objects.filter(kind=PlaceKind.COMMUNITY, path__startswith=district.path).count()
    print(
        f"district: {count} communities, {people:,} residents, {passages:,} passages, {checks:,} health checks,"
        f" {args.days} days; generated in {setup_s:.0f} s"
    )

    # 2. Snapshots.
    timings = []
    for back in range(6, -1, -1):
        day = today - timedelta(days=back)
        began = time.perf_counter()
        snapshot_day(day=day, within=district)
        timings.append((day, time.perf_counter() - began))
    on_time = timings[-1][1]
    sample = [c.path for c in communities[:10]]
    bounds = Day.of(today)
    declared = figures()
    began = time.perf_counter()
    for path in sample:
        compute(declared, day=bounds, communities=[path], within=[path])
    loop = (time.perf_counter() - began) * count / len(sample)
    print(f"\nsnapshots of one day for the district ({count} communities, {len(declared)} figures):")
    print(f"  set-based, one query per figure: {on_time:6.1f} s (today, on time)")
    print(f"  late runs, days before: {', '.join(f'{s:.1f} s' for _, s in timings[:-1])}")
    print(f"  baseline, a loop of queries per community ({len(sample)} timed, scaled to {count}): {loop:6.1f} s")

    # 3. Pages.
    client = Client()
    client.force_login(admin)
    iso = today.isoformat()
    community = communities[0]
    pages = [
        ("district report page", f"/dashboard/daily/{district.code}/{iso}/", lambda: daily_report(district, today)),
        ("street report page", f"/dashboard/daily/{streets[0].code}/{iso}/", lambda: daily_report(streets[0], today)),
        ("drill-down: residents of a community", f"/dashboard/daily/{community.code}/{iso}/figure/residents/", None),
        (
            "drill-down: alerts open in the district",
            f"/dashboard/daily/{district.code}/{iso}/figure/alerts_open/",
            None,
        ),
    ]
    print("\nserver time through the test client (30 requests; ms):")
    print(f"  {'page':44} {'median':>8} {'p95':>8} {'queries':>8} | {'selector bare: median':>22}")
    for label, url, bare in pages:
        assert client.get(url).status_code == 200, url
        median, p95 = timed(lambda url=url: client.get(url))
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        bare_text = f"{timed(bare)[0]:8.1f}" if bare else "       -"
        print(f"  {label:44} {median:8.1f} {p95:8.1f} {len(queries):8d} | {bare_text:>22}")
    with CaptureQueriesContext(connection) as small:
        client.get(f"/dashboard/daily/{streets[0].code}/{iso}/")
    with CaptureQueriesContext(connection) as large:
        client.get(f"/dashboard/daily/{district.code}/{iso}/")
    print(
        f"  query count: a street of {args.communities} communities {len(small)},"
        f" the district of {count} communities {len(large)}"
    )


if __name__ == "__main__":
    main()
