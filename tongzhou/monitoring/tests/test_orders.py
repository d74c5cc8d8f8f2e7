"""Isolation orders: the policy's end, changes within the rules, the four-eyes override, daily
checks and alerts, escalation with frozen time, the release reminder and the purge."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tongzhou.alerts.models import Alert
from tongzhou.assistance.models import HelpRequest, Source
from tongzhou.core.messaging import ConsoleBackend
from tongzhou.core.models import AuditEvent
from tongzhou.core.scope import Scope
from tongzhou.monitoring.audit import MonitoringAudit
from tongzhou.monitoring.models import (
    AlertKind,
    CheckMethod,
    HealthCheck,
    IsolationOrder,
    OrderAction,
    OrderKind,
    OrderStatus,
    Override,
    OverrideStatus,
)
from tongzhou.monitoring.selectors import today_counts, today_orders
from tongzhou.monitoring.services import (
    Change,
    CheckData,
    check_record,
    health_data_purge,
    monitoring_escalate,
    order_change,
    override_decide,
)

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def test_planned_end_follows_the_policy(demo, make_order):
    with time_machine.travel(at(2026, 1, 20, 10, 0), tick=False):
        order = make_order()
    assert (order.starts_on, order.planned_end_on, order.check_times) == (
        date(2026, 1, 20),
        date(2026, 2, 3),
        ["08:00", "20:00"],
    )
    assert order.next_due_at == at(2026, 1, 20, 20, 0)
    assert order.events.get().action == OrderAction.ORDERED


def test_one_active_order_per_resident(demo, make_order):
    make_order()
    with pytest.raises(ValidationError, match="already under an active order"):
        make_order()


def test_only_the_health_officer_orders(demo, taian_person):
    from tongzhou.monitoring.services import key_person_register, order_create

    key_person = key_person_register(actor=demo.taian_staff, person=taian_person, reason="close_contact")
    with pytest.raises(PermissionDenied):
        order_create(actor=demo.taian_staff, key_person=key_person, kind=OrderKind.HOME_ISOLATION)
    assert not IsolationOrder.objects.exists()


def test_extending_is_direct_and_recorded(demo, make_order):
    order = make_order()
    new_end = order.planned_end_on + timedelta(days=7)
    changed = order_change(
        actor=demo.health_officer,
        order=order,
        change=Change(action=OrderAction.EXTENDED, reason="家属阳性", evidence="报告", planned_end_on=new_end),
    )
    assert changed.planned_end_on == new_end
    event = changed.events.order_by("-id").first()
    assert (event.action, event.actor, event.reason, event.evidence, event.approved_by) == (
        OrderAction.EXTENDED,
        demo.health_officer,
        "家属阳性",
        "报告",
        None,
    )
    assert (
        AuditEvent.objects.filter(
            action=MonitoringAudit.ISOLATION_CHANGED, object_id=str(order.key_person.person_id)
        ).count()
        == 2
    )


def test_an_early_release_waits_for_a_second_approver(demo, make_order):
    order = make_order()
    result = order_change(
        actor=demo.health_officer,
        order=order,
        change=Change(action=OrderAction.RELEASED, reason="核酸阴性", evidence="两次阴性报告"),
    )
    assert isinstance(result, Override) and result.status == OverrideStatus.PENDING
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE  # nothing changed yet
    with pytest.raises(PermissionDenied):
        override_decide(actor=demo.health_officer, override=result, approve=True)  # not one's own
    with pytest.raises(PermissionDenied):
        override_decide(actor=demo.taian_staff, override=result, approve=True)  # may not approve
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    override_decide(actor=demo.street_admin, override=result, approve=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.RELEASED
    event = order.events.order_by("-id").first()
    assert (event.action, event.actor, event.approved_by) == (
        OrderAction.RELEASED,
        demo.health_officer,
        demo.street_admin,
    )


def test_an_exception_without_evidence_is_refused(demo, make_order):
    order = make_order()
    with pytest.raises(ValidationError) as error:
        order_change(
            actor=demo.health_officer,
            order=order,
            change=Change(action=OrderAction.SHORTENED, reason="x", planned_end_on=order.starts_on + timedelta(days=3)),
        )
    assert "evidence" in error.value.message_dict
    assert not Override.objects.exists()


def test_a_rejected_override_changes_nothing(demo, make_order):
    order = make_order()
    end = order.planned_end_on
    override = order_change(
        actor=demo.health_officer,
        order=order,
        change=Change(
            action=OrderAction.SHORTENED, reason="政策调整", evidence="文件", planned_end_on=end - timedelta(days=7)
        ),
    )
    override_decide(actor=demo.street_admin, override=override, approve=False)
    order.refresh_from_db()
    assert order.planned_end_on == end and order.status == OrderStatus.ACTIVE
    assert list(order.events.values_list("action", flat=True)) == [OrderAction.ORDERED]


def test_release_on_the_planned_end_is_direct_and_starts_the_follow_up(demo, make_order):
    with time_machine.travel(at(2026, 1, 1, 9, 0), tick=False):
        order = make_order(kind=OrderKind.CENTRALIZED)  # 7 + 7
    with time_machine.travel(at(2026, 1, 8, 9, 0), tick=False):
        released = order_change(
            actor=demo.health_officer, order=order, change=Change(action=OrderAction.RELEASED, reason="期满")
        )
    assert released.status == OrderStatus.RELEASED
    follow = IsolationOrder.objects.get(status=OrderStatus.ACTIVE, key_person=order.key_person)
    assert (follow.kind, follow.starts_on, follow.planned_end_on) == (
        OrderKind.HOME_MONITORING,
        date(2026, 1, 8),
        date(2026, 1, 15),
    )


def test_a_normal_check_moves_the_next_due_time(demo, make_order):
    with time_machine.travel(at(2026, 2, 28, 10, 0), tick=False):
        order = make_order()
    with time_machine.travel(at(2026, 2, 28, 20, 30), tick=False):
        check = check_record(
            actor=demo.health_officer, order=order, data=CheckData(temperature="36.5"), method=CheckMethod.PHONE
        )
    order.refresh_from_db()
    assert not check.abnormal
    assert order.next_due_at == at(2026, 3, 1, 8, 0)  # across the month end
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        CheckData(temperature="37.3"),
        CheckData(temperature="36.6", symptoms=["cough"]),
        CheckData(temperature="36.6", household_unwell=True),
    ],
)
def test_an_abnormal_check_raises_one_alert(demo, make_order, data):
    order = make_order()
    check = check_record(actor=demo.health_officer, order=order, data=data, method=CheckMethod.VISIT)
    assert check.abnormal
    alert = Alert.objects.get()
    assert (alert.kind, alert.details["health_check"], alert.closed_at) == (AlertKind.ABNORMAL, check.pk, None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (CheckData(temperature="45"), "temperature"),
        (CheckData(temperature="abc"), "temperature"),
        (CheckData(temperature="36.5", symptoms=["zombie"]), "symptoms"),
        (CheckData(temperature="36.5", needs=["pony"]), "needs"),
        (CheckData(temperature="36.5", notes="长" * 3000), "notes"),
    ],
)
def test_bad_checks_name_the_field_and_write_nothing(demo, make_order, data, field):
    order = make_order()
    with pytest.raises(ValidationError) as error:
        check_record(actor=demo.health_officer, order=order, data=data, method=CheckMethod.PHONE)
    assert field in error.value.message_dict
    assert not HealthCheck.objects.exists()
    order.refresh_from_db()
    assert order.last_check_at is None


def test_needs_become_linked_help_requests(demo, make_order):
    order = make_order()
    check = check_record(
        actor=demo.health_officer,
        order=order,
        data=CheckData(temperature="36.4", needs=["groceries", "medicine"], notes="要降压药"),
        method=CheckMethod.PHONE,
    )
    requests = HelpRequest.objects.filter(source=Source.HEALTH_CHECK, source_ref=f"monitoring.healthcheck:{check.pk}")
    assert sorted(requests.values_list("category", flat=True)) == ["groceries", "medicine"]
    assert {r.person_id for r in requests} == {order.key_person.person_id}


def test_a_resident_checks_in_for_their_own_order_only(demo, make_order, taian_person):
    from tongzhou.people.models import Person

    order = make_order()
    other = Person.objects.exclude(pk=taian_person.pk).first()
    with pytest.raises(PermissionDenied):
        check_record(actor=None, person=other, order=order, data=CheckData(temperature="36.5"), method=CheckMethod.SELF)
    check = check_record(
        actor=None, person=taian_person, order=order, data=CheckData(temperature="36.5"), method=CheckMethod.SELF
    )
    assert check.checked_by is None and check.method == CheckMethod.SELF


def test_overdue_escalates_to_staff_then_the_health_officer(demo, make_order, settings):
    settings.TONGZHOU_ESCALATE_STAFF_HOURS = 4
    settings.TONGZHOU_ESCALATE_HEALTH_HOURS = 12
    settings.TONGZHOU_CHECK_GRACE_MINUTES = 120
    with time_machine.travel(at(2026, 3, 31, 10, 0), tick=False):
        order = make_order()  # first check due 20:00
    scope = Scope.of([demo.places["taian"].path])

    def state_at(moment):
        with time_machine.travel(moment, tick=False):
            return today_orders(scope).get(pk=order.pk).state, today_counts(scope)

    assert state_at(at(2026, 3, 31, 19, 59))[0] == "done"
    assert state_at(at(2026, 3, 31, 20, 1))[0] == "due"
    state, counts = state_at(at(2026, 3, 31, 22, 1))
    assert state == "overdue" and counts["overdue"] == 1

    ConsoleBackend.outbox.clear()
    with time_machine.travel(at(2026, 3, 31, 23, 59), tick=False):
        assert monitoring_escalate()["overdue_staff"] == 0
    with time_machine.travel(at(2026, 4, 1, 0, 1), tick=False):  # 4 h after, across the month end
        assert monitoring_escalate()["overdue_staff"] == 1
        assert monitoring_escalate()["overdue_staff"] == 0  # idempotent
    assert [m.to for m in ConsoleBackend.outbox] == [demo.taian_staff.phone]
    with time_machine.travel(at(2026, 4, 1, 8, 1), tick=False):
        assert monitoring_escalate()["overdue_health"] == 1
    assert set(Alert.objects.values_list("kind", flat=True)) == {AlertKind.OVERDUE_STAFF, AlertKind.OVERDUE_HEALTH}
    # A check clears the overdue state; the next missed time escalates anew.
    with time_machine.travel(at(2026, 4, 1, 9, 0), tick=False):
        check_record(actor=demo.taian_staff, order=order, data=CheckData(temperature="36.5"), method=CheckMethod.PHONE)
        assert today_counts(scope)["overdue"] == 0


def test_the_planned_end_reminds_and_never_releases_silently(demo, make_order):
    with time_machine.travel(at(2026, 5, 1, 9, 0), tick=False):
        order = make_order()  # ends 05-15
    with time_machine.travel(at(2026, 5, 14, 23, 0), tick=False):
        assert monitoring_escalate()["release_due"] == 0
    with time_machine.travel(at(2026, 5, 15, 0, 5), tick=False):
        assert monitoring_escalate()["release_due"] == 1
        assert monitoring_escalate()["release_due"] == 0
    with time_machine.travel(at(2026, 5, 20, 9, 0), tick=False):
        monitoring_escalate()
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    reminder = Alert.objects.get(kind=AlertKind.RELEASE_DUE)
    with time_machine.travel(at(2026, 5, 20, 10, 0), tick=False):
        order_change(actor=demo.health_officer, order=order, change=Change(action=OrderAction.RELEASED, reason="期满"))
    reminder.refresh_from_db()
    assert reminder.closed_at is not None


def test_the_purge_removes_exactly_what_the_policy_says(demo, make_order, settings, taian_person):
    from tongzhou.people.models import Person

    settings.TONGZHOU_HEALTH_RETENTION_DAYS = 30
    people = [
        taian_person,
        *Person.objects.filter(place_path__startswith=demo.places["taian"].path).exclude(pk=taian_person.pk)[:2],
    ]
    with time_machine.travel(at(2026, 1, 1, 9, 0), tick=False):
        old, recent, active = (make_order(person=p) for p in people)
        for order in (old, recent, active):
            check_record(actor=demo.health_officer, order=order, data=CheckData(temperature="37.5"), method="phone")
            check_record(actor=demo.health_officer, order=order, data=CheckData(temperature="36.5"), method="phone")
    Alert.objects.update(outcome="other", note="已送医")
    with time_machine.travel(at(2026, 1, 15, 9, 0), tick=False):
        order_change(actor=demo.health_officer, order=old, change=Change(action=OrderAction.RELEASED, reason="期满"))
    with time_machine.travel(at(2026, 2, 1, 9, 0), tick=False):
        order_change(actor=demo.health_officer, order=recent, change=Change(action=OrderAction.LOST, reason="失联"))

    with time_machine.travel(at(2026, 2, 14, 8, 59), tick=False):
        assert health_data_purge() == {"orders": 0, "checks": 0, "alerts": 0}
    with time_machine.travel(at(2026, 2, 14, 9, 1), tick=False):
        assert health_data_purge() == {"orders": 1, "checks": 2, "alerts": 1}
        assert health_data_purge() == {"orders": 0, "checks": 0, "alerts": 0}
    assert not HealthCheck.objects.filter(order=old).exists()
    assert HealthCheck.objects.filter(order=recent).count() == 2
    assert HealthCheck.objects.filter(order=active).count() == 2
    assert (Alert.objects.get(subject_id=old.pk).note, Alert.objects.get(subject_id=old.pk).outcome) == ("", "")
    assert Alert.objects.get(subject_id=recent.pk).note == "已送医"
    old.refresh_from_db()
    assert old.purged_at is not None and old.status == OrderStatus.RELEASED
    assert old.events.order_by("-id").first().action == OrderAction.PURGED
