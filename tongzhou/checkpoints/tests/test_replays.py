"""The same scan (client_uuid) sent again to a gate answers as it was first answered and stores
nothing more, even with a later scanned_at: single scans and batches, on both engines; the gate's
first answers are kept REPLAY_KEPT_DAYS days."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tongzhou.checkpoints.models import REPLAY_KEPT_DAYS, Passage, PassageReplay
from tongzhou.checkpoints.partitions import drop_old_replays, maintain
from tongzhou.checkpoints.tests.conftest import at, item

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_single_scan_sent_again_later_answers_the_first_answer(device, gate, token, post):
    first_time = timezone.now() - timedelta(minutes=5)
    data = item(token, scanned_at=at(first_time))
    first = post(device, gate, data).json()
    assert first["replayed"] is False
    later = post(device, gate, {**data, "scanned_at": at(first_time + timedelta(seconds=90))}).json()
    assert later["replayed"] is True
    assert (later["passage_id"], later["allowed"], later["reason"]) == (
        first["passage_id"],
        first["allowed"],
        first["reason"],
    )
    # Even with another answer had it been new (a fever now): the first answer stands.
    feverish = post(device, gate, {**data, "temperature": 38.5, "scanned_at": at(timezone.now())}).json()
    assert feverish["replayed"] is True and feverish["reason"] == "ok"
    assert Passage.objects.filter(client_uuid=data["client_uuid"]).count() == 1
    assert PassageReplay.objects.get(client_uuid=data["client_uuid"]).passage_id == first["passage_id"]


def test_a_batch_sent_again_later_answers_the_first_answers(device, gate, token, post):
    base = timezone.now() - timedelta(minutes=10)
    items = [item(token, scanned_at=at(base + timedelta(seconds=n))) for n in range(3)]
    first = post(device, gate, {"items": items}, batch=True).json()["results"]
    assert [r["replayed"] for r in first] == [False, False, False]
    later = [{**i, "scanned_at": at(timezone.now())} for i in items]
    again = post(device, gate, {"items": later}, batch=True).json()["results"]
    assert [r["replayed"] for r in again] == [True, True, True]
    assert [r["passage_id"] for r in again] == [r["passage_id"] for r in first]
    assert Passage.objects.count() == 3


def test_a_single_scan_then_the_same_in_a_batch_with_another_time_and_back(device, gate, token, post):
    data = item(token, scanned_at=at(timezone.now() - timedelta(hours=1)))
    first = post(device, gate, data).json()
    batch = post(device, gate, {"items": [{**data, "scanned_at": at(timezone.now())}]}, batch=True).json()
    assert batch["results"][0]["replayed"] is True
    assert batch["results"][0]["passage_id"] == first["passage_id"]
    fresh = item(token)
    post(device, gate, {"items": [fresh]}, batch=True)
    single = post(device, gate, {**fresh, "scanned_at": at(timezone.now() + timedelta(seconds=1))}).json()
    assert single["replayed"] is True
    assert Passage.objects.count() == 2


def test_a_batch_repeating_an_item_with_another_time_stores_it_once(device, gate, token, post):
    data = item(token)
    twin = {**data, "scanned_at": at(timezone.now() - timedelta(minutes=3))}
    results = post(device, gate, {"items": [data, twin]}, batch=True).json()["results"]
    assert [r["replayed"] for r in results] == [False, True]
    assert Passage.objects.count() == 1


def test_old_first_answers_are_forgotten_by_the_maintenance(device, gate, token, post):
    post(device, gate, item(token))
    assert PassageReplay.objects.count() == 1
    assert drop_old_replays(now=timezone.now() + timedelta(days=REPLAY_KEPT_DAYS - 1)) == 0
    assert drop_old_replays(now=timezone.now() + timedelta(days=REPLAY_KEPT_DAYS + 1)) == 1
    post(device, gate, item(token))
    assert maintain()["replays_deleted"] == 0
    assert PassageReplay.objects.count() == 1


def test_a_stored_passage_without_its_replay_row_still_answers_as_then(device, gate, token, post):
    """A passage from before the replay table (or past its keeping), sent again with the same
    scanned_at: the passage's own unique key answers."""
    data = item(token)
    first = post(device, gate, data).json()
    PassageReplay.objects.all().delete()
    again = post(device, gate, data).json()
    assert again["replayed"] is True and again["passage_id"] == first["passage_id"]
    batch = post(device, gate, {"items": [data]}, batch=True).json()["results"]
    assert batch[0]["replayed"] is True and batch[0]["passage_id"] == first["passage_id"]
    assert Passage.objects.count() == 1
    assert uuid.UUID(data["client_uuid"]) == Passage.objects.get().client_uuid
