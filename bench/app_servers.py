"""Benchmark: two app servers behind nginx, one killed and restarted during a load run.

    .venv/bin/python bench/app_servers.py [--seconds 45] [--workers 2] [--postgres URL] [--redis-db 9]

Needs Debian's nginx (/usr/sbin/nginx, run here with its own prefix and config in a temp dir; the
system's nginx and port 80 are not touched), wrk, PostgreSQL and Redis, all on loopback.

1. A fresh database (tz_nginx_bench) gets the demo street (`load_demo`), a gate at 泰安巷3号院 with
   passes and a device token (as bench/passages.py), and `collectstatic`.
2. Two gunicorns (WORKERS sync workers each, production settings: DEBUG off, BEHIND_PROXY,
   DB_CONN_MAX_AGE=60) on two loopback ports, and nginx in front running deploy/nginx.conf (the
   sample the deployment guide gives) with both in its upstream.
3. Shared state, asked of the two gunicorns directly (not through nginx), first with REDIS_URL
   empty (the cache is each process's memory), then with REDIS_URL=redis://127.0.0.1:6379/N:
   a session made by logging in on A opens a staff page on B; django-axes' lock-out after
   AXES_FAILURE_LIMIT failures alternating A and B answers 429 on both; the per-address log-in
   limit (TONGZHOU_LOGIN_FAILURES_PER_ADDRESS, 6 here) counted alternately on A and B refuses the
   next attempt on both, and this process reads the same count from the cache. Each client comes
   from its own X-Forwarded-For address, so the checks do not lock each other out.
4. Load: wrk (2 threads, CONNECTIONS connections) through nginx for SECONDS: 60 % gate scans
   (`POST /api/v1/checkpoints/{id}/passages` with the device's token, a fresh client_uuid each),
   20 % a logged-in staff page (the register, /residents/, with taian_staff's session), 20 % a
   public page (the street's public supplies ledger). Twice: a baseline with no kill, then the
   same with gunicorn A's process group (master and workers) sent SIGKILL at SECONDS/3 and A
   started again at 2·SECONDS/3 (45 s by default: a gunicorn takes several seconds to boot on a
   busy machine, and nginx tries a failed host again after fail_timeout). From nginx's access log ($msec, $request_time, status, method,
   upstream address and status): throughput before/during/after, answers by kind, each upstream's
   share, and which requests failed: every non-2xx must be a request nginx had already sent to A
   when A was killed (started before, ended after the kill) and that it could not pass on (a POST;
   a GET in flight is passed to B). Printed beside: how many requests were in flight on A then,
   nginx's error log by kind, when A answered again, and 2xx per 2 s from A and from B.
5. Capacity: each kind alone through nginx to both gunicorns for SECONDS/3, no kill: requests/s
   in all and per gunicorn worker.
Figures are printed, never asserted; the shared-state answers are checked (the bench stops if a
session, lock-out or rate limit is not shared with Redis configured).
"""

import argparse
import html
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "tz_nginx_bench"
PORTS = (8771, 8772)
NGINX_PORT = 8770
NGINX = "/usr/sbin/nginx"
RATE_LIMIT = 6
PASSWORD = "tongzhou-demo"  # noqa: S105 (the demo's published password)

LUA = r"""
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local tokens = {%(tokens)s}
local function uuid4()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%%x", v)
  end))
end
local scan_headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(device)s"}
local page_headers = {["Cookie"] = "sessionid=%(session)s"}
local only = nil
init = function(args) only = args[1] end
request = function()
  local r = math.random(10)
  if only == "scan" then r = 1 elseif only == "staff" then r = 7 elseif only == "public" then r = 9 end
  if r <= 6 then
    local body = string.format(
      '{"pass_token":"%%s","direction":"in","temperature":36.5,"client_uuid":"%%s","scanned_at":"%%s"}',
      tokens[math.random(#tokens)], uuid4(), os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ"))
    return wrk.format("POST", "%(scan)s", scan_headers, body)
  elseif r <= 8 then
    return wrk.format("GET", "%(staff)s", page_headers, nil)
  else
    return wrk.format("GET", "%(public)s", nil, nil)
  end
end
"""

