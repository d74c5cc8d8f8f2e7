"""The public ledger read from the real streaming standby (scripts/pg_standby.sh), with
read-your-writes (tongzhou.core.db_router).

The PostgreSQL run with REPLICA_DATABASE_URL set reaches the standby's copy of the test database
(a physical copy: the test database made on the primary exists there too). These tests commit
(transaction=True): a replica sees only what the primary committed. Without a replica configured
they skip (a failure in CI, which runs them against the standby); on SQLite they are not collected
(conftest: marker `standby`)."""

import csv
import io
import re
import socket
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongzhou.core import db_router
from tongzhou.places.demo import ER_GE

# Without a replica configured the tests skip in the `replica` fixture (the alias must then not be named).
DATABASES = ["default", "replica"] if "replica" in django_settings.DATABASES else ["default"]
pytestmark = [pytest.mark.standby, pytest.mark.django_db(transaction=True, databases=DATABASES)]


def _lsn(alias: str, sql: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        (text,) = cursor.fetchone()
    return db_router.lsn_value(text)


def _caught_up(timeout: float = 20.0) -> None:
    """Waits (bounded) until the standby has replayed everything the primary has written so far."""
    target = _lsn("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while _lsn("replica", "SELECT coalesce(pg_last_wal_replay_lsn(), '0/0')::text") < target:
        assert time.monotonic() < deadline, "the standby did not replay the primary's WAL in time"
        time.sleep(0.02)


@pytest.fixture
def replica(settings: Any) -> Iterator[None]:
    if "replica" not in connections.settings:
        pytest.skip("no replica: run scripts/pg_standby.sh start and set REPLICA_DATABASE_URL")
    settings.REPLICA_READS = True
    settings.REPLICA_MAX_LAG_SECONDS = 30
    db_router.forget_failures()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,), "REPLICA_DATABASE_URL must name a standby"
    yield
    db_router.forget_failures()
    connections["replica"].close()


def _received(response: Any, item: str) -> Decimal:
    assert response.status_code == 200
    rows = csv.reader(io.StringIO(b"".join(response).decode().lstrip("\ufeff")))
    return next(Decimal(row[2]) for row in rows if row[0] == item)


def _receive(keeper: Client, store: Any, item: Any, quantity: int) -> None:
    response = keeper.post(
        reverse("supplies:receive", args=[store.pk]),
        {"receive-item": item.pk, "receive-quantity": str(quantity), "receive-note": "市卫健委调拨"},
    )
    assert response.status_code == 302, re.findall(
        r"text-danger small\">([^<]*)|alert-danger[^>]*>([^<]*)", response.content.decode()
    )


def _keeper(supplies: Any) -> Client:
    client = Client()
    client.force_login(supplies.street_keeper)
    return client


def test_a_read_right_after_a_write_sees_the_write(replica: None, supplies: Any) -> None:
    keeper = _keeper(supplies)
    ledger = reverse("supplies:public_ledger_csv", args=[ER_GE])
    _caught_up()
    before = _received(keeper.get(ledger), supplies.item_gloves.name)
    _receive(keeper, supplies.store_warehouse, supplies.item_gloves, 1000)
    assert db_router.WAL_COOKIE in keeper.cookies
    # Asked at once: the replica may or may not have replayed the receipt yet; either way the page
    # the keeper sees has it (the primary answers until the replica has replayed past it).
    response = keeper.get(ledger)
    assert _received(response, supplies.item_gloves.name) == before + 1000
    assert response.wsgi_request.reads.why in ("replica", "behind")


def test_the_writer_reads_the_primary_until_the_replica_has_replayed_the_write(replica: None, supplies: Any) -> None:
    keeper = _keeper(supplies)
    ledger = reverse("supplies:public_ledger_csv", args=[ER_GE])
    _caught_up()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        _receive(keeper, supplies.store_warehouse, supplies.item_gloves, 500)
        response = keeper.get(ledger)
        assert response.wsgi_request.reads.why == "behind"
        total = _received(response, supplies.item_gloves.name)
        # Someone else, who wrote nothing, reads the replica: not yet the receipt.
        other = Client().get(ledger)
        assert other.wsgi_request.reads.why == "replica"
        assert _received(other, supplies.item_gloves.name) == total - 500
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    _caught_up()
    response = keeper.get(ledger)
    assert response.wsgi_request.reads.why == "replica"
    assert _received(response, supplies.item_gloves.name) == total
    assert keeper.cookies[db_router.WAL_COOKIE].value == ""  # caught up: the position is dropped


def test_reads_go_to_the_replica_once_it_has_caught_up(replica: None, supplies: Any) -> None:
    keeper = _keeper(supplies)
    _receive(keeper, supplies.store_warehouse, supplies.item_gloves, 200)
    _caught_up()
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = keeper.get(reverse("supplies:public_ledger", args=[ER_GE]))
    assert response.status_code == 200
    assert response.wsgi_request.reads.why == "replica"
    assert len(on_replica) > 1  # the check, then the page's own reads
    assert not [q for q in on_primary if "supplies_" in q["sql"]]  # the page's data came from the replica
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)  # the connection the page used is the standby's


def test_a_lagging_replica_is_not_read(replica: None, supplies: Any, settings: Any) -> None:
    ledger = reverse("supplies:public_ledger_csv", args=[ER_GE])
    _caught_up()
    settings.REPLICA_MAX_LAG_SECONDS = 0
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        _receive(_keeper(supplies), supplies.store_warehouse, supplies.item_gloves, 300)
        target = _lsn("default", "SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + 20
        while _lsn("replica", "SELECT pg_last_wal_receive_lsn()::text") < target:  # received, not replayed
            assert time.monotonic() < deadline
            time.sleep(0.02)
        response = Client().get(ledger)
        assert response.wsgi_request.reads.why == "lagging"
        assert _received(response, supplies.item_gloves.name) > 300
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


def test_a_stopped_replica_falls_back_to_the_primary_without_an_error(replica: None, supplies: Any) -> None:
    keeper = _keeper(supplies)
    _receive(keeper, supplies.store_warehouse, supplies.item_gloves, 100)
    with socket.socket() as probe:  # a port nothing listens on: a replica that is down
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    replica_settings = connections["replica"].settings_dict
    real_port = replica_settings["PORT"]
    connections["replica"].close()
    replica_settings["PORT"] = closed_port
    try:
        for page in (
            reverse("supplies:public_ledger", args=[ER_GE]),
            reverse("supplies:public_ledger_csv", args=[ER_GE]),
        ):
            response = Client().get(page)
            assert response.status_code == 200
            assert response.wsgi_request.reads.why == "down"
        assert _received(response, supplies.item_gloves.name) >= 100
    finally:
        connections["replica"].close()
        replica_settings["PORT"] = real_port
