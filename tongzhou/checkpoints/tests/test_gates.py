"""A gate's duty post is made by the roster's own service, so gates and posts never drift apart."""

import pytest
from django.core.exceptions import ValidationError

from tongzhou.checkpoints.models import Gate
from tongzhou.checkpoints.services import gate_create
from tongzhou.volunteers.models import Duty, Post
from tongzhou.volunteers.services import post_create


def test_a_gate_gets_a_roster_post_made_like_every_other_post(demo):
    compound = demo.places["taian_compound"]
    gate = gate_create(actor=demo.taian_staff, compound=compound, name="北门")
    other = post_create(actor=demo.taian_staff, place=compound, name="消杀", duty=Duty.DISINFECTION)
    assert (gate.post.place, gate.post.duty, gate.post.name) == (compound, Duty.GATE, "北门")
    # One token format for every post's check-in QR.
    assert len(gate.post.check_token) == len(other.check_token)


def test_a_gate_post_made_on_the_roster_first_is_reused(demo):
    compound = demo.places["taian_compound"]
    post = post_create(actor=demo.taian_staff, place=compound, name="北门", duty=Duty.GATE)
    gate = gate_create(actor=demo.taian_staff, compound=compound, name="北门")
    assert gate.post_id == post.pk
    assert Post.objects.filter(place=compound, name="北门").count() == 1


def test_a_second_gate_of_the_same_name_is_a_form_error_not_a_crash(demo):
    compound = demo.places["taian_compound"]
    gate_create(actor=demo.taian_staff, compound=compound, name="北门")
    with pytest.raises(ValidationError) as error:
        gate_create(actor=demo.taian_staff, compound=compound, name="北门")
    assert "name" in error.value.message_dict
    assert Gate.objects.filter(place=compound, name="北门").count() == 1
