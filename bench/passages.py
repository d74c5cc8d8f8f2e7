"""Benchmark: scans at the gate through the device API, on PostgreSQL, with gunicorn and wrk.

    .venv/bin/python bench/passages.py [--rows 1000000] [--seconds 15] [--workers 3] [--postgres URL]

Needs wrk from Debian (`apt-get install -y wrk`). Everything runs on this machine over loopback.

1. A fresh database gets the demo street, a gate at 泰安巷3号院 with passes for its households and
   a device token, and ROWS passages spread over the last 60 days (INSERT ... SELECT into the
   partitioned table), so partitions and indexes are not empty.
2. Single scans: gunicorn (WORKERS sync workers, the production settings with DEBUG off and
   persistent database connections, DB_CONN_MAX_AGE=60) serves
   both the real endpoint, `POST /api/v1/checkpoints/{id}/passages` with the device's bearer
   token, and a bare Django view on the same stack (same settings, middleware and database) that
   does one indexed SELECT and one INSERT (bench/gate_stack). wrk, 2 threads and 8 connections,
   runs each for SECONDS after a 3 s warm-up, twice, alternating; every request carries a fresh
   client_uuid and one of the gate's pass tokens. Printed: requests/s, p50 and p99 latency, and
   real/bare.
3. Batches: `POST .../passages/batch` with 10,000 items (in and out, 1 in 100 feverish, 1 in 200
   forged) over HTTP to the same gunicorn, 5 times with fresh client UUIDs, then the last batch
   sent again (a replay: must store nothing). Baseline in the same run: COPY of 10,000 equivalent
   rows straight into the table, without deciding anything.
Figures are printed, never asserted.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "tongzhou_bench_gate"
PORT = 8765
BATCH = 10_000

LUA = r"""
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local tokens = {%(tokens)s}
local function uuid4()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%%x", v)
  end))
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(device)s"
request = function()
  local body = string.format(
    '{"pass_token":"%%s","direction":"in","temperature":36.5,"client_uuid":"%%s","scanned_at":"%%s"}',
    tokens[math.random(#tokens)], uuid4(), os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ"))
  return wrk.format(nil, nil, nil, body)
end
"""


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start on port {port}")


def run_wrk(url: str, script: str, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "5s", "--latency", "-s", script, url],
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    ).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if not match:
            raise RuntimeError(f"no {label} in wrk's output:\n{out}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": ms("50%"),
        "p99": ms("99%"),
        "non2xx": float(errors.group(1)) if errors else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB} afterwards")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")

    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    url = args.postgres.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    from cryptography.fernet import Fernet

    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "TONGZHOU_PII_KEY": Fernet.generate_key().decode(),
        "TONGZHOU_DEMO": "true",
        "DEBUG": "false",
        "TONGZHOU_CONSOLE_MESSAGES_ALLOWED": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "REDIS_URL": "",
        # Persistent connections, as docs/deploy.md suggests for gunicorn (both views alike).
        "DB_CONN_MAX_AGE": "60",
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongzhou.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tongzhou.accounts.models import User
    from tongzhou.checkpoints.services import device_create, gate_create, pass_token, passes_issue
    from tongzhou.demo import load_demo
    from tongzhou.places.models import Place

    server = None
    try:
        call_command("migrate", "--no-input", verbosity=0)
        load_demo(log=lambda message: None, extras=False)
        staff = User.objects.get(username="taian_staff")
        compound = Place.objects.get(name="泰安巷3号院")
        gate = gate_create(actor=staff, compound=compound, name="东门")
        passes = passes_issue(actor=staff, place=compound)
        tokens = [pass_token(p) for p in passes]
        _device, raw = device_create(actor=staff, name="bench", gates=[gate])
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO checkpoints_passage (scanned_at, received_at, gate_id, place_path, client_uuid,
                       pass_ref_id, household_id, direction, temperature, allowed, reason, level, clock_skew, visitor)
                   SELECT now() - (n %% 5184000) * interval '1 second', now(), %s, %s, gen_random_uuid(),
                       %s, %s, CASE WHEN n %% 2 = 0 THEN 'in' ELSE 'out' END, 36.5, true, 'ok', 'none', false, false
                   FROM generate_series(1, %s) AS n""",
                [gate.pk, gate.place_path, passes[0].pk, passes[0].household_id, args.rows],
            )
            cursor.execute(
                "CREATE TABLE bench_bare (id bigserial PRIMARY KEY, client_uuid uuid, scanned_at timestamptz, pass_id bigint)"
            )
            cursor.execute("ANALYZE")
            cursor.execute("SELECT count(*) FROM checkpoints_passage")
            (rows,) = cursor.fetchone()
        print(f"set-up: {rows:,} passages in the table ({time.perf_counter() - started:.1f} s), {len(tokens)} passes")
        connection.close()

        server_env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "gate_stack.settings"}
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "tongzhou.wsgi:application",
                "--pythonpath",
                f"{ROOT},{ROOT / 'bench'}",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            env=server_env,
            cwd=ROOT,
        )
        wait_for_port(PORT)
        base = f"http://127.0.0.1:{PORT}"
        real_url = f"{base}/api/v1/checkpoints/{gate.pk}/passages"
        bare_url = f"{base}/bench/bare/"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(LUA % {"tokens": ", ".join(json.dumps(t) for t in tokens), "device": raw})
        for target in (bare_url, real_url):
            run_wrk(target, lua.name, 3)  # warm-up
        results: dict[str, list[dict[str, float]]] = {"bare": [], "real": []}
        for _round in range(2):
            results["bare"].append(run_wrk(bare_url, lua.name, args.seconds))
            results["real"].append(run_wrk(real_url, lua.name, args.seconds))
        os.unlink(lua.name)

        cores = os.cpu_count()
        print(
            f"\nsingle scans: gunicorn {args.workers} sync workers, wrk 2 threads × 8 connections, "
            f"{args.seconds} s per run, 2 runs each alternating, {cores} cores, loopback"
        )
        print(f"{'':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
        for name, label in (("bare", "bare view (1 SELECT + 1 INSERT)"), ("real", "POST /checkpoints/{id}/passages")):
            for run in results[name]:
                print(f"{label:34} {run['rps']:8.0f} {run['p50']:8.2f} {run['p99']:8.2f} {run['non2xx']:8.0f}")
        bare_rps = statistics.mean(r["rps"] for r in results["bare"])
        real_rps = statistics.mean(r["rps"] for r in results["real"])
        worst_p99 = max(r["p99"] for r in results["real"])
        print(
            f"real/bare throughput: {real_rps / bare_rps:.2f}× (target ≥ 0.7×); real p99 worst run {worst_p99:.1f} ms (target ≤ 30 ms)"
        )

        # Batches over HTTP.
        rng = random.Random(2020)

        def batch() -> list[dict[str, object]]:
            now = datetime.now(UTC).isoformat()
            items = []
            for n in range(BATCH):
                token = rng.choice(tokens) if n % 200 else "TZP1.forged:" + uuid.uuid4().hex
                items.append(
                    {
                        "pass_token": token,
                        "direction": "in" if n % 2 else "out",
                        "temperature": 38.1 if n % 100 == 7 else 36.6,
                        "client_uuid": str(uuid.uuid4()),
                        "scanned_at": now,
                    }
                )
            return items

        def send(items: list[dict[str, object]]) -> tuple[float, dict[str, object]]:
            body = json.dumps({"items": items}).encode()
            request = urllib.request.Request(  # noqa: S310 (our own http:// on loopback)
                f"{real_url}/batch",
                data=body,
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {raw}"},
            )
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
                answer = json.loads(response.read())
            return time.perf_counter() - started, answer

        send(batch()[:10])  # warm-up
        times = []
        last: list[dict[str, object]] = []
        for _ in range(5):
            last = batch()
            elapsed, answer = send(last)
            assert len(answer["results"]) == BATCH  # type: ignore[arg-type]
            times.append(elapsed)
        replay_time, replay = send(last)
        replayed = sum(1 for r in replay["results"] if r["replayed"])  # type: ignore[union-attr]

        import django.db

        django.db.connections.close_all()
        with psycopg.connect(url) as conn, conn.cursor() as cursor:
            now = datetime.now(UTC)
            started = time.perf_counter()
            columns = "scanned_at, received_at, gate_id, place_path, client_uuid, direction, temperature, allowed, reason, level, clock_skew, visitor"
            with cursor.copy(f"COPY checkpoints_passage ({columns}) FROM STDIN") as copy:
                for n in range(BATCH):
                    copy.write_row(
                        (
                            now,
                            now,
                            gate.pk,
                            gate.place_path,
                            uuid.uuid4(),
                            "in" if n % 2 else "out",
                            36.6,
                            True,
                            "ok",
                            "none",
                            False,
                            False,
                        )
                    )
            conn.commit()
            copy_time = time.perf_counter() - started
        print(f"\nbatches of {BATCH:,} over HTTP to the same gunicorn, 5 runs with fresh client UUIDs:")
        print(
            f"  stored and answered: median {statistics.median(times):.3f} s (runs {', '.join(f'{t:.3f}' for t in times)}) (target ≤ 1 s)"
        )
        print(
            f"  the last batch again: {replay_time:.3f} s, {replayed:,} of {BATCH:,} answered as replays, nothing stored"
        )
        print(f"  baseline, COPY of {BATCH:,} rows straight into the table: {copy_time:.3f} s")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
