"""Each app declares its audit actions; core only keeps the registry."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import models

from tongzhou.core import audit
from tongzhou.core.models import AuditEvent
from tongzhou.core.services import AuditTarget, audit_log, audit_log_many


class FakeModuleAudit(models.TextChoices):
    SOMETHING_DONE = "fake_module_something_done", "Something done in a new module"


class ClashingAudit(models.TextChoices):
    EXPORTED = "exported", "Exported again"


@pytest.fixture
def fake_module():
    audit.register(FakeModuleAudit)
    yield FakeModuleAudit
    audit._registry.pop(FakeModuleAudit.SOMETHING_DONE.value)


def test_every_app_action_is_registered_at_start_up():
    from tongzhou.checkpoints.audit import CheckpointsAudit
    from tongzhou.people.audit import PeopleAudit

    assert audit.label_for(PeopleAudit.PERSON_VIEWED) == str(PeopleAudit.PERSON_VIEWED.label)
    assert audit.is_registered(CheckpointsAudit.PASS_REVOKED)
    assert audit.is_registered("login")


def test_an_action_no_app_declares_reads_as_its_value():
    assert audit.label_for("gone_action") == "gone_action"


@pytest.mark.django_db
def test_a_new_action_needs_no_core_migration(fake_module):
    event = audit_log(action=fake_module.SOMETHING_DONE, actor_name="someone")
    event.refresh_from_db()
    assert event.action == "fake_module_something_done"
    assert event.get_action_display() == "Something done in a new module"
    assert ("fake_module_something_done", "Something done in a new module") in audit.choices()
    out = io.StringIO()
    call_command("makemigrations", "core", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_an_unregistered_action_is_refused():
    with pytest.raises(ValueError, match="not registered"):
        audit_log(action="typo_action")
    with pytest.raises(ValueError, match="not registered"):
        audit_log_many(action="typo_action", actor=None, targets=[AuditTarget("x", "1", "x", "")])
    assert not AuditEvent.objects.exists()


def test_two_apps_cannot_claim_one_value():
    with pytest.raises(ImproperlyConfigured, match="exported"):
        audit.register(ClashingAudit)
    assert audit.label_for("exported") == str(audit.CoreAudit.EXPORTED.label)
