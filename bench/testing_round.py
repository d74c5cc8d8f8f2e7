"""Benchmark: a testing round over a street of 100,000 eligible residents at 10-in-1, on PostgreSQL.

    .venv/bin/python bench/testing_round.py [--people 100000] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

1. A fresh database gets the demo street plus 21,600 households in 泰安巷 and PEOPLE residents;
   a round over 二戈街道 (10-in-1) with 99 % of them (but the last BATCH) sampled into 9,000-odd
   tubes, written in bulk.
2. The lab's result file: 10,000 tubes, 20 positive, as .xlsx, imported end to end through the
   import framework (read, check every row, write the results, recall the positive pools' members,
   raise the alerts, audit), side by side with a bare read of the same file (openpyxl, every row).
3. The round page (untested list and per-building percentages for the street) as the street
   admin through the in-process test client: median and p95 server time of 30 requests, beside
   the bare selector; the query count for a round of one compound and for the street.
4. A phone's synced batch of BATCH samples (the last BATCH residents, 10 to a tube) through
   `samples_record` (the batch endpoint's service: replays, people, earlier samples, tubes locked,
   fill counts, one insert), side by side with a bare bulk insert of the same sample rows into
   tubes made beforehand (rolled back), and the batch sent again (every item a replay).
Figures are printed, never asserted.
"""

