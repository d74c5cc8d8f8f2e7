from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongzhou.people.models import Person
from tongzhou.testing.models import Round
from tongzhou.testing.services import RoundData, round_advance, round_create


@pytest.fixture
def make_round(demo: Any) -> Callable[..., Round]:
    """An open round over 泰安巷3号院 planned by 泰安巷 staff (10-in-1 unless told)."""

    def make(place: Any = None, pool_size: int = 10, open_it: bool = True) -> Round:
        today = timezone.localdate()
        test_round = round_create(
            actor=demo.taian_staff,
            data=RoundData(
                place=place or demo.places["taian_compound"],
                name="第一轮核酸筛查",
                starts_on=today,
                ends_on=today + timedelta(days=1),
                pool_size=pool_size,
            ),
        )
        return round_advance(actor=demo.taian_staff, test_round=test_round) if open_it else test_round

    return make


@pytest.fixture
def residents(demo: Any) -> list[Person]:
    """The residents of 泰安巷3号院, in address order."""
    return list(
        Person.objects.filter(place_path__startswith=demo.places["taian_compound"].path, moved_out_on__isnull=True)
        .select_related("household")
        .order_by("place_path", "pk")
    )
