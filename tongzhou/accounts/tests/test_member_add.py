"""member_add: a new account and its role are written together, after the grant rules."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tongzhou.accounts.audit import AccountsAudit
from tongzhou.accounts.models import RoleAssignment, User
from tongzhou.accounts.services import GrantRefused, member_add
from tongzhou.core.models import AuditEvent
from tongzhou.core.permissions import Role


def test_it_creates_the_account_with_its_role(demo):
    user = member_add(
        actor=demo.taian_staff,
        place=demo.places["taian"],
        role=Role.GRID_WORKER,
        username="new_worker",
        password="New-worker-password-1",
        display_name="新网格员",
    )
    assert user.display_name == "新网格员" and user.check_password("New-worker-password-1")
    assert RoleAssignment.objects.filter(user=user, role=Role.GRID_WORKER, place=demo.places["taian"]).exists()


def test_it_gives_an_existing_account_the_role_without_a_password(demo):
    member_add(actor=demo.taian_staff, place=demo.places["taian"], role=Role.GRID_WORKER, username="outsider")
    assert RoleAssignment.objects.filter(user=demo.outsider, role=Role.GRID_WORKER).exists()


def test_a_new_account_needs_a_password(demo):
    with pytest.raises(ValidationError) as error:
        member_add(actor=demo.taian_staff, place=demo.places["taian"], role=Role.GRID_WORKER, username="nobody")
    # The same answer as for an account this granter may not add: the form does not tell who exists.
    assert "username" in error.value.message_dict
    assert not User.objects.filter(username="nobody").exists()


def test_a_refused_grant_creates_no_account_and_is_audited(demo):
    with pytest.raises(GrantRefused):
        member_add(
            actor=demo.taian_staff,
            place=demo.places["songhua"],
            role=Role.GRID_WORKER,
            username="intruder",
            password="Intruder-password-1",
        )
    assert not User.objects.filter(username="intruder").exists()
    assert AuditEvent.objects.filter(action=AccountsAudit.ROLE_GRANT_REFUSED, actor=demo.taian_staff).count() == 1


def test_the_account_is_not_kept_when_the_role_cannot_be_written(demo):
    with (
        mock.patch("tongzhou.accounts.services.role_grant", side_effect=IntegrityError),
        pytest.raises(IntegrityError),
    ):
        member_add(
            actor=demo.taian_staff,
            place=demo.places["taian"],
            role=Role.GRID_WORKER,
            username="half_made",
            password="Half-made-password-1",
        )
    assert not User.objects.filter(username="half_made").exists()
