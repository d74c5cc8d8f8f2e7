"""Gifted enrollment for key positions: the proposal list from the hours ledger, the officer picks,
a second person approves, the waiting period starts by itself."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tongzhou.accounts.selectors import scope_for
from tongzhou.core.permissions import Perm
from tongzhou.core.transitions import waiting_for
from tongzhou.welfare.models import Enrollment, EnrollmentSource
from tongzhou.welfare.selectors.plans import proposals
from tongzhou.welfare.services.plans import gift_request_create, gift_request_decide


def test_the_proposal_list_has_the_hours_and_posts_at_key_posts_only(
    make_plan, make_worker, officers, django_assert_num_queries
):
    plan = make_plan()
    many = make_worker("多时", hours=48)
    make_worker("少时", hours=12)
    delivery = make_worker("送货", hours=48, duty="delivery")
    sealed = make_worker("封楼", hours=36, duty="sealed_building")
    scope = scope_for(officers["taian_welfare"], Perm.WELFARE_MANAGE)
    with django_assert_num_queries(5):  # key posts, sums, their posts, volunteers, enrolled
        rows = proposals(scope, plan, min_hours=Decimal(24), days=30)
    assert [(r.volunteer, r.hours) for r in rows] == [(many, Decimal(48)), (sealed, Decimal(36))]
    assert rows[0].posts == ["泰安巷3号院gate"] and not rows[0].enrolled
    assert delivery not in [r.volunteer for r in rows]


def test_picked_guards_are_enrolled_after_a_second_approval_with_the_waiting_period(
    client_as, make_plan, make_worker, officers
):
    plan = make_plan(places=5, waiting_days=10)
    workers = [make_worker(f"门卫{n}", hours=36) for n in range(3)]
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    page = client.get(reverse("welfare:proposals", args=[plan.pk]))
    assert page.status_code == 200 and all(w.name in page.content.decode() for w in workers)
    response = client.post(reverse("welfare:proposals", args=[plan.pk]), {"volunteer": [w.pk for w in workers]})
    assert response.status_code == 302
    assert not Enrollment.objects.exists()
    [waiting] = waiting_for(officers["taian_welfare2"])
    gift = waiting.obj
    assert "门卫0" in waiting.summary
    with pytest.raises(PermissionDenied):
        gift_request_decide(actor=officers["taian_welfare"], gift=gift, approve=True)
    gift_request_decide(actor=officers["taian_welfare2"], gift=gift, approve=True)
    enrollments = Enrollment.objects.order_by("name")
    assert [e.name for e in enrollments] == ["门卫0", "门卫1", "门卫2"]
    assert {e.source for e in enrollments} == {EnrollmentSource.GIFT}
    assert all((e.covered_from - timezone.localdate(e.created_at)).days == 10 for e in enrollments)
    assert enrollments[0].user == workers[0].user and "36" in str(gift.facts)
    plan.refresh_from_db()
    assert plan.places_taken == 3


def test_a_gift_beyond_the_budget_or_for_someone_enrolled_is_refused(make_plan, make_worker, officers):
    plan = make_plan(places=1)
    a, b = make_worker(hours=24), make_worker(hours=24)
    with pytest.raises(ValidationError):
        gift_request_create(actor=officers["taian_welfare"], plan=plan, volunteers=[a, b])
    gift = gift_request_create(actor=officers["taian_welfare"], plan=plan, volunteers=[a])
    gift_request_decide(actor=officers["taian_welfare2"], gift=gift, approve=True)
    with pytest.raises(ValidationError):
        gift_request_create(actor=officers["taian_welfare"], plan=plan, volunteers=[a])


@pytest.mark.parametrize("persona", ["guard", "volunteer", "building_lead", "taian_staff"])
def test_a_guard_cannot_open_the_proposal_list(client_as, make_plan, persona):
    plan = make_plan()
    client = client_as(persona)
    assert client.get(reverse("welfare:proposals", args=[plan.pk])).status_code == 404
    assert client.post(reverse("welfare:proposals", args=[plan.pk]), {"volunteer": ["1"]}).status_code == 404
    assert not Enrollment.objects.exists()