import argparse
import io
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
from timing import RUNS, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--tubes", type=int, default=10_000, help="tubes in the result file")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--batch", type=int, default=10_000, help="samples in the phones' synced batch")
    parser.add_argument("--db", default="tz_testing_bench", help="the database made (and dropped) for the run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    bench_db = args.db

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
    import openpyxl
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from tongzhou.accounts.models import User
    from tongzhou.core.imports import base
    from tongzhou.demo import load_demo
    from tongzhou.people.idnumbers import check_digit
    from tongzhou.people.importers import Checked, GoodRow, write_rows
    from tongzhou.people.models import Person
    from tongzhou.places.models import Household, Place, PlaceKind
    from tongzhou.places.services import building_create, place_create
    from tongzhou.testing.importers import ResultImporter
    from tongzhou.testing.models import Recall, Sample, Tube
    from tongzhou.testing.selectors import untested_by_building
    from tongzhou.testing.services import RoundData, SampleItem, round_advance, round_create, samples_record

    setup_test_environment()
    rng = random.Random(2022)
    try:
        call_command("migrate", "--no-input", verbosity=0)
        load_demo(log=lambda message: None, extras=False)
        staff = User.objects.get(username="taian_staff")
        admin = User.objects.get(username="street_admin")
        taian = Place.objects.get(code="520102029004")
        street = Place.objects.get(code="520102029")
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
        already = Person.objects.filter(place_path__startswith=street.path).count()
        checked = Checked()
        for n in range(max(0, args.people - already)):
            born = date(1950, 1, 1) + timedelta(days=37 * (n // 1000))
            first17 = f"520103{born:%Y%m%d}{n % 1000:03d}"
            checked.good.append(
                GoodRow(
                    row=n + 2,
                    values={
                        "name": f"居民{n}",
                        "id_type": "id_card",
                        "id_number": first17 + check_digit(first17),
                        "birth_date": None,
                        "sex": "",
                        "phone": f"139{n:08d}",
                        "phone_last4": f"{n:08d}"[-4:],
                        "household": households[n % len(households)],
                        "residency_type": "permanent",
                        "notes": "",
                        "tags": [],
                    },
                )
            )
        checked.total = len(checked.good)
        write_rows(actor=staff, place=taian, checked=checked, all_or_nothing=True)

        today = timezone.localdate()
        test_round = round_advance(
            actor=admin,
            test_round=round_create(
                actor=admin,
                data=RoundData(place=street, name="全街道筛查", starts_on=today, ends_on=today, pool_size=10),
            ),
        )
        people = list(
            Person.objects.filter(place_path__startswith=street.path)
            .order_by("place_path", "pk")
            .values_list("pk", "household_id", "place_path")
        )
        # The last BATCH residents are left for the phones' batch (step 4).
        held = people[-args.batch :]
        sampled = [p for p in people[: -args.batch] if rng.random() < 0.99]
        now = timezone.now()
        tubes = [
            Tube(
                round=test_round,
                barcode=f"BX{i:07d}",
                capacity=10,
                filled=len(sampled[i * 10 : i * 10 + 10]),
                place_path=street.path,
            )
            for i in range((len(sampled) + 9) // 10)
        ]
        Tube.objects.bulk_create(tubes, batch_size=5000)
        Sample.objects.bulk_create(
            (
                Sample(
                    round=test_round, tube=tubes[i // 10], person_id=pk, household_id=hh, place_path=path, taken_at=now
                )
                for i, (pk, hh, path) in enumerate(sampled)
            ),
            batch_size=5000,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        setup_s = time.perf_counter() - started

        # The lab's file: the first TUBES tubes, 20 of them positive.
        file_tubes = tubes[: args.tubes]
        positive = set(rng.sample(range(len(file_tubes)), 20))
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["管码", "结果", "Ct值", "检测时间"])
        stamp = f"{today - timedelta(days=1):%Y-%m-%d} 18:00"
        for i, tube in enumerate(file_tubes):
            sheet.append([tube.barcode, "阳性" if i in positive else "阴性", "31.2" if i in positive else "", stamp])
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()

        started = time.perf_counter()
        rows = sum(
            1 for _ in openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True)
        )
        bare_read_s = time.perf_counter() - started

        started = time.perf_counter()
        importer = ResultImporter(place_path=street.path, actor=staff)
        result_check = base.check(importer, data, "results.xlsx")
        written = base.write(importer, result_check, all_or_nothing=True)
        import_s = time.perf_counter() - started
        recalled = Recall.objects.filter(round=test_round).count()

        client = Client()
        client.force_login(admin)

        def page() -> None:
            assert client.get(f"/testing/{test_round.pk}/").status_code == 200

        def bare() -> None:
            untested_by_building(test_round)

        page_med, page_p95 = timed(page)
        bare_med, bare_p95 = timed(bare)
        small = round_create(
            actor=staff,
            data=RoundData(place=Place.objects.get(name="泰安巷3号院"), name="小", starts_on=today, ends_on=today),
        )
        counts = {}
        for label, pk in (("one compound", small.pk), ("the street", test_round.pk)):
            with CaptureQueriesContext(connection) as queries:
                client.get(f"/testing/{pk}/")
            counts[label] = len(queries.captured_queries)

        # 4. The phones' batch.
        import uuid

        from django.db import transaction

        items = [SampleItem(uuid.uuid4(), pk, f"PH{i // 10:06d}", now) for i, (pk, _hh, _path) in enumerate(held)]
        with transaction.atomic():
            started = time.perf_counter()
            bare_tubes = Tube.objects.bulk_create(
                [
                    Tube(round=test_round, barcode=f"PH{i:06d}", capacity=10, filled=10, place_path=street.path)
                    for i in range((len(held) + 9) // 10)
                ]
            )
            Sample.objects.bulk_create(
                Sample(
                    round=test_round,
                    tube=bare_tubes[i // 10],
                    person_id=pk,
                    household_id=hh,
                    place_path=path,
                    taken_at=now,
                    taken_by=staff,
                    client_uuid=items[i].client_uuid,
                )
                for i, (pk, hh, path) in enumerate(held)
            )
            bare_batch_s = time.perf_counter() - started
            transaction.set_rollback(True)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            outcomes = samples_record(actor=admin, test_round=test_round, items=items)
            batch_s = time.perf_counter() - started
        batch_queries = len(queries.captured_queries)
        stored = sum(o.outcome == "stored" for o in outcomes)
        started = time.perf_counter()
        replayed = samples_record(actor=admin, test_round=test_round, items=items)
        replay_s = time.perf_counter() - started
        same = sum(o.outcome == "already_stored" for o in replayed)

        print(f"testing: a round over 二戈街道 on PostgreSQL ({os.cpu_count()} cores)")
        print(
            f"  set-up: {len(people)} eligible, {len(sampled)} sampled into {len(tubes)} tubes (bulk) in {setup_s:.1f} s"
        )
        print(f"  result file: {len(file_tubes)} tubes ({len(positive)} positive), {len(data) // 1024} KiB .xlsx")
        print(f"    bare read (openpyxl, {rows} rows):          {bare_read_s:6.2f} s")
        print(
            f"    import end to end (check, write, recall):  {import_s:6.2f} s  ->  {written} results, {recalled} recalled,"
            f" {len(result_check.errors)} row errors"
        )
        print("    anchor: SORMAS imports about one row a second (10,000 rows: ~2.8 h)")
        print(f"  round page (untested list + per-building %), median / p95 of {RUNS} requests, ms, in-process")
        print(f"    page: {page_med:7.1f} / {page_p95:7.1f}    bare selector: {bare_med:7.1f} / {bare_p95:7.1f}")
        print(
            f"    queries: {counts['one compound']} for one compound's round, {counts['the street']} for the street's"
        )
        print(f"  phones' synced batch: {len(items)} samples into {len(items) // 10} new tubes, in-process")
        print(f"    bare bulk insert of the same rows (tubes + samples): {bare_batch_s:6.2f} s")
        print(
            f"    samples_record (checks, tube locks, fill counts, insert): {batch_s:6.2f} s  ->  {stored} stored,"
            f" {batch_queries} queries"
        )
        print(f"    the same batch again (every item a replay):       {replay_s:6.2f} s  ->  {same} already stored")
    finally:
        connection.close()
        if not args.keep:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {bench_db}")


if __name__ == "__main__":
    main()
