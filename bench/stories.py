"""Benchmark: the pseudonym check of a story for a street of 100,000 residents, on PostgreSQL.

    .venv/bin/python bench/stories.py [--rows 100000] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

A fresh database (tz_stories_bench) gets the demo street and ROWS more fake residents (Faker
zh_CN names, one in ten with a phone number) in 泰安巷's households. A story of about 1,500
characters naming three residents, with one phone number and one room, is checked at the level of
二戈街道 (the whole register of the street is in scope): median and p95 of 30 checks, and the
number of queries. Baseline in the same run: the obvious check, which reads every name of the
street's register and looks for each in the text. Figures are printed, never asserted.
"""

import argparse
import os
import sys
from pathlib import Path

import psycopg
from timing import timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "tz_stories_bench"


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
    from django.test.utils import CaptureQueriesContext
    from faker import Faker

    from tongzhou.core.scope import subtree_q
    from tongzhou.demo import load_demo
    from tongzhou.notices.stories.pseudonyms import check_text
    from tongzhou.people.models import Person
    from tongzhou.places.demo import ER_GE, TAIAN
    from tongzhou.places.models import Household, Place

    try:
        call_command("migrate", "--no-input", verbosity=0)
        load_demo(log=lambda message: None, extras=False)
        taian = Place.objects.get(code=TAIAN)
        street = Place.objects.get(code=ER_GE)
        households = list(Household.objects.filter(subtree_q(taian.path, "place__path")).select_related("place"))
        fake = Faker("zh_CN")
        Faker.seed(17)
        batch = []
        for n in range(args.rows):
            household = households[n % len(households)]
            phone = fake.phone_number() if n % 10 == 0 else ""
            batch.append(
                Person(
                    name=fake.name(),
                    id_number="",
                    phone=phone,
                    phone_last4=phone[-4:],
                    household=household,
                    place_path=household.place.path,
                )
            )
            if len(batch) == 5000:
                Person.objects.bulk_create(batch)
                batch = []
        Person.objects.bulk_create(batch)
        in_scope = Person.objects.filter(subtree_q(street.path, "place_path")).count()
        named = list(Person.objects.filter(subtree_q(taian.path, "place_path")).exclude(phone_index="")[:3])
        room = households[0]
        filler = "社区工作人员和志愿者日夜坚守在卡点，为居家隔离的居民测温、送菜、代买药品。" * 30
        text = (
            f"{named[0].name}和{named[1].name}是泰安巷的志愿者。{filler}"
            f"{named[2].name}住{room.room}室，电话{named[2].phone}。{filler}"
        )

        def baseline() -> list[str]:
            names = Person.objects.filter(subtree_q(street.path, "place_path")).values_list("name", flat=True)
            return sorted({name for name in names.iterator(chunk_size=5000) if name in text})

        findings = check_text(text, street.path)
        with CaptureQueriesContext(connection) as queries:
            check_text(text, street.path)
        ours = timed(lambda: check_text(text, street.path))
        theirs = timed(baseline, runs=10)
        print(f"pseudonym check, PostgreSQL, {in_scope:,} residents in scope (二戈街道), story of {len(text):,} chars")
        print(f"  findings: {len(findings)} ({', '.join(sorted({f.kind for f in findings}))}); queries: {len(queries)}")
        print(
            f"  the check (candidates looked up by index):  median {ours[0]:8.1f} ms   p95 {ours[1]:8.1f} ms  (30 runs)"
        )
        print(
            f"  baseline (read every name, search the text): median {theirs[0]:8.1f} ms   p95 {theirs[1]:8.1f} ms  (10 runs)"
        )
    finally:
        connection.close()
        if not args.keep:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
