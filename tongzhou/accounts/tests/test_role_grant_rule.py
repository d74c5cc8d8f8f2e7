"""Who may give which role: every pair of (granter's role, role given), the members form's choices,
and adding existing accounts (issue #15, item 1: staff minted health officers and auditors and so
passed four-eyes alone, and attached roles to accounts of another city)."""

import pytest
from django.urls import reverse

from tongzhou.accounts.audit import AccountsAudit
from tongzhou.accounts.models import RoleAssignment, User
from tongzhou.accounts.services import GrantRefused, role_grant
from tongzhou.core.models import AuditEvent
from tongzhou.core.permissions import Role

EVERY_ROLE = set(Role)
STAFF_GIVES = {
    Role.COMMUNITY_STAFF,
    Role.GRID_WORKER,
    Role.BUILDING_LEAD,
    Role.WAREHOUSE_KEEPER,
    Role.CHECKPOINT_GUARD,
    Role.VOLUNTEER,
}
# A member unit's contact is made only with its unit, by the welfare officer
# (welfare.services.unit_contact_create): no administrator holds the unit's permission to give.
MAY_GIVE: dict[Role, set[Role]] = {
    Role.DISTRICT_ADMIN: EVERY_ROLE - {Role.UNIT_CONTACT},
    Role.STREET_ADMIN: EVERY_ROLE - {Role.DISTRICT_ADMIN, Role.UNIT_CONTACT},
    Role.COMMUNITY_STAFF: STAFF_GIVES,
    Role.HEALTH_OFFICER: set(),
    Role.AUDITOR: set(),
    Role.GRID_WORKER: set(),
    Role.BUILDING_LEAD: set(),
    Role.WAREHOUSE_KEEPER: set(),
    Role.CHECKPOINT_GUARD: set(),
    Role.VOLUNTEER: set(),
    Role.WELFARE_OFFICER: set(),
    Role.UNIT_CONTACT: set(),
}


def test_the_table_names_every_role():
    assert set(MAY_GIVE) == EVERY_ROLE


@pytest.mark.parametrize("granter_role", list(Role))
def test_every_pair_of_roles_follows_the_rule(demo, granter_role):
    taian = demo.places["taian"]
    granter = User.objects.create_user(f"granter_{granter_role}", password="granter-password-1")
    role_grant(actor=None, user=granter, role=granter_role, place=taian)
    for given in Role:
        grantee = User.objects.create_user(f"grantee_{given}", password="grantee-password-1")
        if given in MAY_GIVE[granter_role]:
            role_grant(actor=granter, user=grantee, role=given, place=taian)
            assert RoleAssignment.objects.filter(user=grantee, role=given, place=taian, granted_by=granter).exists()
            assert AuditEvent.objects.filter(
                action=AccountsAudit.ROLE_GRANTED, actor=granter, object_id=str(grantee.pk)
            )
        else:
            with pytest.raises(GrantRefused):
                role_grant(actor=granter, user=grantee, role=given, place=taian)
            assert not RoleAssignment.objects.filter(user=grantee).exists(), (granter_role, given)
            refusal = (
                AuditEvent.objects.filter(action=AccountsAudit.ROLE_GRANT_REFUSED, actor=granter).order_by("pk").last()
            )
            assert refusal is not None and refusal.details["role"] == given.value


def _offered(client, place):
    form = client.get(reverse("accounts:place_members", args=[place.pk])).context["form"]
    return {value for value, _label in form.fields["role"].choices}


def test_the_members_form_offers_only_the_roles_the_granter_may_give(demo, client_as):
    taian = demo.places["taian"]
    assert _offered(client_as("taian_staff"), taian) == {r.value for r in STAFF_GIVES}
    assert _offered(client_as("street_admin"), taian) == {
        r.value for r in EVERY_ROLE - {Role.DISTRICT_ADMIN, Role.UNIT_CONTACT}
    }


@pytest.mark.parametrize("role", ["health_officer", "auditor", "street_admin"])
def test_staff_cannot_make_a_health_officer_or_auditor_on_the_members_page(demo, client_as, role):
    before = (User.objects.count(), RoleAssignment.objects.count())
    response = client_as("taian_staff").post(
        reverse("accounts:place_members", args=[demo.places["taian"].pk]),
        {"username": "second_pair_of_eyes", "role": role, "password": "a-long-password-1"},
    )
    assert response.status_code == 200
    assert (User.objects.count(), RoleAssignment.objects.count()) == before


def test_street_admin_makes_a_health_officer(demo, client_as):
    taian = demo.places["taian"]
    response = client_as("street_admin").post(
        reverse("accounts:place_members", args=[taian.pk]),
        {"username": "new_officer", "role": "health_officer", "password": "a-long-password-1"},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user__username="new_officer", role="health_officer", place=taian).exists()


def test_staff_cannot_attach_a_role_to_an_account_of_another_city(demo, client_as):
    with pytest.raises(GrantRefused):
        role_grant(actor=demo.taian_staff, user=demo.dongfeng_staff, role=Role.VOLUNTEER, place=demo.places["taian"])
    url = reverse("accounts:place_members", args=[demo.places["taian"].pk])
    client = client_as("taian_staff")
    before = RoleAssignment.objects.count()
    existing = client.post(url, {"username": "dongfeng_staff", "role": "volunteer"})
    missing = client.post(url, {"username": "nobody_by_this_name", "role": "volunteer"})
    assert RoleAssignment.objects.count() == before
    assert not RoleAssignment.objects.filter(user=demo.dongfeng_staff, place=demo.places["taian"]).exists()
    # The form answers the same whether the account exists or not.
    assert existing.status_code == missing.status_code == 200
    assert existing.context["form"].errors == missing.context["form"].errors
    assert AuditEvent.objects.filter(
        action=AccountsAudit.ROLE_GRANT_REFUSED, actor=demo.taian_staff, object_id=str(demo.dongfeng_staff.pk)
    ).exists()


def test_an_admin_above_both_adds_an_existing_account(demo, client_as):
    taian = demo.places["taian"]
    url = reverse("accounts:place_members", args=[taian.pk])
    assert client_as("taian_staff").post(url, {"username": "songhua_staff", "role": "volunteer"}).status_code == 200
    assert not RoleAssignment.objects.filter(user=demo.songhua_staff, place=taian).exists()
    assert client_as("street_admin").post(url, {"username": "songhua_staff", "role": "volunteer"}).status_code == 302
    assert RoleAssignment.objects.filter(user=demo.songhua_staff, place=taian, role="volunteer").exists()


def test_staff_give_another_role_to_an_account_of_their_own_community(demo, client_as):
    compound = demo.places["taian_compound"]
    response = client_as("taian_staff").post(
        reverse("accounts:place_members", args=[compound.pk]), {"username": "guard", "role": "building_lead"}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=demo.guard, role="building_lead", place=compound).exists()


def test_the_members_page_shows_who_gave_each_role(demo, client_as):
    taian = demo.places["taian"]
    role_grant(actor=demo.taian_staff, user=demo.outsider, role=Role.GRID_WORKER, place=taian)
    html = client_as("street_admin").get(reverse("accounts:place_members", args=[taian.pk])).content.decode()
    assert f"{demo.taian_staff}" in html.split("outsider", 1)[1].split("</li>", 1)[0]
