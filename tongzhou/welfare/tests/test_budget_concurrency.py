"""Two welfare officers enroll the last places of a budget at the same moment, each on their own
database connection (PostgreSQL in CI): the budget holds, exactly one of them gets the places."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from tongzhou.welfare.models import Enrollment, Plan
from tongzhou.welfare.services.plans import MemberData, enrollments_create

from .conftest import id_number

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 3


def test_two_officers_enrolling_the_last_places_at_once_never_exceed_the_budget(make_plan, officers):
    for round_ in range(ROUNDS):
        plan = make_plan(places=2 + round_, name=f"计划{round_}")
        # All but two places are taken already.
        enrollments_create(
            actor=officers["taian_welfare"],
            plan=plan,
            members=[
                MemberData(name=f"先{n}", id_number=id_number(100 + 10 * round_ + n), phone=f"1350000{n:04d}")
                for n in range(round_)
            ],
        )
        barrier = threading.Barrier(2)
        results: dict[str, str] = {}

        def enroll(officer, first, plan=plan, barrier=barrier, results=results):
            try:
                stale = Plan.objects.get(pk=plan.pk)
                members = [
                    MemberData(name=f"职工{first + n}", id_number=id_number(first + n), phone=f"1360000{first + n:04d}")
                    for n in range(2)
                ]
                barrier.wait(timeout=10)
                enrollments_create(actor=officer, plan=stale, members=members)
                results[officer.username] = "won"
            except ValidationError:
                results[officer.username] = "lost"
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=enroll, args=(officers["taian_welfare"], 200 + 10 * round_)),
            threading.Thread(target=enroll, args=(officers["taian_welfare2"], 300 + 10 * round_)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        plan.refresh_from_db()
        assert sorted(results.values()) == ["lost", "won"], results
        assert plan.places_taken == plan.places_total == Enrollment.objects.filter(plan=plan).count()
