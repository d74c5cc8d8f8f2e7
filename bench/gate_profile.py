"""Profile: where a gate scan's server time goes, the real endpoint against the bare view.

    .venv/bin/python bench/gate_profile.py [--db tz_city_1000000] [--n 2000] [--top 30] [--postgres URL]

Both go through the WSGI application of gunicorn's stack (bench/gate_stack settings: production
settings, DEBUG off, persistent connection), in this one process, without a socket: N scans each
(fresh client_uuid, one of the gate's pass tokens), then the queries of one scan of each
(CaptureQueriesContext), the server time per scan of each and cProfile's top functions of the
real one. Needs a database of bench/city.py (`--keep`); it inserts N passages into it.
Figures are printed, never asserted.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def stack(db: str, postgres: str) -> tuple[Callable[[str], int], dict[str, str]]:
    """The WSGI application of bench/gate_stack on database DB, a device bound to its first gate:
    `call(path)` sends one scan (fresh client_uuid, one of the gate's pass tokens) and answers its
    status; `paths` are the bare view's and the real endpoint's."""
    from city import db_url, django_env

    os.environ.update(django_env(db_url(postgres, db)))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "gate_stack.settings",
            "TONGZHOU_DEMO": "false",
            "TONGZHOU_CONSOLE_MESSAGES_ALLOWED": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "false",
            "REDIS_URL": "",
            "DB_CONN_MAX_AGE": "60",
            "DEBUG": "false",
        }
    )
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    from django.db import connection

    from tongzhou.accounts.models import User
    from tongzhou.checkpoints.models import Gate, Pass, PassStatus
    from tongzhou.checkpoints.services.gates import device_create
    from tongzhou.checkpoints.services.passes import pass_token
    from tongzhou.places.models import Place, PlaceKind

    # bench/city.py's gate (its passes are issued there): the first community's first.
    first = Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("code").first()
    gate = Gate.objects.filter(place__parent=first).order_by("pk").first() or Gate.objects.order_by("pk").first()
    assert gate is not None
    tokens = [
        pass_token(p)
        for p in Pass.objects.filter(
            status=PassStatus.ACTIVE, person__isnull=True, place_path__startswith=gate.place.path
        )[:200]
    ]
    assert tokens, "no passes at the first gate: run bench/city.py --keep first"
    actor = User.objects.filter(username="bench_street_admin").first()
    _device, raw = device_create(actor=actor, name="profile", gates=[gate])
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, client_uuid uuid, scanned_at timestamptz, pass_id bigint)"
        )
    rng = random.Random(1)

    def call(path: str) -> int:
        body = json.dumps(
            {
                "pass_token": rng.choice(tokens),
                "direction": "in",
                "temperature": 36.5,
                "client_uuid": str(uuid.uuid4()),
                "scanned_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        ).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8766",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8766",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Bearer {raw}",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        status: list[str] = []
        chunks = application(environ, lambda s, h, e=None: status.append(s))
        b"".join(chunks)
        chunks.close()  # type: ignore[attr-defined]
        return int(status[0].split()[0])

    return call, {"bare": "/bench/bare/", "real": f"/api/v1/checkpoints/{gate.pk}/passages"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="tz_city_1000000")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--dump", help="write the profiles to DUMP.real and DUMP.bare")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    call, paths = stack(args.db, args.postgres)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, path in paths.items():
        assert call(path) == 200, name
        with CaptureQueriesContext(connection) as queries:
            call(path)
        print(f"{name}: {len(queries)} queries")
        for query in queries:
            print(f"    {query['time']}s  {query['sql'][:160]}")
    per: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for _round in range(3):  # alternating, the best of three
        for name, path in paths.items():
            began, began_cpu = time.perf_counter(), time.process_time()
            for _ in range(args.n):
                call(path)
            took = (time.perf_counter() - began) / args.n * 1000
            used = (time.process_time() - began_cpu) / args.n * 1000
            per[name] = min(per.get(name, took), took)
            cpu[name] = min(cpu.get(name, used), used)
    print(
        f"server time per scan, in process: bare {per['bare']:.3f} ms, real {per['real']:.3f} ms "
        f"(real/bare throughput {per['bare'] / per['real']:.2f}×, load {os.getloadavg()[0]:.2f}); "
        f"this process's CPU per scan: bare {cpu['bare']:.3f} ms, real {cpu['real']:.3f} ms"
    )
    profiles = {}
    for name, path in paths.items():
        profiles[name] = cProfile.Profile()
        profiles[name].enable()
        for _ in range(args.n):
            call(path)
        profiles[name].disable()
        if args.dump:
            profiles[name].dump_stats(f"{args.dump}.{name}")
    for order in ("cumulative", "tottime") if args.top > 0 else ():
        out = io.StringIO()
        pstats.Stats(profiles["real"], stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())
    # Per function, the real scan's cumulative time less the bare view's: what the gap is made of.
    stats = {name: pstats.Stats(profile).stats for name, profile in profiles.items()}  # type: ignore[attr-defined]
    gap = []
    for key, (_cc, _nc, _tt, cumulative, _callers) in stats["real"].items():
        other = stats["bare"].get(key)
        gap.append((cumulative - (other[3] if other else 0.0), key))
    print("cumulative ms per scan, real less bare (profiled, so inflated):")
    for extra, (filename, line, function) in sorted(gap, reverse=True)[: abs(args.top)]:
        print(f"  {extra / args.n * 1000:7.3f}  {function} {filename.split('site-packages/')[-1]}:{line}")


if __name__ == "__main__":
    main()
