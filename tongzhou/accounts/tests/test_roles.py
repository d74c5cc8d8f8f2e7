import pytest
from django.urls import reverse

from tongzhou.accounts.audit import AccountsAudit
from tongzhou.accounts.models import RoleAssignment, User
from tongzhou.accounts.services import GrantRefused, role_grant, role_revoke
from tongzhou.core.models import AuditEvent
from tongzhou.core.permissions import Role


def roles_snapshot():
    return sorted(RoleAssignment.objects.values_list("user_id", "role", "place_id"))


def test_staff_grant_a_lower_role_in_their_community(demo):
    assignment = role_grant(
        actor=demo.taian_staff, user=demo.outsider, role=Role.GRID_WORKER, place=demo.places["taian"]
    )
    assert assignment.granted_by == demo.taian_staff
    event = AuditEvent.objects.get(action=AccountsAudit.ROLE_GRANTED, actor=demo.taian_staff)
    assert event.details["role"] == "grid_worker" and event.place_path == demo.places["taian"].path


def test_grant_above_own_role_is_refused_and_audited(demo):
    before = roles_snapshot()
    with pytest.raises(GrantRefused):
        role_grant(actor=demo.taian_staff, user=demo.outsider, role=Role.STREET_ADMIN, place=demo.places["taian"])
    assert roles_snapshot() == before
    refusal = AuditEvent.objects.get(action=AccountsAudit.ROLE_GRANT_REFUSED)
    assert refusal.actor == demo.taian_staff and refusal.details["role"] == "street_admin"


def test_grant_outside_subtree_is_refused_and_audited(demo):
    before = roles_snapshot()
    with pytest.raises(GrantRefused):
        role_grant(actor=demo.taian_staff, user=demo.outsider, role=Role.VOLUNTEER, place=demo.places["songhua"])
    assert roles_snapshot() == before
    assert AuditEvent.objects.filter(action=AccountsAudit.ROLE_GRANT_REFUSED, actor=demo.taian_staff).count() == 1


def test_grant_at_a_parent_place_is_refused(demo):
    with pytest.raises(GrantRefused):
        role_grant(actor=demo.taian_staff, user=demo.outsider, role=Role.VOLUNTEER, place=demo.places["er_ge"])


def test_roles_that_cannot_grant_are_refused(demo):
    for actor in (demo.volunteer, demo.auditor, demo.health_officer, demo.guard):
        with pytest.raises(GrantRefused):
            role_grant(actor=actor, user=demo.outsider, role=Role.VOLUNTEER, place=demo.places["taian_compound"])
    assert not RoleAssignment.objects.filter(user=demo.outsider).exists()


def test_no_granting_to_oneself(demo):
    with pytest.raises(GrantRefused):
        role_grant(actor=demo.taian_staff, user=demo.taian_staff, role=Role.VOLUNTEER, place=demo.places["taian"])


def test_street_admin_grants_in_any_community_of_the_street(demo):
    role_grant(actor=demo.street_admin, user=demo.outsider, role=Role.COMMUNITY_STAFF, place=demo.places["songhua"])
    assert RoleAssignment.objects.filter(user=demo.outsider, place=demo.places["songhua"]).exists()


def test_nobody_removes_their_own_role(demo):
    own = RoleAssignment.objects.get(user=demo.taian_staff)
    with pytest.raises(GrantRefused):
        role_revoke(actor=demo.taian_staff, assignment=own)
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_revoke_is_audited_and_scoped(demo):
    assignment = RoleAssignment.objects.get(user=demo.songhua_staff)
    with pytest.raises(GrantRefused):
        role_revoke(actor=demo.taian_staff, assignment=assignment)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    role_revoke(actor=demo.street_admin, assignment=assignment)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(action=AccountsAudit.ROLE_REVOKED, actor=demo.street_admin).count() == 1


