"""Gifted enrollment: grid workers and building leads in sealed places are proposed with their role
and place (and their hours at key posts when they also serve as volunteers)."""

from decimal import Decimal

from django.urls import reverse

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import scope_for
from tongzhou.accounts.services import role_grant
from tongzhou.checkpoints.services import control_decide, control_request
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.transitions import waiting_for
from tongzhou.places.models import Place
from tongzhou.welfare.models import Enrollment
from tongzhou.welfare.selectors.plans import role_proposals
from tongzhou.welfare.services.plans import gift_request_decide


def _seal(demo, place):
    change = control_request(actor=demo.street_admin, place=place, level="sealed", reason="确诊病例")
    control_decide(actor=demo.health_officer, change=change, approve=True)


def _holder(username, role, place):
    user = User.objects.create_user(username, password="role-password-1", display_name=username)
    role_grant(actor=None, user=user, role=role, place=place)
    return user


def test_grid_workers_and_building_leads_in_sealed_places_are_proposed(
    demo, make_plan, make_worker, officers, django_assert_max_num_queries
):
    plan = make_plan()
    compound = demo.places["taian_compound"]
    scope = scope_for(officers["taian_welfare"], Perm.WELFARE_MANAGE)
    assert role_proposals(scope, plan, days=30) == []  # nothing sealed, nobody proposed
    _seal(demo, compound)
    grid_worker = _holder("网格员甲", Role.GRID_WORKER, compound.parent)  # the grid holds the sealed compound
    other = Place.objects.get(parent__parent=demo.places["taian"], name="泰安巷17号院")
    _holder("楼长乙", Role.BUILDING_LEAD, other)  # not sealed
    _holder("网格员丙", Role.GRID_WORKER, demo.places["songhua_compound"].parent)  # sealed? no; and out of scope
    lead_user = _holder("楼长丁", Role.BUILDING_LEAD, compound.children.first())  # a building inside it
    lead_volunteer = make_worker("楼长丁", hours=24, duty="sealed_building", user=lead_user)
    with django_assert_max_num_queries(4):
        rows = role_proposals(scope, plan, days=30)
    by_user = {row.user.username: row for row in rows}
    assert set(by_user) == {"网格员甲", "楼长丁", "building_lead"}  # the demo's lead of 泰安巷3号院 too
    assert by_user["网格员甲"].role == str(Role.GRID_WORKER.label) and by_user["网格员甲"].volunteer is None
    lead = by_user["楼长丁"]
    assert lead.volunteer == lead_volunteer and lead.hours == Decimal(24)
    assert lead.posts == ["泰安巷3号院sealed_building"] and lead.place == compound.children.first()
    assert grid_worker.pk in {row.user.pk for row in rows}


def test_a_building_lead_with_a_volunteer_record_is_picked_and_enrolled(
    client_as, demo, make_plan, make_worker, officers
):
    plan = make_plan()
    compound = demo.places["taian_compound"]
    _seal(demo, compound)
    lead_user = _holder("楼长戊", Role.BUILDING_LEAD, compound)
    volunteer = make_worker("楼长戊", user=lead_user)  # no hours: proposed for the role alone
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    page = client.get(reverse("welfare:proposals", args=[plan.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "楼长戊" in text and str(Role.BUILDING_LEAD.label) in text
    response = client.post(reverse("welfare:proposals", args=[plan.pk]), {"volunteer": [volunteer.pk]})
    assert response.status_code == 302
    [waiting] = waiting_for(officers["taian_welfare2"])
    gift_request_decide(actor=officers["taian_welfare2"], gift=waiting.obj, approve=True)
    enrollment = Enrollment.objects.get()
    assert enrollment.volunteer == volunteer and enrollment.user == lead_user
    assert "泰安巷3号院" in enrollment.post_label
    page = client.get(reverse("welfare:proposals", args=[plan.pk]))
    assert f'value="{volunteer.pk}"' not in page.content.decode()  # enrolled now, not offered again
