"""Every write of the monitoring module: registering key persons, isolation orders and their status
changes (with the four-eyes override), daily checks, alerts, escalation and the health-data purge.

Rules: an order is released by a health officer on or after its planned end; releasing earlier or
shortening it skips the policy and becomes an `Override` that changes nothing until a second
person approves it (`core.transitions.decide`). Every change of status is an `OrderEvent` (who, why,
evidence, approver), written by `core.transitions.move`, and an audit event on the resident's
record, which the resident reads through their personal link.
"""

from tongzhou.monitoring.services._base import (
    MAX_TEXT,
)
from tongzhou.monitoring.services.checks import (
    TEMPERATURE_RANGE,
    CheckData,
    check_not_reached,
    check_record,
)
from tongzhou.monitoring.services.orders import (
    Change,
    key_person_register,
    order_change,
    order_create,
    order_view_record,
    override_decide,
)
from tongzhou.monitoring.services.scheduled import (
    health_data_purge,
    monitoring_escalate,
)

__all__ = [
    "MAX_TEXT",
    "TEMPERATURE_RANGE",
    "Change",
    "CheckData",
    "check_not_reached",
    "check_record",
    "health_data_purge",
    "key_person_register",
    "monitoring_escalate",
    "order_change",
    "order_create",
    "order_view_record",
    "override_decide",
]
