"""Sampling into pooled tubes: never more than the tube's size, a person once per round (a retest
aside), replays answered, and only within one's places."""

import threading
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections

from tongzhou.testing.models import Sample, Tube
from tongzhou.testing.services import sample_take


def test_a_tube_takes_its_size_and_refuses_the_next(demo, make_round, residents):
    test_round = make_round(pool_size=5)
    for person in residents[:5]:
        sample_take(actor=demo.volunteer, test_round=test_round, person=person, barcode="tz-0001")
    with pytest.raises(ValidationError) as refused:
        sample_take(actor=demo.volunteer, test_round=test_round, person=residents[5], barcode="TZ-0001")
    assert "barcode" in refused.value.message_dict
    tube = Tube.objects.get(barcode="TZ-0001")
    assert tube.filled == tube.capacity == 5 and tube.samples.count() == 5
    assert not Sample.objects.filter(person=residents[5]).exists()


def test_a_person_is_sampled_once_per_round(demo, make_round, residents):
    test_round = make_round()
    sample_take(actor=demo.volunteer, test_round=test_round, person=residents[0], barcode="TZ-1")
    with pytest.raises(ValidationError, match="Already sampled|已采"):
        sample_take(actor=demo.volunteer, test_round=test_round, person=residents[0], barcode="TZ-2")
    assert Sample.objects.filter(person=residents[0]).count() == 1
    assert Tube.objects.filter(barcode="TZ-2").first() is None or Tube.objects.get(barcode="TZ-2").filled == 0


def test_a_replay_answers_the_sample_already_taken(demo, make_round, residents):
    test_round = make_round()
    key = uuid.uuid4()
    first = sample_take(
        actor=demo.volunteer, test_round=test_round, person=residents[0], barcode="TZ-1", client_uuid=key
    )
    again = sample_take(
        actor=demo.volunteer, test_round=test_round, person=residents[0], barcode="TZ-1", client_uuid=key
    )
    assert again.pk == first.pk and Tube.objects.get(barcode="TZ-1").filled == 1


def test_sampling_needs_an_open_round_and_a_resident_of_its_area(demo, make_round, residents):
    from tongzhou.people.models import Person

    planned = make_round(open_it=False)
    with pytest.raises(ValidationError):
        sample_take(actor=demo.volunteer, test_round=planned, person=residents[0], barcode="TZ-1")
    open_round = make_round()
    songhua = Person.objects.filter(place_path__startswith=demo.places["songhua"].path).first()
    with pytest.raises((ValidationError, PermissionDenied)):
        sample_take(actor=demo.street_admin, test_round=open_round, person=songhua, barcode="TZ-1")
    with pytest.raises(PermissionDenied):
        sample_take(actor=demo.songhua_staff, test_round=open_round, person=residents[0], barcode="TZ-1")
    assert not Sample.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_phones_filling_the_last_place_of_a_tube_one_wins(demo, make_round, residents):
    test_round = make_round(pool_size=5)
    for person in residents[:4]:
        sample_take(actor=demo.volunteer, test_round=test_round, person=person, barcode="TZ-RACE")
    contenders = residents[4:12]
    barrier = threading.Barrier(len(contenders))
    outcomes: list[str] = []

    def take(person):
        try:
            barrier.wait(timeout=10)
            sample_take(actor=demo.volunteer, test_round=test_round, person=person, barcode="TZ-RACE")
            outcomes.append("in")
        except ValidationError:
            outcomes.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(p,)) for p in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["full"] * (len(contenders) - 1) + ["in"]
    tube = Tube.objects.get(barcode="TZ-RACE")
    assert tube.filled == 5 and tube.samples.count() == 5
