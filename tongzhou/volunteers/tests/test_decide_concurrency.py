"""Two coordinators decide the same shift change request at the same moment, each on their own
database connection: exactly one decision is made (core.transitions.decide locks the request)."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from tongzhou.core.transitions import ApprovalState
from tongzhou.volunteers.models import Assignment, ChangeRequest, Shift
from tongzhou.volunteers.services import assignment_add, change_request_create, change_request_decide, post_create

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5


def race(request_pk, deciders):
    """Each (user, approve) decides the request read before the barrier; returns who won."""
    barrier = threading.Barrier(len(deciders))
    results: dict[str, str] = {}

    def decide(user, approve):
        try:
            stale = ChangeRequest.objects.select_related("assignment__shift").get(pk=request_pk)
            barrier.wait(timeout=10)
            change_request_decide(actor=user, request_obj=stale, approve=approve)
            results[user.username] = "won"
        except ValidationError:
            results[user.username] = "lost"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=decider) for decider in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_decisions_at_once_have_exactly_one_winner(demo, make_volunteer):
    post = post_create(actor=demo.taian_staff, place=demo.places["taian_compound"], name="3号院东门", duty="gate")
    coordinators = [demo.taian_staff, demo.street_admin]
    for round_ in range(ROUNDS):
        volunteer = make_volunteer()
        start = timezone.now() + timedelta(days=2 + round_)
        shift = Shift.objects.create(
            post=post,
            place_path=post.place_path,
            start=start,
            end=start + timedelta(hours=8),
            min_people=1,
            max_people=1,
        )
        assignment = assignment_add(actor=demo.taian_staff, shift=shift, volunteer=volunteer)
        request = change_request_create(user=volunteer.user, assignment=assignment, kind="drop", reason="家里有事")
        # One approves, the other rejects: whichever comes first decides, the other is refused.
        deciders = [(coordinators[0], round_ % 2 == 0), (coordinators[1], round_ % 2 == 1)]
        results = race(request.pk, deciders)
        assert sorted(results.values()) == ["lost", "won"], (connection.vendor, results)
        winner, approved = next((u, a) for u, a in deciders if results[u.username] == "won")
        if approved:
            assert not Assignment.objects.filter(pk=assignment.pk).exists()
            assert not ChangeRequest.objects.filter(pk=request.pk).exists()
        else:
            request.refresh_from_db()
            assert (request.status, request.decided_by) == (ApprovalState.REJECTED, winner)
            assert Assignment.objects.filter(pk=assignment.pk).exists()
