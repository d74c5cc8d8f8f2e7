"""The background import on the real parts: a Celery worker consuming from Redis, as at scale.
Elsewhere in the suite tasks run eagerly, as they do without REDIS_URL."""

import os
import socket
import time
from urllib.parse import urlparse

import pytest
from celery.contrib.testing.worker import start_worker

from tongzhou.celery import app
from tongzhou.core.imports.models import ImportJob
from tongzhou.core.imports.services import import_job_start
from tongzhou.people.tests.factories import row, xlsx

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    url = urlparse(REDIS_URL)
    try:
        socket.create_connection((url.hostname, url.port or 6379), timeout=1).close()
    except OSError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (set TEST_REDIS_URL)")
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _drop_connection_pools()  # made earlier in the session with the in-memory broker
    try:
        # Every queue of CELERY_TASK_ROUTES, as the workers of a deployment consume them together.
        queues = sorted({route["queue"] for route in app.conf.task_routes.values()} | {app.conf.task_default_queue})
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=queues):
            yield
    finally:
        app.conf.update(saved)
        _drop_connection_pools()


def _drop_connection_pools() -> None:
    # Not app.close(): that also takes the app off Celery's list of apps, and a tasks module
    # imported afterwards (the outbox's, on first use) would register its tasks with none.
    app._pool = None
    app.amqp._producer_pool = None


def test_import_is_checked_by_a_worker_through_redis(demo, worker):
    assert app.conf.task_always_eager is False and app.conf.broker_url == REDIS_URL
    job = import_job_start(
        actor=demo.taian_staff,
        importer="residents",
        place=demo.places["taian"],
        filename="r.xlsx",
        data=xlsx([row(0), row(1, 房号="9999")]),
        all_or_nothing=False,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.2)
    assert (job.status, job.total, job.good, job.bad) == ("checked", 2, 1, 1)
    assert ImportJob.objects.get(pk=job.pk).errors[0][:2] == [3, "房号"]
