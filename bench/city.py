"""Benchmark: growth curves of the hot paths in a generated district at 100,000, 300,000 and 1,000,000 residents.

    .venv/bin/python bench/city.py [--sizes 100000,300000,1000000] [--keep] [--runs 20] [--seconds 10]
        [--workers 3] [--replica] [--out docs/scale-results.json] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Needs wrk (`apt-get install -y wrk`); `--replica` needs the standby of `scripts/pg_standby.sh start`.

1. For each size, a PostgreSQL database tz_city_<size> gets the district of `manage.py generate_city`
   (one community for every 3,333 residents, so a community, a street and a round stay the same
   size while the district grows: 30, 90 and 300 communities; 30 days; seed 1; no snapshots).
   With --keep a database that was built completely before (its table bench_city_meta says so)
   is reused and kept; without it the database is built afresh and dropped afterwards.
2. In a process of its own per size, through the in-process test client, as the people who use
   them: the first street's administrator (register, stock, the round's untested list, a notice's
   reach), its health officer (today's isolation list) and the district administrator (the same
   pages over every generated community): median and p95 server time of RUNS requests after one
   warm-up, and the queries of one request. The district's daily snapshot (`snapshot_day` for
   today over every generated community) is timed once, then the district's daily report page.
3. Gate scans: gunicorn (WORKERS sync workers, production settings, DB_CONN_MAX_AGE=60) serves the
   real `POST /api/v1/checkpoints/{id}/passages` and the bare view of bench/gate_stack (one indexed
   SELECT, one INSERT); wrk as in bench/passages.py, twice each alternating, SECONDS per run.
4. With --replica, bench/replica.py is run once (it builds its own street on the primary and
   measures replica lag during a write burst and the share of reads the replica took); its
   figures go into the results.
Sizes are measured there and back (small to large, then large to small; --passes 1 for once), so
that a change in the machine's load during the run weighs on both ends alike: each page keeps the
better of its two medians, gate figures are the mean of both passes.
A table with every size side by side, and its ratio against the smallest, is printed; everything
is written to OUT (JSON) for docs/scale.md and bench/scale_chart.js. Figures are printed, never
asserted.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PER_COMMUNITY = 3_333
DAYS = 30
SEED = 1
# The keys of settings_test, which generate_city wrote the personal data with, for every process.
SECRET_KEY = "test-secret-key-not-for-production-000000000000"  # noqa: S105 (settings_test's)
PII_KEY = "dGVzdC1rZXktbmV3LTAwMDAwMDAwMDAwMDAwMDAwMDA=,dGVzdC1rZXktb2xkLTAwMDAwMDAwMDAwMDAwMDAwMDA="
PORT = 8766

# (key, label, node that carries it in a city deployment)
PATHS = [
    ("register_street", "register, first page (street admin)", "primary"),
    ("register_search_street", "register, search a name (street admin)", "primary"),
    ("register_phone_street", "register, last 4 phone digits (street admin)", "primary"),
    ("register_search_district", "register, search a name (district admin)", "primary"),
    ("today_street", "today's isolation list (street health officer)", "primary"),
    ("today_district", "today's isolation list (district admin)", "primary"),
    ("untested_round", "round page: untested by building (street admin)", "primary"),
    ("stock_street", "stock on hand (street admin)", "primary"),
    ("stock_district", "stock on hand (district admin)", "primary"),
    ("reach_notice", "reach report of a notice (street admin)", "primary"),
    ("report_district", "daily report page, district (district admin)", "replica"),
]


def db_url(postgres: str, name: str) -> str:
    return postgres.rsplit("/", 1)[0] + f"/{name}"


def communities_for(size: int) -> int:
    return max(1, round(size / PER_COMMUNITY))


def built(postgres: str, name: str) -> dict[str, object] | None:
    """The meta row of a completely built database, or None."""
    try:
        with psycopg.connect(db_url(postgres, name), autocommit=True) as conn:
            row = conn.execute("SELECT residents, communities, built_seconds FROM bench_city_meta").fetchone()
    except psycopg.Error:
        return None
    return {"residents": row[0], "communities": row[1], "built_seconds": row[2]} if row else None


def build(postgres: str, size: int) -> dict[str, object]:
    name = f"tz_city_{size}"
    communities = communities_for(size)
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    env = {**os.environ, **django_env(db_url(postgres, name))}
    started = time.perf_counter()
    manage = [str(ROOT / ".venv/bin/python"), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [
            *manage,
            "generate_city",
            f"--communities={communities}",
            f"--residents={size}",
            f"--days={DAYS}",
            f"--seed={SEED}",
            "--no-snapshots",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    took = round(time.perf_counter() - started)
    with psycopg.connect(db_url(postgres, name), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_city_meta (residents int, communities int, built_seconds int, built_at timestamptz DEFAULT now())"
        )
        conn.execute("INSERT INTO bench_city_meta VALUES (%s, %s, %s)", [size, communities, took])
    return {"residents": size, "communities": communities, "built_seconds": took}


def django_env(url: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tongzhou.settings_test",
        "DATABASE_URL": url,
        "REPLICA_DATABASE_URL": "",
        "SECRET_KEY": SECRET_KEY,
        "TONGZHOU_PII_KEY": PII_KEY,
        "DEBUG": "false",
    }


def measure(url: str, runs: int, seconds: int, workers: int, only: str = "") -> dict[str, object]:
    """One size, in this process (called with --measure-one): every hot path and the gate scans
    (only the gate scans with only="gate")."""
    os.environ.update(django_env(url))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from tongzhou.accounts.models import User
    from tongzhou.accounts.services import role_grant
    from tongzhou.core.permissions import Role
    from tongzhou.notices.models import Notice
    from tongzhou.people.models import Person
    from tongzhou.places.models import Place, PlaceKind
    from tongzhou.testing.models import Round

    setup_test_environment()
    out: dict[str, object] = {}
    city = Place.objects.get(code="5201")
    first = Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("code").first()
    assert first is not None
    street = first.parent

    def user(username: str, role: Role, place: Place) -> User:
        person, created = User.objects.get_or_create(username=username)
        if created:
            role_grant(actor=None, user=person, role=role, place=place)
        return person

    district_admin = User.objects.get(username="city_admin")
    street_admin = user("bench_street_admin", Role.STREET_ADMIN, street)
    officer = user("bench_health_officer", Role.HEALTH_OFFICER, street)
    out["district_residents"] = Person.objects.count()
    out["street_residents"] = Person.objects.filter(place_path__startswith=street.path).count()
    out["street_communities"] = Place.objects.filter(kind=PlaceKind.COMMUNITY, parent=street).count()
    out["communities"] = Place.objects.filter(kind=PlaceKind.COMMUNITY).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM checkpoints_passage")
        out["passages"] = cursor.fetchone()[0]

    someone = Person.objects.filter(place_path__startswith=first.path).order_by("pk").first()
    assert someone is not None
    test_round = Round.objects.filter(place=first).order_by("-starts_on").first()
    notice = Notice.objects.filter(place=first).order_by("-pk").first()
    assert test_round is not None and notice is not None
    today = timezone.localdate()
    clients = {}
    for name, persona in (("street", street_admin), ("officer", officer), ("district", district_admin)):
        clients[name] = Client()
        clients[name].force_login(persona)

    if only != "gate":
        out.update(pages_measured(runs, city, clients, someone, test_round, notice, today))
    return out | gates_measured(seconds, workers, first, street_admin)


def pages_measured(
    runs: int, city: Any, clients: Any, someone: Any, test_round: Any, notice: Any, today: Any
) -> dict[str, object]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from timing import timed

    from tongzhou.reports.services import snapshot_day

    out: dict[str, object] = {}
    # The district's daily snapshot: once (it writes), then its report page reads it.
    began = time.perf_counter()
    snapshot_day(day=today, within=city)
    out["snapshot_district_s"] = time.perf_counter() - began

    requests = {
        "register_street": ("street", "/residents/", {}),
        "register_search_street": ("street", "/residents/", {"q": someone.name[:2]}),
        "register_phone_street": ("street", "/residents/", {"q": someone.phone[-4:]}),
        "register_search_district": ("district", "/residents/", {"q": someone.name[:2]}),
        "today_street": ("officer", "/monitoring/", {}),
        "today_district": ("district", "/monitoring/", {}),
        "untested_round": ("street", f"/testing/{test_round.pk}/", {}),
        "stock_street": ("street", "/supplies/", {}),
        "stock_district": ("district", "/supplies/", {}),
        "reach_notice": ("street", f"/notices/{notice.pk}/", {}),
        "report_district": ("district", f"/dashboard/daily/{city.code}/{today.isoformat()}/", {}),
    }
    pages: dict[str, dict[str, float]] = {}
    for key, (who, path, params) in requests.items():
        client = clients[who]
        answer = client.get(path, params)
        assert answer.status_code == 200, (key, answer.status_code)

        def get(client: Client = client, path: str = path, params: dict[str, str] = params) -> None:
            client.get(path, params)

        median, p95 = timed(get, runs=runs)
        with CaptureQueriesContext(connection) as queries:
            get()
        pages[key] = {"median_ms": median, "p95_ms": p95, "queries": len(queries)}
        print(f"  {key:26} {median:8.1f} {p95:8.1f} ms {len(queries):4} queries", file=sys.stderr, flush=True)
    out["pages"] = pages
    return out


def gates_measured(seconds: int, workers: int, first: Any, street_admin: Any) -> dict[str, object]:
    """Gate scans against the bare view."""
    from django.db import connection
    from passages import LUA, run_wrk, wait_for_port

    from tongzhou.checkpoints.models import Gate, Pass, PassStatus
    from tongzhou.checkpoints.services.gates import device_create
    from tongzhou.checkpoints.services.passes import pass_token, passes_issue

    out: dict[str, object] = {}
    if shutil.which("wrk") is None:
        out["gates"] = None
        return out
    gate = Gate.objects.filter(place__parent=first).order_by("pk").first() or Gate.objects.order_by("pk").first()
    assert gate is not None
    passes_issue(actor=street_admin, place=gate.place)  # those with none yet (a kept database has them)
    tokens = [
        pass_token(p)
        for p in Pass.objects.filter(
            status=PassStatus.ACTIVE, person__isnull=True, place_path__startswith=gate.place.path
        )
    ]
    assert tokens
    _device, raw = device_create(actor=street_admin, name="bench", gates=[gate])
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, client_uuid uuid, scanned_at timestamptz, pass_id bigint)"
        )
    connection.close()
    server_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gate_stack.settings",
        "TONGZHOU_DEMO": "false",
        "TONGZHOU_CONSOLE_MESSAGES_ALLOWED": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "REDIS_URL": "",
        "DB_CONN_MAX_AGE": "60",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "tongzhou.wsgi:application",
            "--pythonpath",
            f"{ROOT},{ROOT / 'bench'}",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        env=server_env,
        cwd=ROOT,
    )
    try:
        wait_for_port(PORT)
        base = f"http://127.0.0.1:{PORT}"
        real_url = f"{base}/api/v1/checkpoints/{gate.pk}/passages"
        bare_url = f"{base}/bench/bare/"
        # The master listens before its workers have booted (seconds on a loaded machine): wait for an answer.
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/bench/ready/", timeout=5):  # noqa: S310 (loopback)
                    break
            except urllib.error.HTTPError:
                break  # answered
            except OSError:
                time.sleep(0.5)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(LUA % {"tokens": ", ".join(json.dumps(t) for t in tokens), "device": raw})
        for target in (bare_url, real_url):
            run_wrk(target, lua.name, 3)  # warm-up
        results: dict[str, list[dict[str, float]]] = {"bare": [], "real": []}
        for _round in range(2):
            for name, target in (("bare", bare_url), ("real", real_url)):
                before = cpu_seconds(server.pid, os.environ["DATABASE_URL"])
                run = run_wrk(target, lua.name, seconds)
                after = cpu_seconds(server.pid, os.environ["DATABASE_URL"])
                requests = run["rps"] * seconds or 1.0
                # CPU per request: the app server's workers, and the database's backends serving them.
                run["app_cpu_ms"] = (after[0] - before[0]) / requests * 1000
                run["db_cpu_ms"] = (after[1] - before[1]) / requests * 1000
                results[name].append(run)
        os.unlink(lua.name)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    bare_rps = sum(r["rps"] for r in results["bare"]) / 2
    real_rps = sum(r["rps"] for r in results["real"]) / 2
    out["gates"] = {
        "bare_rps": bare_rps,
        "real_rps": real_rps,
        "ratio": real_rps / bare_rps if bare_rps else 0.0,
        "real_p50_ms": max(r["p50"] for r in results["real"]),
        "real_p99_ms": max(r["p99"] for r in results["real"]),
        "non2xx": sum(r["non2xx"] for r in results["real"] + results["bare"]),
        "runs": results,
    }
    return out


def cpu_seconds(master: int, url: str) -> tuple[float, float]:
    """CPU seconds used so far (user + system) by gunicorn's workers (children of MASTER) and by
    the PostgreSQL backends connected to the database at URL."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick

    children = Path(f"/proc/{master}/task/{master}/children")
    workers = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    with psycopg.connect(url, autocommit=True) as conn:
        backends = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ]
    return sum(used(pid) for pid in workers), sum(used(pid) for pid in backends)