NGINX_MAIN = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format bench '$msec|$request_time|$status|$request_method|$uri|$upstream_addr|$upstream_status';
    access_log {tmp}/access.log bench;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/tongzhou.conf;
}}
"""


def site_config(port: int, upstreams: tuple[int, ...]) -> str:
    """deploy/nginx.conf on loopback: no TLS lines, a high port, our gunicorns as the app hosts."""
    lines = (ROOT / "deploy/nginx.conf").read_text().splitlines()
    out: list[str] = []
    hosts_done = listen_done = False
    for line in lines:
        if line.rstrip().endswith("# app host"):
            if not hosts_done:
                params = re.search(r"server \S+ (.*);", line)
                assert params, line
                out += [f"    server 127.0.0.1:{p} {params.group(1)};" for p in upstreams]
                hosts_done = True
        elif line.strip().startswith("listen 443"):
            out.append(f"    listen 127.0.0.1:{port};")
            listen_done = True
        elif line.rstrip().endswith("# tls"):
            continue
        else:
            out.append(line.replace("/srv/tongzhou/app/", f"{ROOT}/"))
    if not (hosts_done and listen_done):
        raise RuntimeError(
            "deploy/nginx.conf no longer has the '# app host' and 'listen 443' lines this bench replaces"
        )
    return "\n".join(out) + "\n"


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


class Gunicorn:
    def __init__(self, port: int, workers: int, env: dict[str, str], log: Path) -> None:
        self.port, self.workers, self.env, self.log = port, workers, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "tongzhou.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=ROOT,
            stderr=self.log.open("a"),  # axes' and Django's warnings about the refused log-ins
            start_new_session=True,  # its own process group: master and workers killed together
        )

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once, as a crashed host would leave them."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
            self.process = None


class Client:
    """A browser against one server, from its own address (X-Forwarded-For, BEHIND_PROXY=true)."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, port: int, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body)
        req.add_header("X-Forwarded-For", self.address)
        if data is not None:
            req.add_header("Referer", f"http://127.0.0.1:{port}{path}")
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, port: int, username: str, password: str) -> int:
        _status, page = self.request(port, "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the log-in page"
        status, _ = self.request(
            port,
            "/accounts/login/",
            {"csrfmiddlewaretoken": html.unescape(token.group(1)), "username": username, "password": password},
        )
        return status

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name and c.value is not None)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def shared_state(a: int, b: int, staff_path: str, tag: str, target: str) -> dict[str, object]:
    """The three kinds of state a request leaves for the next, each made on A and asked on B."""
    from tongzhou.accounts.views import ADDRESS_FAILURES
    from tongzhou.core.ratelimit import rate_count

    result: dict[str, object] = {}
    browser = Client(f"10.77.{tag}.1")
    assert browser.login(a, "taian_staff", PASSWORD) == 302, "log-in on A failed"
    result["session made on A opens the staff page on B"] = browser.request(b, staff_path)[0] == 200

    attacker = Client(f"10.77.{tag}.2")
    from django.conf import settings

    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit):
        attacker.login((a, b)[n % 2], target, "wrong-password")
    after = [attacker.login(port, target, "wrong-password") for port in (a, b)]
    result[f"axes: {limit} failures on A and B alternately, then A and B answer"] = after
    result["axes lock-out shared"] = after == [429, 429]

    sprayer = Client(f"10.77.{tag}.3")
    for n in range(RATE_LIMIT):
        sprayer.login((a, b)[n % 2], f"nobody{n}", "wrong-password")
    after = [sprayer.login(port, "nobody-next", "wrong-password") for port in (a, b)]
    result[f"rate limit: {RATE_LIMIT} failures from one address on A and B alternately, then"] = after
    result["rate limit shared"] = after == [429, 429]
    result["this process reads the address's count from the cache"] = rate_count(ADDRESS_FAILURES, sprayer.address)
    return result


