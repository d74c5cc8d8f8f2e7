"""Without a replica (SQLite, or PostgreSQL with REPLICA_DATABASE_URL unset, or the suite's own
REPLICA_READS=False) the router stays out of the way: pages marked @replica_reads read the primary
and a write leaves no WAL position behind. The replica itself: test_replica_reads.py."""

from typing import Any

from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongzhou.core import db_router
from tongzhou.places.demo import ER_GE


def test_without_a_replica_marked_pages_read_the_primary_and_writes_leave_no_position(supplies: Any) -> None:
    assert not db_router.replica_enabled()
    keeper = Client()
    keeper.force_login(supplies.street_keeper)
    response = keeper.post(
        reverse("supplies:receive", args=[supplies.store_warehouse.pk]),
        {"receive-item": supplies.item_gloves.pk, "receive-quantity": "40"},
    )
    assert response.status_code == 302
    assert db_router.WAL_COOKIE not in keeper.cookies
    with CaptureQueriesContext(connections["default"]) as on_primary:
        page = keeper.get(reverse("supplies:public_ledger", args=[ER_GE]))
    assert page.status_code == 200
    assert not hasattr(page.wsgi_request, "reads")
    assert [q for q in on_primary if "supplies_" in q["sql"]]


def test_positions_compare_as_numbers() -> None:
    assert db_router.lsn_value("0/FFFFFFFF") < db_router.lsn_value("1/0") < db_router.lsn_value("1/A")
    assert db_router.lsn_value("16/B374D848") == (0x16 << 32) + 0xB374D848


def test_the_replica_is_never_migrated_nor_written() -> None:
    router = db_router.ReplicaRouter()
    assert router.allow_migrate("replica", "supplies") is False
    assert router.allow_migrate("default", "supplies") is True
    assert router.db_for_write(object) == "default"
