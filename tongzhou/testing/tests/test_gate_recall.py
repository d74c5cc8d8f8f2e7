"""A resident recalled for a retest may not go out until the retest is negative: the gate's one
rule (tongzhou.people.outings), online and in the scan page's offline cache, never saying why."""

import pytest

from tongzhou.checkpoints.services import pass_token
from tongzhou.checkpoints.tests.conftest import device, gate, item, passes, post  # noqa: F401 (fixtures)
from tongzhou.people import outings
from tongzhou.testing.models import Result, Tube
from tongzhou.testing.services import TubeResult, results_record, sample_take


@pytest.fixture
def recalled(demo, make_round, passes):  # noqa: F811
    """Every resident of the first pass's household sampled into one 5-in-1 tube, which is positive."""
    from tongzhou.people.models import Person

    pass_ = next(p for p in passes if Person.objects.filter(household_id=p.household_id).exists())
    test_round = make_round(pool_size=5)
    members = list(Person.objects.filter(household_id=pass_.household_id)[:5])
    for person in members:
        sample_take(actor=demo.taian_staff, test_round=test_round, person=person, barcode="TZ-GATE")
    results_record(actor=None, results=[TubeResult(Tube.objects.get(barcode="TZ-GATE"), Result.POSITIVE)])
    return pass_, test_round, members


def test_a_recalled_household_may_not_go_out_until_the_retest_is_negative(demo, device, gate, post, recalled):  # noqa: F811
    pass_, test_round, members = recalled
    assert "testing" in outings.providers()
    token = pass_token(pass_)
    body = post(device, gate, item(token, direction="out")).json()
    assert body["allowed"] is False and body["reason"] == "kept_home"
    assert "test" not in body["message"].lower() and "positive" not in str(body).lower()
    assert post(device, gate, item(token, direction="in")).json()["reason"] == "ok"

    cache = device.get(f"/api/v1/checkpoints/{gate.pk}/passes").json()
    assert {p["pass_id"]: p["kept_home"] for p in cache["passes"]}[pass_.pk] is True

    for n, person in enumerate(members):
        sample_take(actor=demo.taian_staff, test_round=test_round, person=person, barcode=f"TZ-R{n}")
    results_record(
        actor=None,
        results=[TubeResult(Tube.objects.get(barcode=f"TZ-R{n}"), Result.NEGATIVE) for n in range(len(members))],
    )
    assert post(device, gate, item(token, direction="out")).json()["reason"] == "ok"


def test_a_street_admin_puts_a_recall_building_under_control_from_the_round(demo, client_as, recalled):
    from django.urls import reverse

    from tongzhou.checkpoints.models import ControlLevel, PlaceControl
    from tongzhou.places.models import Place

    _pass, test_round, members = recalled
    url = reverse("testing:round", args=[test_round.pk])
    admin = client_as("street_admin")
    page = admin.get(url)
    [row] = page.context["recall_buildings"]
    assert row.recalled == len(members) and row.place.kind == "building"
    assert "recall_buildings" not in client_as("taian_staff").get(url).context  # staff may not set levels
    control = reverse("testing:request_control", args=[test_round.pk])
    assert client_as("taian_staff").post(control, {"building": row.place.pk}).status_code == 404
    assert (
        admin.post(control, {"building": demo.places["taian_compound"].pk}).status_code == 404
    )  # not a recall building
    assert admin.post(control, {"building": row.place.pk}).status_code == 302
    assert PlaceControl.objects.get(place=Place.objects.get(pk=row.place.pk)).level == ControlLevel.CONTROLLED