@dataclass(eq=False)  # compared by identity
class Line:
    end: float
    duration: float
    status: int
    method: str
    uri: str
    upstreams: list[str]


def read_log(path: Path, start: int) -> list[Line]:
    lines = []
    with path.open("rb") as f:
        f.seek(start)
        text = f.read().decode()
    for raw in text.splitlines():
        msec, duration, status, method, uri, upstream, _ups = raw.split("|")
        lines.append(
            Line(float(msec), float(duration), int(status), method, uri, [u.strip() for u in upstream.split(",")])
        )
    return lines


def read_errors(path: Path, start: int) -> Counter[str]:
    """nginx's error log: what went wrong with upstream connections, by kind and method."""
    with path.open("rb") as f:
        f.seek(start)
        text = f.read().decode()
    kinds: Counter[str] = Counter()
    for line in text.splitlines():
        found = re.search(r"\[error\] .*?: \*\d+ (.*?) while (.*?), client: .*?request: \"(\w+) ", line)
        if found:
            what, stage, method = found.groups()
            what = re.sub(r" \(\d+: ", " (", what)
            kinds[f"{method} {what} while {stage.replace(' from upstream', '')}"] += 1
    return kinds


def run_wrk(url: str, script: str, seconds: int, connections: int, only: str = "") -> dict[str, float]:
    """One wrk run; `only`: scan, staff or public instead of the mix."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script, url, "--", only],
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket": sum(int(g) for g in sockets.groups()) if sockets else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=45, help="kill at a third, restart at two thirds")
    parser.add_argument("--workers", type=int, default=2, help="sync workers per gunicorn")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-db", type=int, default=9, help="emptied at the start and the end")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB} and the logs afterwards")
    args = parser.parse_args()
    for tool in ("wrk", NGINX):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed: apt-get install -y wrk nginx")

    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    url = args.postgres.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
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
        "BEHIND_PROXY": "true",
        "DB_CONN_MAX_AGE": "60",
        "TONGZHOU_LOGIN_FAILURES_PER_ADDRESS": str(RATE_LIMIT),
        "REDIS_URL": redis_url,
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongzhou.settings"
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connections

    from tongzhou.accounts.models import User
    from tongzhou.checkpoints.services import device_create, gate_create, pass_token, passes_issue
    from tongzhou.demo import load_demo
    from tongzhou.places.models import Place

    redis.Redis.from_url(redis_url).flushdb()
    servers: list[Gunicorn] = []
    nginx: subprocess.Popen[bytes] | None = None
    tmp = Path(tempfile.mkdtemp(prefix="tz-nginx-"))
    try:
        started = time.perf_counter()
        call_command("migrate", "--no-input", verbosity=0)
        load_demo(log=lambda message: None, extras=False)
        call_command("collectstatic", "--no-input", verbosity=0)
        staff = User.objects.get(username="taian_staff")
        compound = Place.objects.get(name="泰安巷3号院")
        street = Place.objects.get(code="520102029")
        gate = gate_create(actor=staff, compound=compound, name="东门")
        tokens = [pass_token(p) for p in passes_issue(actor=staff, place=compound)]
        _device, raw = device_create(actor=staff, name="bench", gates=[gate])
        connections.close_all()
        print(f"set-up: demo street, {len(tokens)} passes, collectstatic ({time.perf_counter() - started:.0f} s)")
        scan_path = f"/api/v1/checkpoints/{gate.pk}/passages"
        staff_path = "/residents/"
        public_path = f"/supplies/ledger/{street.code}/"

        # Shared state: first with per-process caches (REDIS_URL empty), then with Redis.
        print(f"\nshared state, made on gunicorn A (:{PORTS[0]}) and asked of gunicorn B (:{PORTS[1]}) directly")
        for tag, label, server_env in (
            ("1", "REDIS_URL empty (cache in each process's memory)", {**os.environ, "REDIS_URL": ""}),
            ("2", f"REDIS_URL={redis_url}", dict(os.environ)),
        ):
            servers = [Gunicorn(port, args.workers, server_env, tmp / f"gunicorn-{port}.log") for port in PORTS]
            for server in servers:
                server.start()
            for port in PORTS:
                wait_for_port(port)
            # Each pass locks a different demo user out; taian_staff stays free for the load run.
            answers = shared_state(*PORTS, staff_path, tag, {"1": "songhua_staff", "2": "dongfeng_staff"}[tag])
            print(f"  {label}:")
            for key, value in answers.items():
                print(f"    {key}: {value}")
            for server in servers:
                server.stop()
            if tag == "2":
                for key in ("session made on A opens the staff page on B", "axes lock-out shared", "rate limit shared"):
                    if answers[key] is not True:
                        raise SystemExit(f"not shared across app servers with Redis: {key}")
        servers = [Gunicorn(port, args.workers, dict(os.environ), tmp / f"gunicorn-{port}.log") for port in PORTS]
        for server in servers:
            server.start()
        for port in PORTS:
            wait_for_port(port)

        browser = Client("10.77.9.1")
        assert browser.login(PORTS[0], "taian_staff", PASSWORD) == 302
        session = browser.cookie("sessionid")
        for path in (staff_path, public_path):
            status, _ = browser.request(PORTS[1], path)
            assert status == 200, f"{path} answered {status}"

        (tmp / "tongzhou.conf").write_text(site_config(NGINX_PORT, PORTS))
        (tmp / "nginx.conf").write_text(NGINX_MAIN.format(tmp=tmp))
        subprocess.run(
            [NGINX, "-t", "-q", "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(tmp / "nginx.conf")], check=True
        )
        nginx = subprocess.Popen(
            [NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"]
        )
        wait_for_port(NGINX_PORT)
        script = tmp / "mix.lua"
        script.write_text(
            LUA
            % {
                "tokens": ", ".join(json.dumps(t) for t in tokens),
                "device": raw,
                "session": session,
                "scan": scan_path,
                "staff": staff_path,
                "public": public_path,
            }
        )
        base = f"http://127.0.0.1:{NGINX_PORT}"
        run_wrk(base, str(script), 3, args.connections)  # warm-up

        kinds = {scan_path: "scan", staff_path: "staff page", public_path: "public page"}
        runs: dict[str, dict[str, object]] = {}
        for name in ("baseline", "kill"):
            # Each run reads the logs from where they stood at its start (nginx's workers, as nobody,
            # could not reopen files in this private directory).
            log_from = (tmp / "access.log").stat().st_size
            errors_from = (tmp / "error.log").stat().st_size
            t0 = time.time()
            wrk = subprocess.Popen(
                [
                    "wrk",
                    "-t2",
                    f"-c{args.connections}",
                    f"-d{args.seconds}s",
                    "--timeout",
                    "10s",
                    "-s",
                    str(script),
                    base,
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            t_kill, t_restart = t0 + args.seconds / 3, t0 + 2 * args.seconds / 3
            t_dead = t_kill
            if name == "kill":
                time.sleep(max(0.0, t_kill - time.time()))
                t_kill = time.time()
                servers[0].kill()
                # Gone once its port refuses: until the kernel has torn down the last of its
                # processes, the listening socket still takes connections (which then reset).
                while time.time() < t_kill + 2:
                    with socket.socket() as sock:
                        if sock.connect_ex(("127.0.0.1", PORTS[0])) != 0:
                            break
                t_dead = time.time()
                time.sleep(max(0.0, t_restart - time.time()))
                t_restart = time.time()
                servers[0].start()
            out, _ = wrk.communicate(timeout=args.seconds + 60)
            t_end = time.time()
            total = re.search(r"(\d+) requests in", out)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
            time.sleep(0.5)  # nginx writes its last lines
            runs[name] = {
                "t0": t0,
                "t_kill": t_kill,
                "t_restart": t_restart,
                "t_dead": t_dead,
                "t_end": t_end,
                "lines": read_log(tmp / "access.log", log_from),
                "upstream_errors": read_errors(tmp / "error.log", errors_from),
                "wrk_requests": int(total.group(1)) if total else 0,
                "wrk_non2xx": int(non2xx.group(1)) if non2xx else 0,
                "wrk_socket": sockets.group(0) if sockets else "Socket errors: none",
            }

        # Capacity: each kind alone through nginx to both gunicorns, no kill.
        alone = {
            only: run_wrk(base, str(script), max(5, args.seconds // 3), args.connections, only)
            for only in ("scan", "staff", "public")
        }
        report(runs, args, kinds)
        workers = 2 * args.workers
        print(
            f"\neach kind alone, through nginx to both gunicorns ({workers} sync workers in all), {max(5, args.seconds // 3)} s each, no kill:"
        )
        for only, label in (
            ("scan", "gate scan (POST, API token)"),
            ("staff", "staff page (/residents/)"),
            ("public", "public page (ledger)"),
        ):
            result = alone[only]
            print(
                f"  {label:30} {result['rps']:7.0f} req/s, {result['rps'] / workers:6.1f} per worker, "
                f"non-2xx {result['non2xx']:.0f}, socket errors {result['socket']:.0f}"
            )
    finally:
        if nginx is not None:
            nginx.send_signal(signal.SIGQUIT)
            nginx.wait(timeout=30)
        for server in servers:
            server.stop()
        if args.keep:
            print(f"nginx's access logs and the gunicorns' logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        redis.Redis.from_url(redis_url).flushdb()
        connections.close_all()
        if not args.keep:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def report(runs: dict[str, dict[str, object]], args: argparse.Namespace, kinds: dict[str, str]) -> None:
    a = f"127.0.0.1:{PORTS[0]}"
    print(
        f"\nload through nginx (deploy/nginx.conf) to 2 gunicorns × {args.workers} sync workers, wrk 2 threads × "
        f"{args.connections} connections, {args.seconds} s, 60 % gate scans / 20 % staff page / 20 % public page, "
        f"{os.cpu_count()} cores shared with wrk, nginx and PostgreSQL; kill run: A (:{PORTS[0]}) SIGKILLed at "
        f"{args.seconds / 3:.0f} s (master and workers), started again at {2 * args.seconds / 3:.0f} s"
    )
    header = f"{'':44} {'baseline':>14} {'kill':>14}"
    print(header)

    def row(label: str, values: list[object]) -> None:
        print(f"{label:44} {values[0]!s:>14} {values[1]!s:>14}")

    stats: dict[str, dict[str, object]] = {}
    timelines: dict[str, str] = {}
    error_kinds: dict[str, dict[str, int]] = {}
    for name, run in runs.items():
        lines: list[Line] = run["lines"]  # type: ignore[assignment]
        t0, tk, tr, te = (float(run[k]) for k in ("t0", "t_kill", "t_restart", "t_end"))  # type: ignore[arg-type]
        windows = {"before": (t0, tk), "during": (tk, tr), "after": (tr, te)}
        s: dict[str, object] = {}
        for label, (lo, hi) in windows.items():
            done = [ln for ln in lines if lo <= ln.end < hi]
            ok = sum(1 for ln in done if 200 <= ln.status < 300)
            on_a = sum(1 for ln in done if ln.upstreams[-1] == a)
            s[f"2xx/s {label}"] = f"{ok / (hi - lo):.0f}"
            s[f"share on A {label}"] = f"{100 * on_a / max(1, len(done)):.0f} %"
        s["requests (nginx log)"] = len(lines)
        s["requests (wrk)"] = run["wrk_requests"]
        s["non-2xx (wrk)"] = run["wrk_non2xx"]
        s["socket errors (wrk)"] = str(run["wrk_socket"]).replace("Socket errors: ", "")
        # wrk closes its connections when its time is up: the requests then in flight are logged 499.
        cut = [ln for ln in lines if ln.status == 499 and ln.end >= t0 + args.seconds - 0.5]
        s["499 at the end (wrk stopping)"] = len(cut)
        bad = [ln for ln in lines if not 200 <= ln.status < 300 and ln not in cut]
        statuses = Counter((kinds.get(ln.uri, ln.uri), ln.status) for ln in bad)
        s["non-2xx by kind (nginx)"] = ", ".join(f"{k} {st}: {n}" for (k, st), n in sorted(statuses.items())) or "none"
        # Sent to A before A was gone (the kill call returned), answered after the kill began;
        # nginx's clock ticks per event-loop turn: 5 ms of slack either side.
        td = float(run["t_dead"])  # type: ignore[arg-type]
        in_flight = [
            ln for ln in lines if ln.upstreams[0] == a and ln.end - ln.duration <= td + 0.005 and ln.end >= tk - 0.005
        ]
        s["in flight on A at the kill: POST/GET"] = (
            f"{sum(ln.method == 'POST' for ln in in_flight)}/{sum(ln.method == 'GET' for ln in in_flight)}"
            if name == "kill"
            else "-"
        )
        passed_on = [ln for ln in in_flight if len(ln.upstreams) > 1 and 200 <= ln.status < 300]
        s["  of which passed on to B and answered"] = len(passed_on) if name == "kill" else "-"
        explained = [ln for ln in bad if ln in in_flight]
        s["non-2xx that were in flight on A at the kill"] = f"{len(explained)} of {len(bad)}"
        retried_refused = sum(
            1 for ln in lines if len(ln.upstreams) > 1 and ln.upstreams[0] == a and ln not in in_flight
        )
        s["refused by A, passed on to B (no error)"] = retried_refused
        back = [ln.end for ln in lines if ln.end >= tr and ln.upstreams[-1] == a and 200 <= ln.status < 300]
        socket_errors = sum(int(n) for n in re.findall(r"\d+", str(run["wrk_socket"])))
        client_errors = int(run["wrk_non2xx"]) + socket_errors  # type: ignore[call-overload]
        s["client errors ≤ in flight on A at the kill"] = (
            f"{client_errors} ≤ {len(in_flight)}: {'yes' if client_errors <= len(in_flight) else 'NO'}"
            if name == "kill"
            else f"{client_errors}"
        )
        s["A's first answer after its restart"] = f"+{min(back) - tr:.1f} s" if back and name == "kill" else "-"
        upstream_errors: Counter[str] = run["upstream_errors"]  # type: ignore[assignment]
        for kind in upstream_errors:
            error_kinds.setdefault(kind, {"baseline": 0, "kill": 0})[name] = upstream_errors[kind]
        stats[name] = s
        buckets = [[0, 0, 0] for _ in range(int((te - t0) // 2) + 1)]
        for ln in lines:
            if ln in cut or not t0 <= ln.end < te:
                continue
            slot = buckets[int((ln.end - t0) // 2)]
            slot[2 if not 200 <= ln.status < 300 else 0 if ln.upstreams[-1] == a else 1] += 1
        timelines[name] = " ".join(f"{x}/{y}" + (f"!{z}" if z else "") for x, y, z in buckets)
    for key in stats["baseline"]:
        row(key, [stats["baseline"][key], stats["kill"][key]])
    print("nginx's error log, upstream errors by request method and kind:")
    for kind, counts in sorted(error_kinds.items()):
        print(f"  {kind:80} baseline {counts['baseline']:3}  kill {counts['kill']:3}")
    print("2xx answered by A/B in each 2 s (!n: n errors):")
    for name, line in timelines.items():
        print(f"  {name:9} {line}")
    print(
        "(throughput windows: before = start to the kill, during = kill to restart, after = restart to the end; "
        "a request is in flight at the kill if nginx had sent it to A before and its answer came after)"
    )


if __name__ == "__main__":
    main()
