from collections.abc import Callable
from typing import Any

import pytest

from tongzhou.accounts.services import role_grant, user_create
from tongzhou.core.permissions import Role
from tongzhou.monitoring.models import IsolationOrder, OrderKind, Reason
from tongzhou.monitoring.services import key_person_register, order_create
from tongzhou.people.models import Person


@pytest.fixture
def taian_person(demo: Any) -> Person:
    return (
        Person.objects.filter(place_path__startswith=demo.places["taian_compound"].path)
        .exclude(phone_index="")
        .select_related("household")
        .order_by("pk")
        .first()
    )


@pytest.fixture
def make_order(demo: Any, taian_person: Person) -> Callable[..., IsolationOrder]:
    """An isolation order made by the street's health officer (home isolation unless told)."""

    def make(person: Person | None = None, kind: str = OrderKind.HOME_ISOLATION, **kwargs: Any) -> IsolationOrder:
        key_person = key_person_register(
            actor=demo.health_officer,
            person=person or taian_person,
            reason=Reason.RISK_AREA,
            risk_area="武汉",
            evidence="行程卡",
        )
        return order_create(
            actor=demo.health_officer,
            key_person=key_person,
            kind=kind,
            facility="市集中隔离点" if kind == OrderKind.CENTRALIZED else "",
            **kwargs,
        )

    return make


@pytest.fixture
def other_street_officer(demo: Any) -> Any:
    """A health officer of Hongcheng Street, Changchun (东风社区's street)."""
    user = user_create(actor=None, username="hongcheng_health", password="x-password-123", display_name="", phone="")
    role_grant(actor=None, user=user, role=Role.HEALTH_OFFICER, place=demo.places["dongfeng"].parent)
    return user
