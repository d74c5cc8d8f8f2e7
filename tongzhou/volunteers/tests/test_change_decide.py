"""The shared decide step (core.transitions.decide), tried on the volunteers' shift change requests:
decided exactly once, never by the one who asked, with who and when."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzhou.accounts.services import role_grant
from tongzhou.core.permissions import Role
from tongzhou.core.transitions import AlreadyDecided, ApprovalState, OwnRequest
from tongzhou.volunteers.models import Assignment, ChangeRequest, Shift
from tongzhou.volunteers.services import (
    assignment_add,
    change_request_create,
    change_request_decide,
    post_create,
)


def drop_request(demo, volunteer, days=2):
    post = post_create(actor=demo.taian_staff, place=demo.places["taian_compound"], name="3号院东门", duty="gate")
    start = timezone.now() + timedelta(days=days)
    shift = Shift.objects.create(
        post=post, place_path=post.place_path, start=start, end=start + timedelta(hours=12), min_people=1, max_people=1
    )
    assignment = assignment_add(actor=demo.taian_staff, shift=shift, volunteer=volunteer)
    return change_request_create(user=volunteer.user, assignment=assignment, kind="drop", reason="家里有事")


def test_a_request_is_decided_once_with_who_and_when(demo, make_volunteer):
    volunteer = make_volunteer()
    request = drop_request(demo, volunteer)
    assert (request.status, request.requested_by, request.requested_at) == (
        ApprovalState.PENDING,
        volunteer.user,
        request.created_at,
    )
    decided = change_request_decide(actor=demo.taian_staff, request_obj=request, approve=False)
    assert (decided.status, decided.decided_by) == (ApprovalState.REJECTED, demo.taian_staff)
    assert decided.decided_at is not None
    assert Assignment.objects.filter(pk=request.assignment_id).exists()  # a rejection changes nothing
    # The second decision, on the stale object the page showed, is refused and changes nothing.
    with pytest.raises(AlreadyDecided):
        change_request_decide(actor=demo.street_admin, request_obj=request, approve=True)
    with pytest.raises(ValidationError):
        change_request_decide(actor=demo.taian_staff, request_obj=request, approve=True)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (ApprovalState.REJECTED, demo.taian_staff)
    assert Assignment.objects.filter(pk=request.assignment_id).exists()


def test_a_coordinator_never_decides_their_own_request(demo, make_volunteer):
    volunteer = make_volunteer()
    # The volunteer is also community staff of 泰安巷, so may otherwise decide drops there.
    role_grant(actor=None, user=volunteer.user, role=Role.COMMUNITY_STAFF, place=demo.places["taian"])
    request = drop_request(demo, volunteer)
    with pytest.raises(OwnRequest, match="second person"):
        change_request_decide(actor=volunteer.user, request_obj=request, approve=True)
    with pytest.raises(PermissionDenied):
        change_request_decide(actor=demo.songhua_staff, request_obj=request, approve=True)
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decided_at) == (ApprovalState.PENDING, None, None)
    assert Assignment.objects.filter(pk=request.assignment_id).exists()
    change_request_decide(actor=demo.taian_staff, request_obj=request, approve=True)
    assert not Assignment.objects.filter(pk=request.assignment_id).exists()
    assert not ChangeRequest.objects.filter(pk=request.pk).exists()  # the drop took its request along


def test_the_attendance_page_refuses_ones_own_request_with_a_message(demo, make_volunteer):
    volunteer = make_volunteer()
    role_grant(actor=None, user=volunteer.user, role=Role.COMMUNITY_STAFF, place=demo.places["taian"])
    request = drop_request(demo, volunteer)
    client = Client()
    client.force_login(volunteer.user)
    response = client.post(
        reverse("volunteers:attendance"),
        {"change": request.pk, "decision": "approve"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "second person" in " ".join(str(m) for m in response.context["messages"])
    request.refresh_from_db()
    assert request.status == ApprovalState.PENDING
    assert Assignment.objects.filter(pk=request.assignment_id).exists()
