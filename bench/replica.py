"""Benchmark: replica lag during a write burst, and the share of eligible reads the replica took.

    scripts/pg_standby.sh start
    .venv/bin/python bench/replica.py [--writes 200] [--burst-rows 200000]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--standby postgres://postgres@127.0.0.1:5433/postgres]

1. A fresh database on the primary (streamed to the standby like every other) gets the demo street
   with its supplies.
2. Small writes: WRITES times, a warehouse keeper receives goods through the app (a POST), then
   reads the public ledger's CSV (an eligible page) at once, and so does an anonymous visitor who
   wrote nothing. For each write: the bytes the standby still had to replay when the POST
   returned, and the milliseconds until it had replayed past the write's position (polled every
   millisecond). Where each eligible read went is counted: the writer (read-your-writes) against
   the visitor (the baseline: nothing to wait for).
3. A bulk burst: one INSERT of BURST_ROWS rows (≈ a large import's COPY) committed on the primary;
   the same two lag figures for it.
Figures are printed, never asserted.
"""

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "tz_replica_bench"


def lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--burst-rows", type=int, default=200_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--standby", default="postgres://postgres@127.0.0.1:5433/postgres")
    args = parser.parse_args()

    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    url = args.postgres.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    replica_url = args.standby.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tongzhou.settings_test",
            "DATABASE_URL": url,
            "REPLICA_DATABASE_URL": replica_url,
            "TONGZHOU_DEMO": "true",
            "DEBUG": "false",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from faker import Faker

    from tongzhou.demo import load_demo
    from tongzhou.places.demo import ER_GE
    from tongzhou.supplies.demo import _supplies

    setup_test_environment()
    settings.REPLICA_READS = True  # settings_test turns it off for the suite
    try:
        call_command("migrate", "--no-input", verbosity=0)
        load_demo(log=lambda message: None, extras=False)
        supplies = _supplies(fake=Faker("zh_CN"), log=lambda message: None)
        primary = psycopg.connect(url, autocommit=True)
        standby = psycopg.connect(replica_url, autocommit=True)

        def primary_lsn() -> int:
            return lsn(primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0])  # type: ignore[index]

        def replayed() -> int:
            return lsn(standby.execute("SELECT pg_last_wal_replay_lsn()::text").fetchone()[0])  # type: ignore[index]

        def lag_of(target: int, since: float) -> tuple[int, float]:
            """Bytes still to replay now, and ms from `since` (the commit) until replayed."""
            behind = max(0, target - replayed())
            while replayed() < target:
                time.sleep(0.001)
            return behind, (time.perf_counter() - since) * 1000 if behind else 0.0

        keeper = Client()
        keeper.force_login(supplies["street_keeper"])
        visitor = Client()
        ledger = reverse("supplies:public_ledger_csv", args=[ER_GE])
        receive = reverse("supplies:receive", args=[supplies["store_warehouse"].pk])
        lag_of(primary_lsn(), time.perf_counter())
        writer_reads: Counter[str] = Counter()
        visitor_reads: Counter[str] = Counter()
        lag_bytes, lag_ms = [], []
        for n in range(args.writes):
            answer = keeper.post(receive, {"receive-item": supplies["item_gloves"].pk, "receive-quantity": str(n + 1)})
            assert answer.status_code == 302, answer.status_code
            committed = time.perf_counter()
            if n % 10 == 0:  # measured on every tenth write (the polling itself would slow the burst)
                behind, ms = lag_of(primary_lsn(), committed)
                lag_bytes.append(behind)
                lag_ms.append(ms)
            writer_reads[keeper.get(ledger).wsgi_request.reads.why] += 1
            visitor_reads[visitor.get(ledger).wsgi_request.reads.why] += 1
        primary.execute(
            "CREATE TABLE bench_burst AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, %s) g",
            [args.burst_rows],
        )
        burst_bytes, burst_ms = lag_of(primary_lsn(), time.perf_counter())
        primary.execute("DROP TABLE bench_burst")

        def share(reads: Counter[str]) -> str:
            total = sum(reads.values())
            parts = ", ".join(f"{why} {count}" for why, count in reads.most_common())
            return f"{100 * reads['replica'] / total:5.1f}% on the replica ({parts})"

        print(f"replica bench: {args.writes} receipts through the app, then the public ledger CSV at once")
        print(f"  reads by the writer (read-your-writes):  {share(writer_reads)}")
        print(f"  reads by a visitor who wrote nothing:    {share(visitor_reads)}  <- baseline")
        print(
            f"  lag after one small write: median {statistics.median(lag_bytes):.0f} bytes, "
            f"max {max(lag_bytes)} bytes when the POST returned; replayed (0 if already) in median {statistics.median(lag_ms):.1f} ms, "
            f"max {max(lag_ms):.1f} ms ({len(lag_ms)} writes measured)"
        )
        print(
            f"  lag after a bulk burst of {args.burst_rows} rows in one INSERT: {burst_bytes / 1e6:.1f} MB "
            f"to replay when it committed; replayed in {burst_ms:.0f} ms"
        )
        print("  measured: standby of scripts/pg_standby.sh on the same machine (loopback, 2 CPUs shared)")
        primary.close()
        standby.close()
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
