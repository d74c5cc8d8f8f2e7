"""A phone's queue back online: many samples in one batch, the same rules as one at a time (the
tube's size, once per round, the area and one's places), a replay changing nothing, and a fixed
number of queries at any batch size."""

import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tongzhou.testing.models import Sample, Tube
from tongzhou.testing.services import SampleItem, sample_take, samples_record


def _items(people, barcode):
    now = timezone.now()
    return [SampleItem(uuid.uuid4(), p.pk, barcode, now) for p in people]


def test_a_batch_fills_the_tube_to_its_size_then_refuses(demo, make_round, residents):
    test_round = make_round(pool_size=5)
    outcomes = samples_record(actor=demo.volunteer, test_round=test_round, items=_items(residents[:6], "tz-b1"))
    assert [o.outcome for o in outcomes] == ["stored"] * 5 + ["refused"]
    assert "full" in outcomes[5].error
    assert [o.filled for o in outcomes[:5]] == [1, 2, 3, 4, 5]
    tube = Tube.objects.get(barcode="TZ-B1")
    assert tube.filled == 5 == tube.samples.count()


def test_a_batch_respects_a_tube_filled_before_by_another_phone(demo, make_round, residents):
    test_round = make_round(pool_size=5)
    for person in residents[:3]:
        sample_take(actor=demo.volunteer, test_round=test_round, person=person, barcode="TZ-B2")
    outcomes = samples_record(actor=demo.volunteer, test_round=test_round, items=_items(residents[3:6], "TZ-B2"))
    assert [o.outcome for o in outcomes] == ["stored", "stored", "refused"]
    assert Tube.objects.get(barcode="TZ-B2").filled == 5


def test_sending_the_batch_again_changes_nothing(demo, make_round, residents):
    test_round = make_round()
    items = _items(residents[:4], "TZ-B3")
    samples_record(actor=demo.volunteer, test_round=test_round, items=items)
    again = samples_record(actor=demo.volunteer, test_round=test_round, items=items)
    assert [o.outcome for o in again] == ["already_stored"] * 4
    assert Sample.objects.count() == 4 and Tube.objects.get(barcode="TZ-B3").filled == 4


def test_a_person_once_per_round_and_only_in_the_area(demo, make_round, residents):
    test_round = make_round()
    sample_take(actor=demo.volunteer, test_round=test_round, person=residents[0], barcode="TZ-B4")
    outsider = demo.person_in("songhua") if hasattr(demo, "person_in") else None
    items = _items([residents[0], residents[1], residents[1]], "TZ-B5")
    if outsider is not None:
        items += _items([outsider], "TZ-B5")
    items.append(SampleItem(uuid.uuid4(), residents[2].pk, "坏码", timezone.now()))
    outcomes = samples_record(actor=demo.volunteer, test_round=test_round, items=items)
    assert [o.outcome for o in outcomes[:3]] == ["refused", "stored", "refused"]
    assert outcomes[-1].outcome == "refused"
    assert Sample.objects.filter(person=residents[1]).count() == 1
    assert not Sample.objects.filter(person=residents[2]).exists()
    assert not Tube.objects.filter(filled=0).exists()


def test_the_query_count_does_not_grow_with_the_batch(demo, make_round, residents):
    test_round = make_round(pool_size=5)
    samples_record(actor=demo.volunteer, test_round=test_round, items=_items(residents[22:23], "TZ-Q0"))  # warm
    counts = []
    for people, barcode in ((residents[:2], "TZ-Q1"), (residents[2:22], "TZ-Q2")):
        items = _items(people[:5], barcode) + _items(people[5:10], barcode + "A")
        items += _items(people[10:15], barcode + "B") + _items(people[15:], barcode + "C")
        with CaptureQueriesContext(connection) as queries:
            outcomes = samples_record(actor=demo.volunteer, test_round=test_round, items=items)
        assert {o.outcome for o in outcomes} == {"stored"}
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_the_batch_endpoint_for_the_sampler_and_nobody_else(demo, make_round, client_as, residents):
    test_round = make_round()
    url = reverse("api:testing_samples_batch", kwargs={"round_id": test_round.pk})
    body = {
        "items": [
            {
                "client_uuid": str(uuid.uuid4()),
                "person_id": p.pk,
                "barcode": "TZ-API",
                "taken_at": "2026-01-01T08:00:00",
            }
            for p in residents[:3]
        ]
    }
    assert client_as("songhua_staff").post(url, body, content_type="application/json").status_code == 404
    assert client_as("outsider").post(url, body, content_type="application/json").status_code in (403, 404)
    assert not Sample.objects.exists()
    response = client_as("volunteer").post(url, body, content_type="application/json")
    assert response.status_code == 200
    assert [r["outcome"] for r in response.json()["results"]] == ["stored"] * 3
    again = client_as("volunteer").post(url, body, content_type="application/json").json()["results"]
    assert [r["outcome"] for r in again] == ["already_stored"] * 3
    bad = client_as("volunteer").post(url, {"items": [{"person_id": "x"}]}, content_type="application/json")
    assert bad.status_code == 422
