"""The checkpoint list pages read as many queries for many rows as for a few (no N+1)."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongzhou.checkpoints.models import Gate, Pass
from tongzhou.checkpoints.services import (
    control_request,
    gate_create,
    parse_item,
    pass_revoke,
    passages_record,
    passes_issue,
)
from tongzhou.checkpoints.tests.conftest import item
from tongzhou.places.services import building_create, place_create


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _add_rows(demo: Any, gate: Gate, passes: list[Pass], token: str) -> None:
    compound = demo.places["taian_compound"]
    for name in ("西门", "南门", "北门"):
        gate_create(actor=demo.taian_staff, compound=compound, name=name)
    for pass_ in passes[1:6]:
        pass_revoke(actor=demo.taian_staff, pass_=pass_, reason="遗失", reissue=True)
    scans = [parse_item(item(token, direction="in", temperature=38.5 if n % 3 else 36.5)) for n in range(30)]
    passages_record(gate=gate, items=scans, actor=demo.guard)
    for place in (demo.places["songhua"], demo.places["songhua_compound"]):
        control_request(actor=demo.street_admin, place=place, level="precaution", reason="防范")
    control_request(actor=demo.street_admin, place=compound, level="sealed", reason="封控")
    for n in range(5):  # more compounds, each with a building, its households and their passes
        extra = place_create(
            actor=demo.taian_staff, parent=compound.parent, kind="compound", name=f"泰安巷{90 + n}号院"
        )
        building_create(actor=demo.taian_staff, compound=extra, name="1栋", units=0, floors=1, rooms_per_floor=2)
        passes_issue(actor=demo.taian_staff, place=extra)


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("street_admin", "/checkpoints/"),
        ("taian_staff", "/checkpoints/gates/"),
        ("taian_staff", "/checkpoints/passes/{compound}/"),
        ("taian_staff", "/checkpoints/passages/"),
        ("health_officer", "/alerts/"),
        ("guard", "/checkpoints/gates/mine/"),
    ],
)
def test_the_list_pages_do_not_read_once_per_row(demo, client_as, gate, passes, token, username, url):
    url = url.format(compound=demo.places["taian_compound"].pk)
    client = client_as(username)
    # One row of each kind first: an empty page skips the reads that fetch its rows.
    scans = [parse_item(item(token, direction="in")), parse_item(item(token, temperature=38.5))]
    passages_record(gate=gate, items=scans, actor=demo.guard)
    control_request(actor=demo.street_admin, place=demo.places["taian"], level="precaution", reason="防范")
    client.get(url)  # the session and per-process caches settle first
    few = _queries(client, url)
    _add_rows(demo, gate, passes, token)
    assert _queries(client, url) == few
