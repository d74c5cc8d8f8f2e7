from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant
from tongzhou.core.permissions import Role
from tongzhou.people.idnumbers import check_digit
from tongzhou.people.services import organisation_get_or_create
from tongzhou.volunteers.models import Assignment, HoursEntry, Post, Shift, Source, Volunteer
from tongzhou.volunteers.services import SignupData, volunteer_signup, volunteer_vet
from tongzhou.welfare.models import Plan
from tongzhou.welfare.services.plans import PlanData, plan_create


def id_number(n: int) -> str:
    first17 = f"52010219850101{n:03d}"
    return first17 + check_digit(first17)


@pytest.fixture
def officers(demo: Any) -> dict[str, User]:
    """Welfare officers of 泰安巷 and 松花巷, and a second one of 泰安巷 (the four eyes)."""
    made = {}
    for username, place in (("taian_welfare", "taian"), ("taian_welfare2", "taian"), ("songhua_welfare", "songhua")):
        user = User.objects.create_user(username, password="welfare-password-1", display_name=username)
        role_grant(actor=None, user=user, role=Role.WELFARE_OFFICER, place=demo.places[place])
        made[username] = user
    return made


@pytest.fixture
def union(demo: Any) -> Any:
    return organisation_get_or_create(
        actor=None, name="贵阳市职工互助保障中心", kind="trade_union", place=demo.places["er_ge"]
    )


@pytest.fixture
def make_plan(demo: Any, officers: dict[str, User], union: Any) -> Callable[..., Plan]:
    def make(*, places: int = 10, waiting_days: int = 7, community: str = "taian", **changes: Any) -> Plan:
        today = timezone.localdate()
        data = PlanData(
            name=changes.pop("name", "一线防疫人员互助保障"),
            sponsor=union,
            contribution=Decimal("30.00"),
            starts_on=today - timedelta(days=60),
            ends_on=today + timedelta(days=300),
            waiting_days=waiting_days,
            places_total=places,
            benefits={"infection": Decimal("3000"), "accident": Decimal("10000"), "hospital": Decimal("5000")},
            eligible_duties=["gate", "sealed_building"],
        )
        officer = officers["songhua_welfare"] if community == "songhua" else officers["taian_welfare"]
        return plan_create(actor=officer, place=demo.places[community], data=data)

    return make


@pytest.fixture
def make_worker(demo: Any) -> Callable[..., Volunteer]:
    """An approved volunteer of 泰安巷 with a log-in, and `hours` served at a gate post over the
    last days (one shift a day, checked in and out, each on the hours ledger)."""
    count = iter(range(500))
    post_cache: dict[str, Post] = {}

    def make(name: str = "", *, hours: int = 0, duty: str = "gate", user: User | None = None) -> Volunteer:
        n = next(count)
        volunteer = volunteer_signup(
            data=SignupData(
                name=name or f"卫士{n}",
                phone=f"1370000{n:04d}",
                id_number=id_number(n),
                community_id=demo.places["taian"].pk,
                consent=True,
            )
        )
        volunteer = volunteer_vet(actor=demo.taian_staff, volunteer=volunteer, approve=True, existing_user=user)
        compound = demo.places["taian_compound"]
        if duty not in post_cache:
            post_cache[duty] = Post.objects.create(
                place=compound,
                place_path=compound.path,
                name=f"泰安巷3号院{duty}",
                duty=duty,
                check_token=f"t{duty}{n}",
            )
        post = post_cache[duty]
        now = timezone.now()
        for day in range(hours // 12):
            start = now - timedelta(days=day + 1, hours=12)
            shift, _ = Shift.objects.get_or_create(
                post=post,
                start=start.replace(minute=0, second=0, microsecond=0),
                defaults={
                    "place_path": post.place_path,
                    "end": start + timedelta(hours=12),
                    "min_people": 1,
                    "max_people": 9,
                },
            )
            assignment = Assignment.objects.create(
                shift=shift,
                volunteer=volunteer,
                source=Source.MANUAL,
                checked_in_at=shift.start,
                checked_out_at=shift.end,
            )
            HoursEntry.objects.create(volunteer=volunteer, assignment=assignment, hours=Decimal(12))
        return volunteer

    return make
