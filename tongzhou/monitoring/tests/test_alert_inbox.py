"""The health officer's one inbox: fevers at a gate and abnormal daily checks on one page, each
closed with its own kind's outcomes; the data migrations that moved both old tables into it."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from tongzhou.alerts.models import Alert, AlertStatus
from tongzhou.checkpoints.services import gate_create, parse_item, pass_token, passages_record, passes_issue
from tongzhou.monitoring.models import AlertKind
from tongzhou.monitoring.services import CheckData, check_record


def _fever(demo):
    gate = gate_create(actor=demo.taian_staff, compound=demo.places["taian_compound"], name="泰安巷3号院东门")
    token = pass_token(passes_issue(actor=demo.taian_staff, place=demo.places["taian_compound"])[0])
    item = {
        "pass_token": token,
        "direction": "in",
        "temperature": 38.1,
        "client_uuid": str(uuid.uuid4()),
        "scanned_at": timezone.now().isoformat(),
    }
    passages_record(gate=gate, items=[parse_item(item)], actor=demo.guard)
    return Alert.objects.get(kind="fever")


def test_the_health_officer_sees_gate_fevers_and_abnormal_checks_on_one_page(demo, client_as, make_order):
    fever = _fever(demo)
    order = make_order()
    check_record(actor=demo.taian_staff, order=order, data=CheckData(temperature="38.4"), method="phone")
    abnormal = Alert.objects.get(kind=AlertKind.ABNORMAL)
    assert abnormal.subject_label == order.key_person.person.name[:1] + "*" * (len(order.key_person.person.name) - 1)
    officer = client_as("health_officer")
    html = officer.get(reverse("alerts:inbox")).content.decode()
    assert f'data-alert="{fever.pk}"' in html and f'data-alert="{abnormal.pk}"' in html
    assert "38.1 °C" in html and "38.4 °C" in html
    assert reverse("monitoring:order", args=[order.pk]) in html
    # Each closes with its own kind's outcomes.
    officer.post(reverse("alerts:detail", args=[fever.pk]), {"outcome": "followed_up"})
    officer.post(reverse("alerts:detail", args=[abnormal.pk]), {"outcome": "followed_up"})
    fever.refresh_from_db()
    abnormal.refresh_from_db()
    assert (fever.status, abnormal.status) == (AlertStatus.OPEN, AlertStatus.CLOSED)
    assert officer.get(reverse("alerts:inbox"), {"kind": "fever"}).content.decode().count("data-alert=") == 1
    # The old pages lead to the inbox.
    assert officer.get("/checkpoints/alerts/")["Location"] == "/alerts/?kind=fever"
    assert officer.get(reverse("monitoring:alerts"))["Location"] == reverse("alerts:inbox")
    assert client_as("songhua_staff").get(reverse("alerts:detail", args=[fever.pk])).status_code == 404


def test_the_dashboard_counts_the_inbox(demo, client_as, make_order):
    _fever(demo)
    check_record(actor=demo.taian_staff, order=make_order(), data=CheckData(temperature="38.4"), method="phone")
    context = client_as("street_admin").get(reverse("reports:dashboard")).context
    assert (context["health"]["alerts_open"], context["gates"]["fever_open"]) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_the_data_migrations_move_the_old_alerts_with_their_history(demo, make_order):
    order = make_order()
    check = check_record(actor=demo.taian_staff, order=order, data=CheckData(temperature="38.2"), method="phone")
    gate = gate_create(actor=demo.taian_staff, compound=demo.places["taian_compound"], name="泰安巷3号院东门")
    pass_ = passes_issue(actor=demo.taian_staff, place=demo.places["taian_compound"])[0]
    Alert.objects.all().delete()
    before = [("monitoring", "0001_initial"), ("checkpoints", "0003_passage_lighter")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    raised = timezone.now() - timezone.timedelta(days=3)
    closed = raised + timezone.timedelta(hours=2)
    OldAlert = old.get_model("monitoring", "Alert")
    FeverAlert = old.get_model("checkpoints", "FeverAlert")
    common = {"order_id": order.pk, "place_path": order.place_path}
    OldAlert.objects.create(kind="abnormal", slot=raised, health_check_id=check.pk, **common)
    OldAlert.objects.create(
        kind="overdue_staff",
        slot=raised,
        closed_at=closed,
        closed_by_id=demo.taian_staff.pk,
        outcome="电话已联系",
        **common,
    )
    OldAlert.objects.update(created_at=raised)
    fever = {"gate_id": gate.pk, "place_path": gate.place_path, "pass_ref_id": pass_.pk, "scanned_at": raised}
    FeverAlert.objects.create(
        passage_id=101,
        subject="泰安巷3号院 1-101 张*",
        temperature=Decimal("38.0"),
        status="closed",
        outcome="tested",
        outcome_note="送检",
        closed_by_id=demo.health_officer.pk,
        closed_at=closed,
        **fever,
    )
    FeverAlert.objects.create(passage_id=102, subject="", temperature=Decimal("37.6"), **fever)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    abnormal, overdue = Alert.objects.exclude(kind="fever").order_by("kind")
    assert (abnormal.kind, abnormal.status, abnormal.subject_id, abnormal.created_at) == (
        "abnormal",
        AlertStatus.OPEN,
        order.pk,
        raised,
    )
    assert abnormal.details == {"health_check": check.pk, "temperature": "38.2"}
    assert abnormal.place.path == order.place_path and "*" in abnormal.subject_label
    assert (overdue.status, overdue.outcome, overdue.note, overdue.closed_by_id, overdue.closed_at) == (
        AlertStatus.CLOSED,
        "other",
        "电话已联系",
        demo.taian_staff.pk,
        closed,
    )
    done, waiting = Alert.objects.filter(kind="fever").order_by("details__passage")
    assert (done.status, done.outcome, done.note, done.closed_by_id, done.closed_at) == (
        AlertStatus.CLOSED,
        "tested",
        "送检",
        demo.health_officer.pk,
        closed,
    )
    assert (done.place_id, done.subject_id, done.subject_label) == (gate.place_id, pass_.pk, "泰安巷3号院 1-101 张*")
    assert (done.once_key, done.details["temperature"]) == ("fever:101", "38.0")
    assert (waiting.status, waiting.closed_by_id, waiting.details["passage"]) == (AlertStatus.OPEN, None, 102)
    # A fever raised afresh for a moved passage is the same alert.
    assert Alert.objects.filter(once_key="fever:102").count() == 1
