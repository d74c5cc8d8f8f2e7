"""A worker killed in the middle (kill -9) on the real parts: PostgreSQL, Redis and `celery worker`
processes consuming their own queues. The work finishes once, after a new worker starts: nothing
lost, nothing doubled. Each test waits for a mark in the database before it kills, never for a
fixed time. Not collected on SQLite (conftest.py): a second process cannot see the test's database.

The workers run with a short visibility timeout and message claim (seconds, not the deployment's
hour and five minutes), so that the task the killed worker held comes back within the test."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from django.conf import settings
from django.db import connection

from tongzhou.celery import app
from tongzhou.core.imports.models import ImportJob, ImportStatus
from tongzhou.core.outbox.dispatch import Outgoing, enqueue_many
from tongzhou.core.outbox.models import MessageStatus, OutboxMessage
from tongzhou.core.tests.gateway_standin import gateway_standin
from tongzhou.people.models import Person
from tongzhou.people.tests.factories import csv_bytes, id_number, row
from tongzhou.people.tests.test_celery_worker import _drop_connection_pools

REDIS_URL = os.environ.get("TEST_WORKER_REDIS_URL", "redis://127.0.0.1:6379/11")
VISIBILITY_SECONDS = 3
CLAIM_SECONDS = 2
ROOT = Path(settings.BASE_DIR)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'] or '')}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _wait(what: str, done: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class Workers:
    """Starts `celery worker` processes (solo pool) on this test's own queues; kills them with -9."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.prefix = f"kill-{uuid.uuid4().hex[:8]}-"
        self.tmp = tmp
        self.env = env
        self.running: list[subprocess.Popen[bytes]] = []

    def queue(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def start(self, *queues: str) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if k != "REPLICA_DATABASE_URL"}
        env.update(
            DJANGO_SETTINGS_MODULE="tongzhou.settings",
            DATABASE_URL=_database_url(),
            REDIS_URL=REDIS_URL,
            TONGZHOU_QUEUE_PREFIX=self.prefix,
            TONGZHOU_CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS),
            TONGZHOU_CELERY_RESTORE_SECONDS="1",
            TONGZHOU_MESSAGE_CLAIM_SECONDS=str(CLAIM_SECONDS),
            **self.env,
        )
        log = open(self.tmp / f"worker-{len(self.running)}.log", "wb")  # noqa: SIM115 (the process holds it)
        command = [sys.executable, "-m", "celery", "-A", "tongzhou", "worker", "--pool", "solo", "--loglevel", "info"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        command += ["-n", f"{self.prefix}{len(self.running)}@%h", "-Q", ",".join(self.queue(q) for q in queues)]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.tmp.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(10)


@pytest.fixture
def broker() -> Iterator[None]:
    """This process publishes to the workers' Redis (the suite otherwise runs tasks eagerly)."""
    url = urlparse(REDIS_URL)
    try:
        socket.create_connection((url.hostname, url.port or 6379), timeout=1).close()
    except OSError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (set TEST_WORKER_REDIS_URL)")
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _drop_connection_pools()
    try:
        yield
    finally:
        app.conf.update(saved)
        _drop_connection_pools()


def workers_with(tmp_path: Path, **env: str) -> Workers:
    return Workers(tmp_path, env)


def test_a_worker_killed_in_the_middle_of_a_batch_send_leaves_every_message_sent_once(broker, tmp_path):
    count, batch = 600, 200
    with gateway_standin() as standin:
        standin.delay = 0.004  # about a second a batch
        workers = workers_with(
            tmp_path,
            TONGZHOU_MESSAGE_BACKEND="tongzhou.core.messaging.HttpSmsGateway",
            TONGZHOU_SMS_GATEWAY_URL=standin.url,
        )
        try:
            ids = enqueue_many(
                [Outgoing(to=f"1390000{i:04d}", text="核酸检测通知", scope="/52/") for i in range(count)], send=False
            )
            # As `dispatch.schedule` does: one task a batch, on this test's messages queue.
            for start in range(0, count, batch):
                app.send_task(
                    "tongzhou.core.outbox.tasks.send_outbox",
                    args=[ids[start : start + batch]],
                    queue=workers.queue("messages"),
                )
            first = workers.start("messages")
            sent = OutboxMessage.objects.filter(status=MessageStatus.SENT)
            # The mark: the first batch is recorded, and the gateway is half through the second.
            _wait("the first batch recorded", lambda: sent.count() >= batch)
            _wait("half the second batch at the gateway", lambda: len(standin.delivered) >= batch + batch // 2)
            workers.kill(first)
            in_flight = set(OutboxMessage.objects.filter(status=MessageStatus.SENDING).values_list("key", flat=True))
            assert in_flight, "the worker was killed between two batches, not in one"
            assert sent.count() < count

            workers.start("messages")
            _wait("every message sent", lambda: sent.count() == count, seconds=25)
        finally:
            workers.stop_all()
        keys = set(OutboxMessage.objects.values_list("key", flat=True))
        assert len(keys) == count
        # Nothing lost: the gateway sent every key; nothing doubled: each key once.
        assert set(standin.delivered) == keys
        first_answers = Counter(key for _at, key, _to, code in standin.requests if code == 200)
        resent = {key for key, n in first_answers.items() if n > 1}
        # Only messages the killed worker held were asked for again, under their own keys.
        assert resent <= in_flight
        assert len(standin.requests) == count + len(resent)
        assert "send_outbox" in workers.logs()


def _residents_file(n: int) -> bytes:
    """`n` residents of 泰安巷3号院 1栋 1单元 (its 14 rooms in turn), each with their own ID number."""
    rows = []
    for i in range(n):
        number = id_number(i % 1000, born=f"19{70 + i // 1000}0101")
        rows.append(row(i % 14, 姓名=f"居民{i}", 手机号=f"1370000{i:04d}", 证件号码=number))
    return csv_bytes(rows)


def test_a_worker_killed_in_the_middle_of_an_import_imports_every_row_once(broker, demo, tmp_path):
    count = 4000
    place = demo.places["taian"]
    before = set(Person.objects.values_list("pk", flat=True))
    # A confirmed job (import_job_confirm): checked, now waiting for its worker.
    job = ImportJob.objects.create(
        importer="residents",
        place_path=place.path,
        place_name=place.name,
        created_by=demo.taian_staff,
        filename="residents.csv",
        file=_residents_file(count),
        status=ImportStatus.IMPORTING,
    )
    workers = workers_with(tmp_path)
    table = Person._meta.db_table

    def writing() -> bool:
        # The mark: the worker's transaction has begun writing residents (it holds the table's
        # write lock), and has not committed (the job is not done).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                " WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()",
                [table],
            )
            return cursor.fetchone() is not None

    try:
        app.send_task("tongzhou.core.imports.tasks.run_import", args=[job.pk], queue=workers.queue("imports"))
        first = workers.start("imports")
        _wait("the import writing", writing)
        workers.kill(first)
        job.refresh_from_db()
        assert job.status == ImportStatus.IMPORTING
        assert Person.objects.count() == len(before)  # the killed transaction wrote nothing

        workers.start("imports")
        _wait("the import done", lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE, seconds=25)
    finally:
        workers.stop_all()
    job.refresh_from_db()
    assert (job.created, job.good, job.bad) == (count, count, 0)
    imported = Person.objects.exclude(pk__in=before)
    # Exactly the file's rows: as many residents, each ID number once.
    assert imported.count() == count
    assert imported.values("id_index").distinct().count() == count
    assert "run_import" in workers.logs()