def replica_figures() -> dict[str, object]:
    """Run bench/replica.py (its own database and street) and keep its figures."""
    done = subprocess.run(
        [str(ROOT / ".venv/bin/python"), str(ROOT / "bench/replica.py"), "--writes", "100"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1800,
    )
    text = done.stdout
    if done.returncode:
        return {"error": (done.stderr or text).strip().splitlines()[-1:]}

    def number(pattern: str) -> float | None:
        match = re.search(pattern, text)
        return float(match.group(1)) if match else None

    return {
        "writer_share_pct": number(r"reads by the writer[^:]*:\s+([\d.]+)%"),
        "visitor_share_pct": number(r"reads by a visitor[^:]*:\s+([\d.]+)%"),
        "small_write_lag_median_ms": number(r"replayed \(0 if already\) in median ([\d.]+) ms"),
        "small_write_lag_max_ms": number(r"replayed \(0 if already\) in median [\d.]+ ms, max ([\d.]+) ms"),
        "burst_mb": number(r"bulk burst[^:]*: ([\d.]+) MB"),
        "burst_replayed_ms": number(r"replayed in (\d+) ms\s*$"),
        "output": text,
    }


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def gate_cell(g: dict[str, float]) -> str:
    return f"{g['real_rps']:.0f} / {g['bare_rps']:.0f} ({g['ratio']:.2f}×)"


def fit(sizes: list[int], values: list[float], target: int = 10_000_000) -> tuple[str, float, float]:
    """The curve through (sizes, values) and its value at `target`: (shape, slope, prediction).

    The slope is the log–log slope from the smallest to the largest size (0: flat, 1: in
    proportion to the residents). Below 0.15 the curve is called constant and predicted as its
    largest figure; otherwise a + b·n and a + b·n·log n are fitted by least squares and the one
    nearer the points predicts."""
    import math

    slope = math.log(values[-1] / values[0]) / math.log(sizes[-1] / sizes[0])
    if slope < 0.15:
        return "constant", slope, max(values)
    best: tuple[float, str, float] | None = None
    for shape, f in (("linear", lambda n: n), ("n log n", lambda n: n * math.log(n))):
        xs = [f(n) for n in sizes]
        mx, my = sum(xs) / len(xs), sum(values) / len(values)
        b = sum((x - mx) * (y - my) for x, y in zip(xs, values, strict=True)) / sum((x - mx) ** 2 for x in xs)
        a = my - b * mx
        error = sum((a + b * x - y) ** 2 for x, y in zip(xs, values, strict=True))
        if best is None or error < best[0]:
            best = (error, shape, a + b * f(target))
    assert best is not None
    return best[1], slope, best[2]


def markdown(report: dict[str, object]) -> str:
    """The table of docs/scale.md: each size side by side, the ratio, the curve and 10 million."""
    sizes: list[int] = report["sizes"]  # type: ignore[assignment]
    results: dict[str, dict[str, object]] = report["results"]  # type: ignore[assignment]
    at = [results[str(s)] for s in sizes]
    head = " | ".join(f"{s:,}" for s in sizes)
    lines = [
        f"| hot path: median / p95 ms, queries | {head} | ×{sizes[-1] // sizes[0]} residents | curve (log–log slope) | 10,000,000 (median) | node |",
        "|---" * (len(sizes) + 5) + "|",
    ]
    for path in report["paths"]:  # type: ignore[attr-defined]
        pages = [r["pages"][path["key"]] for r in at]  # type: ignore[index]
        medians = [p["median_ms"] for p in pages]
        shape, slope, ten = fit(sizes, medians)
        cells = " | ".join(f"{fmt(p['median_ms'])} / {fmt(p['p95_ms'])}, {p['queries']}" for p in pages)
        lines.append(
            f"| {path['label']} | {cells} | {medians[-1] / medians[0]:.2f}× | {shape} ({slope:.2f}) | "
            f"{fmt(ten)} ms | {path['node']} |"
        )
    snaps = [r["snapshot_district_s"] for r in at]
    shape, slope, ten = fit(sizes, snaps)  # type: ignore[arg-type]
    lines.append(
        "| daily snapshot of the district, s | "
        + " | ".join(f"{s:.1f}" for s in snaps)  # type: ignore[str-format]
        + f" | {snaps[-1] / snaps[0]:.2f}× | {shape} ({slope:.2f}) | {ten:.0f} s | worker → primary |"  # type: ignore[operator]
    )
    gates = [r.get("gates") for r in at]
    if all(gates):
        real = [g["real_rps"] for g in gates]  # type: ignore[index]
        lines.append(
            "| gate scans/s: real / bare (real ÷ bare) | "
            + " | ".join(gate_cell(g) for g in gates)  # type: ignore[arg-type]
            + f" | {real[-1] / real[0]:.2f}× | — | — | app servers → primary |"
        )
        lines.append(
            "| gate scan p50 / p99 ms (worst run) | "
            + " | ".join(f"{g['real_p50_ms']:.0f} / {g['real_p99_ms']:.0f}" for g in gates)  # type: ignore[index]
            + " | | | | |"
        )
    return "\n".join(lines)


def table(sizes: list[int], results: dict[str, dict[str, object]]) -> str:
    small = str(sizes[0])
    lines = []
    head = "".join(f" {f'{s:,}':>22}" for s in sizes)
    lines.append(f"{'hot path (median / p95 ms, queries)':50}{head}   ×{sizes[-1] // sizes[0]} size")
    for key, label, _node in PATHS:
        cells, first_median = [], None
        for size in sizes:
            page = results[str(size)]["pages"][key]  # type: ignore[index]
            cells.append(f"{fmt(page['median_ms'])} / {fmt(page['p95_ms'])}, {page['queries']}q")
            if str(size) == small:
                first_median = page["median_ms"]
        last = results[str(sizes[-1])]["pages"][key]["median_ms"]  # type: ignore[index]
        lines.append(f"{label:50}" + "".join(f" {c:>22}" for c in cells) + f"   {last / first_median:5.2f}×")
    snaps = [results[str(s)]["snapshot_district_s"] for s in sizes]
    lines.append(
        f"{'daily snapshot, district (s)':50}"
        + "".join(f" {s:22.1f}" for s in snaps)  # type: ignore[str-format]
        + f"   {snaps[-1] / snaps[0]:5.2f}×"  # type: ignore[operator]
    )
    gates = [results[str(s)].get("gates") for s in sizes]
    if all(gates):
        lines.append(f"{'gate scans/s real / bare (ratio)':50}" + "".join(f" {gate_cell(g):>22}" for g in gates))
        lines.append(
            f"{'gate scan p99 ms':50}" + "".join(f" {g['real_p99_ms']:22.1f}" for g in gates)  # type: ignore[index]
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--keep", action="store_true", help="reuse complete tz_city_<size> databases, keep them")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--passes", type=int, choices=[1, 2], default=2, help="2: there and back")
    parser.add_argument("--replica", action="store_true", help="run bench/replica.py too (needs the standby)")
    parser.add_argument("--out", default=str(ROOT / "docs/scale-results.json"))
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--measure-one", help=argparse.SUPPRESS)
    parser.add_argument(
        "--only", choices=["gate"], default="", help="gate: only the gate scans, printed, OUT left alone"
    )
    parser.add_argument("--markdown", help="print the table of a results file (OUT) and stop")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text())))
        return
    if args.measure_one:
        figures = measure(args.measure_one, args.runs, args.seconds, args.workers, args.only)
        print(json.dumps(figures))
        return

    sizes = sorted(int(s) for s in args.sizes.split(","))
    metas: dict[int, dict[str, object]] = {}
    for size in sizes:
        name = f"tz_city_{size}"
        meta = built(args.postgres, name) if args.keep else None
        if meta is None:
            print(f"building {name}: {size:,} residents in {communities_for(size)} communities …", flush=True)
            meta = build(args.postgres, size)
        else:
            print(f"reusing {name} (built in {meta['built_seconds']} s)", flush=True)
        metas[size] = meta
    # There and back (small to large, then large to small): a drift in the machine's load over the
    # run weighs on both ends alike. Each page keeps its better pass; gate figures are averaged.
    order = sizes + sizes[::-1] if args.passes == 2 else sizes
    passes: dict[int, list[dict[str, object]]] = {size: [] for size in sizes}
    for size in order:
        before = load()
        print(f"measuring {size:,} (load {before}) …", flush=True)
        done = subprocess.run(
            [
                str(ROOT / ".venv/bin/python"),
                __file__,
                "--measure-one",
                db_url(args.postgres, f"tz_city_{size}"),
                f"--runs={args.runs}",
                f"--seconds={args.seconds}",
                f"--workers={args.workers}",
                *([f"--only={args.only}"] if args.only else []),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        sys.stderr.write("".join(line for line in done.stderr.splitlines(keepends=True) if line.startswith("  ")))
        if done.returncode:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"measuring {size} failed")
        passes[size].append({**json.loads(done.stdout.strip().splitlines()[-1]), "load": [before, load()]})
    if args.only == "gate":
        for size in sizes:
            for figures in passes[size]:
                g: dict[str, Any] = figures["gates"]  # type: ignore[assignment]
                print(f"{size:,} residents, load before/after {figures['load']}: gate scans/s {gate_cell(g)}")
                for name in ("bare", "real"):
                    for run in g["runs"][name]:
                        print(
                            f"  {name} {run['rps']:8.0f} req/s  CPU ms/request app {run.get('app_cpu_ms', 0):.2f}"
                            f" db {run.get('db_cpu_ms', 0):.2f}  p50 {run['p50']:6.2f}  p99 {run['p99']:6.2f} ms  non-2xx {run['non2xx']:.0f}"
                        )
        return
    results: dict[str, dict[str, object]] = {}
    for size in sizes:
        runs = passes[size]
        best = dict(runs[0])
        best["pages"] = {
            key: min((r["pages"][key] for r in runs), key=lambda page: page["median_ms"])  # type: ignore[index]
            for key in runs[0]["pages"]  # type: ignore[attr-defined]
        }
        best["snapshot_district_s"] = min(r["snapshot_district_s"] for r in runs)  # type: ignore[type-var]
        gates = [r["gates"] for r in runs if r.get("gates")]
        if gates:
            real = sum(g["real_rps"] for g in gates) / len(gates)  # type: ignore[index]
            bare = sum(g["bare_rps"] for g in gates) / len(gates)  # type: ignore[index]
            best["gates"] = {
                "real_rps": real,
                "bare_rps": bare,
                "ratio": real / bare if bare else 0.0,
                "real_p50_ms": max(g["real_p50_ms"] for g in gates),  # type: ignore[index]
                "real_p99_ms": max(g["real_p99_ms"] for g in gates),  # type: ignore[index]
                "non2xx": sum(g["non2xx"] for g in gates),  # type: ignore[index]
                "passes": gates,
            }
        best["load"] = [r["load"] for r in runs]
        best["passes"] = [{"pages": r["pages"], "snapshot_district_s": r["snapshot_district_s"]} for r in runs]
        results[str(size)] = {**best, **metas[size]}
    if not args.keep:
        for size in sizes:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS tz_city_{size} WITH (FORCE)")

    report = {
        "command": "bench/city.py " + " ".join(sys.argv[1:]),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sizes": sizes,
        "paths": [{"key": k, "label": label, "node": node} for k, label, node in PATHS],
        "results": results,
    }
    if args.replica:
        report["replica"] = replica_figures()
    report["markdown"] = markdown(report)
    print()
    print(table(sizes, results))
    print()
    print(report["markdown"])
    if args.replica:
        print("\nreplica (bench/replica.py):")
        print(report["replica"].get("output") or report["replica"])  # type: ignore[union-attr]
    Path(args.out).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
