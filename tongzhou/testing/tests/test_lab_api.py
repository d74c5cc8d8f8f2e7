"""The laboratories' API: a lab's token posts results for the tubes in boxes sent to it, and only
those; the same batch again changes nothing; a person's session or a wrong token is refused."""

import pytest
from django.core.management import call_command
from django.test import Client

from tongzhou.testing.models import Lab, Recall, Result, Tube
from tongzhou.testing.services import box_receive, box_seal, lab_token_issue, sample_take

URL = "/api/v1/testing/results"


@pytest.fixture
def labs(demo):
    street = demo.places["er_ge"]
    ours = Lab.objects.create(name="南明区疾控实验室", place=street, place_path=street.path)
    other = Lab.objects.create(name="第三方实验室", place=street, place_path=street.path)
    return ours, other


@pytest.fixture
def boxed(demo, make_round, residents, labs):
    """TZ-A and TZ-B (5-in-1) in a box received by our lab; TZ-C in a box sent to the other lab."""
    ours, other = labs
    test_round = make_round(pool_size=5)
    for i, person in enumerate(residents[:15]):
        sample_take(actor=demo.volunteer, test_round=test_round, person=person, barcode=f"TZ-{'ABC'[i // 5]}")
    box = box_seal(actor=demo.volunteer, round_=test_round, code="BOX-1", lab=ours, barcodes=["TZ-A", "TZ-B"])
    box_receive(actor=demo.taian_staff, box=box, counted=2)
    box_seal(actor=demo.volunteer, round_=test_round, code="BOX-2", lab=other, barcodes=["TZ-C"])
    return test_round


def post(token, items):
    return Client().post(URL, {"items": items}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_lab_posts_its_own_tubes_results_once(demo, boxed, labs):
    token = lab_token_issue(lab=labs[0])
    items = [
        {"barcode": "tz-a", "result": "negative"},
        {"barcode": "TZ-B", "result": "positive", "ct": "31.50"},
        {"barcode": "TZ-C", "result": "negative"},  # the other lab's tube
        {"barcode": "TZ-NOPE", "result": "negative"},
    ]
    response = post(token, items)
    assert response.status_code == 200
    assert [r["outcome"] for r in response.json()["results"]] == ["stored", "stored", "unknown_tube", "unknown_tube"]
    assert Tube.objects.get(barcode="TZ-B").result == Result.POSITIVE
    assert Tube.objects.get(barcode="TZ-C").result == Result.PENDING
    assert Recall.objects.count() == 5

    again = post(token, [*items[:2], {"barcode": "TZ-A", "result": "positive"}])
    assert [r["outcome"] for r in again.json()["results"]] == ["already_stored", "already_stored", "conflict"]
    assert Tube.objects.get(barcode="TZ-A").result == Result.NEGATIVE and Recall.objects.count() == 5


def test_a_wrong_token_a_person_and_junk_are_refused(demo, boxed, labs, client_as):
    items = [{"barcode": "TZ-A", "result": "negative"}]
    assert post("lab_forged-token-000000000000000000000", items).status_code == 401
    staff = client_as("taian_staff")
    assert staff.post(URL, {"items": items}, content_type="application/json").status_code == 401
    token = lab_token_issue(lab=labs[0])
    assert post(token, [{"barcode": "TZ-A", "result": "maybe"}]).status_code == 422
    assert post(token, [{"barcode": "TZ-A", "result": "negative", "ct": "1e9"}]).status_code == 422
    assert post(token, []).status_code == 422
    assert Tube.objects.filter(result=Result.PENDING).count() == 3


def test_a_new_token_replaces_the_old(demo, boxed, labs, capsys):
    old = lab_token_issue(lab=labs[0])
    call_command("lab_token", str(labs[0].pk))
    new = capsys.readouterr().out.strip()
    assert new.startswith("lab_") and new != old
    items = [{"barcode": "TZ-A", "result": "negative"}]
    assert post(old, items).status_code == 401
    assert post(new, items).status_code == 200