def test_members_page_grants_and_creates_a_user(demo, client_as):
    taian = demo.places["taian"]
    response = client_as("taian_staff").post(
        reverse("accounts:place_members", args=[taian.pk]),
        {"username": "new_grid_worker", "role": "grid_worker", "display_name": "张三", "password": "a-long-password-1"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_grid_worker")
    assert user.check_password("a-long-password-1")
    assert RoleAssignment.objects.filter(user=user, role="grid_worker", place=taian).exists()


def test_members_page_refused_grant_creates_no_user_and_is_audited(demo, client_as):
    taian = demo.places["taian"]
    before = (User.objects.count(), roles_snapshot())
    response = client_as("taian_staff").post(
        reverse("accounts:place_members", args=[taian.pk]),
        {"username": "sneaky", "role": "street_admin", "password": "a-long-password-1"},
    )
    assert response.status_code == 200  # the form offers no such role
    assert (User.objects.count(), roles_snapshot()) == before


@pytest.mark.parametrize("username", ["songhua_staff", "volunteer", "guard", "auditor", "health_officer", "outsider"])
def test_members_page_is_404_for_those_who_cannot_grant_there(demo, client_as, username):
    taian = demo.places["taian"]
    before = (User.objects.count(), roles_snapshot())
    client = client_as(username)
    assert client.get(reverse("accounts:place_members", args=[taian.pk])).status_code == 404
    response = client.post(
        reverse("accounts:place_members", args=[taian.pk]),
        {"username": "x_user", "role": "volunteer", "password": "a-long-password-1"},
    )
    assert response.status_code == 404
    assignment = RoleAssignment.objects.filter(place=taian).first()
    assert client.post(reverse("accounts:role_revoke", args=[assignment.pk])).status_code == 404
    assert (User.objects.count(), roles_snapshot()) == before


def test_roles_list_is_scoped_and_masks_phones(demo, client_as):
    html = client_as("taian_staff").get(reverse("accounts:roles")).content.decode()
    assert "taian_staff" in html and "volunteer" in html
    assert "songhua_staff" not in html
    assert demo.volunteer.phone not in html
    assert demo.volunteer.phone[-4:] in html


def test_phone_reveal_needs_a_purpose_and_is_audited(demo, client_as):
    client = client_as("taian_staff")
    url = reverse("accounts:phone_reveal", args=[demo.volunteer.pk])
    response = client.post(url, {"purpose": ""})
    assert demo.volunteer.phone not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AccountsAudit.PII_REVEALED).exists()
    response = client.post(url, {"purpose": "arrange a shift by phone"})
    assert demo.volunteer.phone in response.content.decode()
    event = AuditEvent.objects.get(action=AccountsAudit.PII_REVEALED)
    assert event.purpose == "arrange a shift by phone" and event.actor == demo.taian_staff


@pytest.mark.parametrize("username", ["songhua_staff", "volunteer", "auditor", "outsider"])
def test_phone_reveal_is_404_outside_scope_or_permission(demo, client_as, username):
    response = client_as(username).post(
        reverse("accounts:phone_reveal", args=[demo.volunteer.pk]), {"purpose": "curious about it"}
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AccountsAudit.PII_REVEALED).exists()


@pytest.mark.parametrize("username", ["volunteer", "guard", "auditor", "health_officer", "outsider"])
def test_roles_list_is_404_for_those_who_cannot_grant(demo, client_as, username):
    assert client_as(username).get(reverse("accounts:roles")).status_code == 404


def test_grant_role_command_sets_up_the_first_administrator(db, monkeypatch):
    import io

    from django.core.management import call_command

    from tongzhou.demo import DIVISIONS
    from tongzhou.places.importers import import_divisions

    import_divisions(DIVISIONS)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-long-password-1")
    out = io.StringIO()
    call_command("grant_role", "erge_admin", "street_admin", "520102029", "--create", stdout=out)
    user = User.objects.get(username="erge_admin")
    assert user.check_password("a-long-password-1")
    assert RoleAssignment.objects.filter(user=user, role="street_admin", place__code="520102029").exists()
    assert AuditEvent.objects.filter(action=AccountsAudit.ROLE_GRANTED, actor=None).count() == 1
