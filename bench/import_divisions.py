"""Benchmark: `manage.py import_divisions` on the whole country (about 665k places), on SQLite and
on PostgreSQL, side by side with its floor: merely reading and parsing the same five files.

    .venv/bin/python bench/import_divisions.py [DIR] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

DIR defaults to ../shared/data/china-division. Each engine gets a fresh, migrated database; the
import runs as a subprocess (wall time includes Django start-up), then once more (the re-run, which
must create nothing). Figures are printed, never asserted: these machines are noisy.
"""

import argparse
import csv
import gzip
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT.parent / "shared" / "data" / "china-division"
STEMS = ("provinces", "cities", "areas", "streets", "villages")


def read_only(directory: Path) -> int:
    rows = 0
    for stem in STEMS:
        path = directory / f"{stem}.csv.gz"
        if not path.exists():
            path = directory / f"{stem}.csv"
        raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115
        with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle:
            rows += sum(1 for _ in csv.DictReader(handle))
    return rows


def run(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""


def bench_engine(label: str, database_url: str, directory: Path) -> list[tuple[str, str, float, str]]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongzhou.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key-0000000000000000000000000000",
        "TONGZHOU_PII_KEY": "YmVuY2gta2V5LTAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=",
        "DEBUG": "false",
        "TONGZHOU_CONSOLE_MESSAGES_ALLOWED": "true",
        "ALLOWED_HOSTS": "localhost",
    }
    run(env, "migrate", "--no-input", "-v0")
    first, first_out = run(env, "import_divisions", str(directory), "--no-progress")
    again, again_out = run(env, "import_divisions", str(directory), "--no-progress")
    return [(label, "import, empty database", first, first_out), (label, "re-run, nothing to change", again, again_out)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a server database to create the benchmark database from",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    places = read_only(args.directory)
    floor = time.perf_counter() - started
    results = [("—", "baseline: read and parse the five files (csv module)", floor, f"{places} rows")]

    with tempfile.TemporaryDirectory() as tmp:
        results += bench_engine("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args.directory)

    admin_url = args.postgres
    bench_db = "tongzhou_bench_import"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {bench_db}")
        conn.execute(f"CREATE DATABASE {bench_db}")
    try:
        results += bench_engine("PostgreSQL", admin_url.rsplit("/", 1)[0] + f"/{bench_db}", args.directory)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {bench_db}")

    print(f"import_divisions, whole country from {args.directory} ({places} places), {os.cpu_count()} cores")
    print("wall time of `manage.py import_divisions DIR --no-progress` as a subprocess, Django start-up included")
    print(f"{'engine':<11} {'run':<55} {'seconds':>8}  output")
    for engine, what, seconds, out in results:
        print(f"{engine:<11} {what:<55} {seconds:>8.1f}  {out}")
    for engine, what, seconds, _out in results[1:]:
        if what.startswith("import"):
            print(f"{engine}: import is {seconds / floor:.1f}× the time of merely reading the files")


if __name__ == "__main__":
    main()
