from collections.abc import Callable
from typing import Any

import pytest

from tongzhou.assistance.models import Category, HelpRequest, Urgency
from tongzhou.assistance.services import HelpData, help_request_create
from tongzhou.people.models import Person


@pytest.fixture
def taian_person(demo: Any) -> Person:
    """A resident of 泰安巷3号院 with a phone."""
    return (
        Person.objects.filter(place_path__startswith=demo.places["taian_compound"].path)
        .exclude(phone_index="")
        .select_related("household__place")
        .order_by("pk")
        .first()
    )


@pytest.fixture
def songhua_person(demo: Any) -> Person:
    return (
        Person.objects.filter(place_path__startswith=demo.places["songhua"].path)
        .exclude(phone_index="")
        .select_related("household__place")
        .order_by("pk")
        .first()
    )


@pytest.fixture
def make_request(demo: Any, taian_person: Person) -> Callable[..., HelpRequest]:
    """A new help request recorded by 泰安巷 staff (for `taian_person` unless told otherwise)."""

    def make(person: Person | None = None, **kwargs: Any) -> HelpRequest:
        person = person or taian_person
        staff = demo.taian_staff if person.place_path.startswith(demo.places["taian"].path) else demo.street_admin
        data = HelpData(
            category=kwargs.pop("category", Category.GROCERIES),
            urgency=kwargs.pop("urgency", Urgency.NORMAL),
            summary=kwargs.pop("summary", "大米一袋、青菜"),
            person=person,
        )
        return help_request_create(actor=staff, data=data, **kwargs)

    return make
