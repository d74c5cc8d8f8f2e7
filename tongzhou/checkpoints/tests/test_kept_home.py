"""The gate asks one rule whether a household may go out (tongzhou.people.outings): a household
under a home isolation or home health monitoring order may not leave, online (single scans and
batches) and offline (the scan page's cache carries the flag, never why); coming home is allowed."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongzhou.checkpoints.models import Passage, Reason
from tongzhou.checkpoints.services import pass_token
from tongzhou.checkpoints.tests.conftest import item
from tongzhou.monitoring.models import OrderAction, OrderKind
from tongzhou.monitoring.services import Change, key_person_register, order_change, order_create
from tongzhou.people import outings
from tongzhou.people.models import Person

pytestmark = pytest.mark.django_db(transaction=False)


def order_for(demo: Any, household_id: int, kind: str = OrderKind.HOME_ISOLATION, starts_in: int = 0) -> Any:
    person = Person.objects.filter(household_id=household_id).order_by("pk").first()
    assert person is not None
    key_person = key_person_register(actor=demo.health_officer, person=person, reason="risk_area", risk_area="武汉市")
    return order_create(
        actor=demo.health_officer,
        key_person=key_person,
        kind=kind,
        starts_on=timezone.localdate() + timedelta(days=starts_in),
        facility="南明区集中隔离点" if kind == OrderKind.CENTRALIZED else "",
    )


@pytest.fixture
def isolated(demo, passes):
    """The first pass whose household has residents, under home isolation."""
    pass_ = next(p for p in passes if Person.objects.filter(household_id=p.household_id).exists())
    return pass_, order_for(demo, pass_.household_id)


def test_the_label_tells_the_guard_what_to_do_not_why():
    assert Reason.KEPT_HOME.label == "May not leave: contact the committee"
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(Reason.KEPT_HOME.label) == "不能外出：请联系社区"


def test_monitoring_feeds_the_one_rule(demo, passes, isolated):
    pass_, _order = isolated
    assert "monitoring" in outings.providers()
    ids = {p.household_id for p in passes}
    assert outings.households_kept_home(ids) == {pass_.household_id}
    assert outings.households_kept_home(set()) == set()


def test_an_isolated_household_may_not_go_out_but_may_come_home(device, gate, post, isolated):
    pass_, order = isolated
    token = pass_token(pass_)
    body = post(device, gate, item(token, direction="out")).json()
    assert body["allowed"] is False and body["reason"] == "kept_home"
    assert body["message"] == "May not leave: contact the committee"
    assert "isolation" not in str(body).lower()
    assert post(device, gate, item(token, direction="in")).json()["reason"] == "ok"
    # The order ends (transferred to a facility): the household may go out again.
    order_change(
        actor=order.ordered_by,
        order=order,
        change=Change(action=OrderAction.TRANSFERRED, reason="转集中隔离", facility="南明区集中隔离点"),
    )
    assert post(device, gate, item(token, direction="out")).json()["reason"] == "ok"


def test_a_batch_refuses_the_isolated_household_only(device, gate, passes, post, isolated):
    pass_, _order = isolated
    other = next(p for p in passes if p.household_id != pass_.household_id)
    items = [
        item(pass_token(pass_)),
        item(pass_token(pass_), direction="in"),
        item(pass_token(other)),
        {**item(None), "pass_id": pass_.pk, "pass_token": None},
    ]
    results = post(device, gate, {"items": items}, batch=True).json()["results"]
    assert [r["reason"] for r in results] == ["kept_home", "ok", "ok", "kept_home"]
    assert Passage.objects.filter(reason=Reason.KEPT_HOME, allowed=False).count() == 2


def test_a_guard_on_the_scan_page_is_refused_too(client_as, gate, post, isolated):
    pass_, _order = isolated
    body = post(client_as("guard"), gate, item(None, pass_id=pass_.pk)).json()
    assert body["reason"] == "kept_home" and body["allowed"] is False


@pytest.mark.parametrize(
    ("kind", "starts_in", "kept"),
    [
        (OrderKind.HOME_ISOLATION, 0, True),
        (OrderKind.HOME_MONITORING, 0, True),
        (OrderKind.CENTRALIZED, 0, False),
        (OrderKind.HOME_ISOLATION, 2, False),  # not started yet
    ],
)
def test_which_orders_keep_a_household_at_home(demo, device, gate, passes, post, kind, starts_in, kept):
    pass_ = next(p for p in passes if Person.objects.filter(household_id=p.household_id).exists())
    order_for(demo, pass_.household_id, kind=kind, starts_in=starts_in)
    reason = post(device, gate, item(pass_token(pass_))).json()["reason"]
    assert reason == ("kept_home" if kept else "ok")


def test_sealed_still_answers_sealed_for_an_isolated_household(demo, device, gate, post, isolated):
    from tongzhou.checkpoints.services import control_decide, control_request

    pass_, _order = isolated
    change = control_request(
        actor=demo.street_admin, place=demo.places["taian_compound"], level="sealed", reason="阳性病例"
    )
    control_decide(actor=demo.health_officer, change=change, approve=True)
    assert post(device, gate, item(pass_token(pass_))).json()["reason"] == "sealed"


def test_the_offline_cache_carries_may_not_go_out_and_nothing_more(device, gate, passes, isolated):
    pass_, _order = isolated
    body = device.get(f"/api/v1/checkpoints/{gate.pk}/passes").json()
    flags = {p["pass_id"]: p["kept_home"] for p in body["passes"]}
    assert flags[pass_.pk] is True
    assert sum(flags.values()) == 1
    text = str(body).lower()
    assert "isolation" not in text and "monitoring" not in text and "隔离" not in text
