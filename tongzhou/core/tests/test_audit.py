import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tongzhou.core.models import AuditAction, AuditEvent
from tongzhou.core.services import audit_log


@pytest.fixture
def event(db):
    return audit_log(action=AuditAction.EXPORTED, actor_name="someone", place_path="/52/", details={"n": 1})


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


def test_auditor_sees_events_of_the_street_only(demo, client_as):
    audit_log(
        action=AuditAction.EXPORTED, actor=demo.taian_staff, place_path=demo.places["taian"].path, purpose="in-street"
    )
    audit_log(
        action=AuditAction.EXPORTED,
        actor=demo.dongfeng_staff,
        place_path=demo.places["dongfeng"].path,
        purpose="elsewhere",
    )
    html = client_as("auditor").get(reverse("core:audit"), {"action": "exported"}).content.decode()
    assert "in-street" in html
    assert "elsewhere" not in html


@pytest.mark.parametrize("username", ["taian_staff", "volunteer", "guard", "health_officer", "outsider"])
def test_only_auditors_read_the_log(demo, client_as, username):
    assert client_as(username).get(reverse("core:audit")).status_code == 404


def test_audit_page_query_count_is_constant(demo, client_as, django_assert_max_num_queries):
    for n in range(60):
        audit_log(
            action=AuditAction.EXPORTED, actor=demo.taian_staff, place_path=demo.places["taian"].path, purpose=f"p{n}"
        )
    client = client_as("auditor")
    with django_assert_max_num_queries(6):
        assert client.get(reverse("core:audit")).status_code == 200
