from collections.abc import Callable
from typing import Any

import pytest

from tongzhou.people.idnumbers import check_digit
from tongzhou.volunteers.models import SLOT_TIMES, Volunteer
from tongzhou.volunteers.services import SignupData, volunteer_signup, volunteer_vet

EVERY_SLOT = [(weekday, kind) for weekday in range(7) for kind in SLOT_TIMES]


@pytest.fixture
def make_volunteer(demo: Any) -> Callable[..., Volunteer]:
    """An approved volunteer of 泰安巷 (free every day and night unless told), with a log-in."""
    count = iter(range(1000))

    def make(name: str = "", *, skills: list[str] | None = None, slots: Any = None, community: Any = None) -> Volunteer:
        n = next(count)
        first17 = f"52010219900101{n:03d}"
        volunteer = volunteer_signup(
            data=SignupData(
                name=name or f"志愿者{n}",
                phone=f"1390000{n:04d}",
                id_number=first17 + check_digit(first17),
                community_id=(community or demo.places["taian"]).pk,
                skills=skills or [],
                slots=EVERY_SLOT if slots is None else slots,
                consent=True,
            )
        )
        staff = demo.taian_staff if community is None else demo.street_admin
        return volunteer_vet(actor=staff, volunteer=volunteer, approve=True)

    return make
