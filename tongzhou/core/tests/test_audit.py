import pytest
from django.db import DatabaseError, connection, transaction

from tongzhou.core.audit import CoreAudit
from tongzhou.core.models import AuditEvent
from tongzhou.core.services import audit_log


@pytest.fixture
def event(db):
    return audit_log(action=CoreAudit.EXPORTED, actor_name="someone", place_path="/52/", details={"n": 1})


def test_orm_refuses_changes(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="edited")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).purpose == ""


def test_database_refuses_update(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET purpose = 'edited' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).purpose == ""


def test_database_refuses_delete_on_postgresql(event):
    if connection.vendor != "postgresql":
        # SQLite: the test runner empties tables with DELETE, so only the application refuses it there.
        assert connection.vendor == "sqlite"
        return
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
