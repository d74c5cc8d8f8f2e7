"""Monitoring's part of the gate's "may this household go out?" rule (tongzhou.people.outings).

A household stays at home while one of its residents is under an active order of a kind that is
served at home and started on or before today: home isolation (the household is isolated with
them) and home health monitoring (its rules: no going out; the committee arranges what is
needed, and a necessary trip, say to hospital, is the committee's decision, not the guard's).
Centralised isolation is served away from home and keeps nobody in. The gate is told only "may
not leave", never the kind of order.
"""

from collections.abc import Collection
from datetime import date

from tongzhou.monitoring.models import IsolationOrder, OrderKind, OrderStatus

KINDS_KEPT_HOME = (OrderKind.HOME_ISOLATION, OrderKind.HOME_MONITORING)


def households_under_home_orders(household_ids: Collection[int], today: date) -> set[int]:
    return set(
        IsolationOrder.objects.filter(
            status=OrderStatus.ACTIVE,
            kind__in=KINDS_KEPT_HOME,
            starts_on__lte=today,
            key_person__person__household_id__in=list(household_ids),
        ).values_list("key_person__person__household_id", flat=True)
    )
