"""Two people press "take" on the same request at the same moment, each on their own database
connection: exactly one gets it, and only the winner's claim is recorded and audited."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tongzhou.assistance.audit import AssistanceAudit
from tongzhou.assistance.models import HelpEvent, HelpRequest, Status
from tongzhou.assistance.services import help_request_claim
from tongzhou.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5


def race(help_request_pk, users):
    barrier = threading.Barrier(len(users))
    results: dict[str, str] = {}

    def claim(user):
        try:
            stale = HelpRequest.objects.get(pk=help_request_pk)  # both read it while it is still new
            barrier.wait(timeout=10)
            help_request_claim(actor=user, help_request=stale)
            results[user.username] = "won"
        except ValidationError:
            results[user.username] = "lost"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_claims_have_exactly_one_winner(demo, make_request):
    users = [demo.volunteer, demo.building_lead]
    for _ in range(ROUNDS):
        help_request = make_request()
        results = race(help_request.pk, users)
        assert sorted(results.values()) == ["lost", "won"], (connection.vendor, results)
        winner = next(u for u in users if results[u.username] == "won")
        help_request.refresh_from_db()
        assert (help_request.status, help_request.assignee) == (Status.ASSIGNED, winner)
        assert HelpEvent.objects.filter(help_request=help_request, to_status=Status.ASSIGNED).count() == 1
        taken = AuditEvent.objects.filter(
            action=AssistanceAudit.HELP_REQUEST_TAKEN, details__help_request=help_request.pk
        )
        assert list(taken.values_list("actor", flat=True)) == [winner.pk]
