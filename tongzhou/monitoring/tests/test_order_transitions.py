"""Isolation orders on the shared mechanism (core.transitions): every event says the status before
and after; an override is decided once, with who, when and the note, and the decision is audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from tongzhou.core.models import AuditEvent
from tongzhou.core.transitions import AlreadyDecided, MoveNotAllowed, check_move
from tongzhou.monitoring.audit import MonitoringAudit
from tongzhou.monitoring.models import OrderAction, OrderStatus, OverrideStatus
from tongzhou.monitoring.services import Change, order_change, override_decide


def test_every_order_event_says_the_status_before_and_after(demo, make_order):
    order = make_order()
    extended = order_change(
        actor=demo.health_officer,
        order=order,
        change=Change(
            action=OrderAction.EXTENDED, reason="家属阳性", planned_end_on=order.planned_end_on + timedelta(days=7)
        ),
    )
    order_change(
        actor=demo.health_officer,
        order=extended,
        change=Change(action=OrderAction.TRANSFERRED, reason="转院", facility="市传染病医院"),
    )
    events = list(order.events.order_by("id").values_list("action", "from_status", "to_status", "actor"))
    officer = demo.health_officer.pk
    assert events == [
        (OrderAction.ORDERED, "", OrderStatus.ACTIVE, officer),
        (OrderAction.EXTENDED, OrderStatus.ACTIVE, OrderStatus.ACTIVE, officer),
        (OrderAction.TRANSFERRED, OrderStatus.ACTIVE, OrderStatus.TRANSFERRED, officer),
    ]
    order.refresh_from_db()
    with pytest.raises(MoveNotAllowed):  # an ended order does not come back
        check_move(order, OrderStatus.ACTIVE)


def test_an_override_is_decided_once_and_the_decision_is_audited(demo, make_order):
    order = make_order()
    override = order_change(
        actor=demo.health_officer,
        order=order,
        change=Change(action=OrderAction.RELEASED, reason="核酸阴性", evidence="两次阴性报告"),
    )
    decided = override_decide(actor=demo.street_admin, override=override, approve=False, note="再观察三天")
    assert (decided.status, decided.decided_by, decided.decision_note) == (
        OverrideStatus.REJECTED,
        demo.street_admin,
        "再观察三天",
    )
    assert decided.decided_at is not None
    audit = AuditEvent.objects.filter(action=MonitoringAudit.ISOLATION_CHANGED, actor=demo.street_admin).get()
    assert (audit.object_id, audit.details["decision"]) == (str(order.key_person.person_id), "rejected")
    with pytest.raises(AlreadyDecided):
        override_decide(actor=demo.street_admin, override=override, approve=True)
    with pytest.raises(ValidationError):
        override_decide(actor=demo.street_admin, override=decided, approve=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    assert AuditEvent.objects.filter(action=MonitoringAudit.ISOLATION_CHANGED, actor=demo.street_admin).count() == 1
