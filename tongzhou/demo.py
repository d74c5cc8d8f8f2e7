"""The demo: the real Er Ge Street (二戈街道, Nanming District, Guiyang) with its nine neighborhood
committees and the real Dongfeng community (东风社区) of Hongcheng Street, Changchun, from the
official codes; compounds and buildings for 泰安巷, 松花巷 and 东风 named by street address; fake
people (Faker zh_CN, fixed seed). Idempotent: a second run adds nothing and changes nothing but
resetting the demo passwords.
"""

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from faker import Faker

from tongzhou.accounts.demo import DEMO_PASSWORD
from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant, user_create
from tongzhou.assistance.demo import _help_requests
from tongzhou.checkpoints.demo import _gates
from tongzhou.core.permissions import Role
from tongzhou.monitoring.demo import _key_persons
from tongzhou.notices.demo import _notices, _stories
from tongzhou.people.demo import _residents
from tongzhou.places.demo import DONGFENG, DUTY_PHONES, ER_GE, LAYOUT, SONGHUA, TAIAN, _existing, _place
from tongzhou.places.importers import import_divisions
from tongzhou.places.models import Place, PlaceKind
from tongzhou.places.services import building_create, place_create
from tongzhou.reports.demo import _daily_report
from tongzhou.supplies.demo import _distribution, _handouts, _requisitions, _supplies
from tongzhou.testing.demo import _testing_round
from tongzhou.volunteers.demo import _volunteer_sign_ups
from tongzhou.welfare.demo import _welfare, _welfare_unit

DIVISIONS = Path(__file__).resolve().parent / "places" / "data" / "demo_divisions"


# username -> (role, place: an official code or "community code/grid/compound")
USERS: dict[str, tuple[Role, str]] = {
    "street_admin": (Role.STREET_ADMIN, ER_GE),
    # A second administrator at the street: the second pair of eyes on its large purchases.
    "street_deputy": (Role.STREET_ADMIN, ER_GE),
    "taian_staff": (Role.COMMUNITY_STAFF, TAIAN),
    "songhua_staff": (Role.COMMUNITY_STAFF, SONGHUA),
    "dongfeng_staff": (Role.COMMUNITY_STAFF, DONGFENG),
    "volunteer": (Role.VOLUNTEER, TAIAN),
    "guard": (Role.CHECKPOINT_GUARD, f"{TAIAN}/第一网格/泰安巷3号院"),
    "building_lead": (Role.BUILDING_LEAD, f"{TAIAN}/第一网格/泰安巷3号院"),
    "health_officer": (Role.HEALTH_OFFICER, ER_GE),
    "auditor": (Role.AUDITOR, ER_GE),
    "welfare_officer": (Role.WELFARE_OFFICER, ER_GE),
    # The 二戈街道 trade union's contact: enrolls its staff and reads its invoices (no claims).
    "unit_contact": (Role.UNIT_CONTACT, ER_GE),
}


def load_demo(log: Callable[[str], None] = print, *, extras: bool = True) -> None:
    """`extras`: also the key persons under isolation and the volunteer sign-ups (the test suite
    leaves them out: its tests make and count their own)."""
    if not settings.TONGZHOU_DEMO:
        raise RuntimeError("load_demo runs only in demo mode (TONGZHOU_DEMO=true): it sets well-known passwords.")
    result = import_divisions(DIVISIONS)
    log(f"division codes: {result.total_created} created, {result.unchanged} already there")

    fake = Faker("zh_CN")
    Faker.seed(2020)
    users: dict[str, User] = {}
    for username in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                display_name=fake.name(),
                phone=fake.phone_number(),
            )
        else:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user

    for code, grids in LAYOUT.items():
        community = Place.objects.get(code=code)
        if community.phone != DUTY_PHONES[code]:
            community.phone = DUTY_PHONES[code]
            community.save(update_fields=["phone", "updated_at"])
        staff = users["street_admin"] if code.startswith(ER_GE) else None
        for username, (role, ref) in USERS.items():
            if ref == code and role == Role.COMMUNITY_STAFF:
                staff = users[username]
                role_grant(actor=None, user=staff, role=role, place=community)
        assert staff is not None
        for grid_name, compounds in grids.items():
            grid = _existing(community, grid_name) or place_create(
                actor=staff, parent=community, kind=PlaceKind.GRID, name=grid_name
            )
            for compound_name, buildings in compounds.items():
                compound = _existing(grid, compound_name) or place_create(
                    actor=staff, parent=grid, kind=PlaceKind.COMPOUND, name=compound_name
                )
                for b in buildings:
                    if not _existing(compound, b.name):
                        building_create(
                            actor=staff,
                            compound=compound,
                            name=b.name,
                            units=b.units,
                            floors=b.floors,
                            rooms_per_floor=b.rooms,
                        )

    for username, (role, ref) in USERS.items():
        role_grant(actor=None, user=users[username], role=role, place=_place(ref))
    for code in (TAIAN, SONGHUA, DONGFENG):
        _residents(Place.objects.get(code=code), fake, log)
    _help_requests(Place.objects.get(code=TAIAN), staff=users["taian_staff"], helper=users["volunteer"], log=log)
    if extras:
        _volunteer_sign_ups(
            Place.objects.get(code=TAIAN),
            staff=users["taian_staff"],
            volunteer_user=users["volunteer"],
            fake=fake,
            log=log,
        )
        _key_persons(
            Place.objects.get(code=TAIAN), officer=users["health_officer"], staff=users["taian_staff"], log=log
        )
        _gates(
            Place.objects.get(code=TAIAN),
            staff=users["taian_staff"],
            admin=users["street_admin"],
            log=log,
        )
        _testing_round(Place.objects.get(code=TAIAN), staff=users["taian_staff"], log=log)
        _notices(Place.objects.get(code=TAIAN), staff=users["taian_staff"], lead=users["building_lead"], log=log)
        _stories(Place.objects.get(code=TAIAN), staff=users["taian_staff"], approver=users["street_admin"], log=log)
        supplies = _supplies(fake=fake, log=log)
        _handouts(supplies, log=log)
        from tongzhou.supplies.demo_funds import demo_funds

        demo_funds(users=users, supplies=supplies, log=log)
        _welfare(
            Place.objects.get(code=ER_GE),
            officer=users["welfare_officer"],
            approver=users["street_admin"],
            staff=users["taian_staff"],
            fake=fake,
            log=log,
        )
        _welfare_unit(
            Place.objects.get(code=ER_GE),
            officer=users["welfare_officer"],
            contact=users["unit_contact"],
            fake=fake,
            log=log,
        )
        _requisitions(users=users, log=log)
        _distribution(_supplies(fake=fake, log=log), users=users, log=log)
        _daily_report(Place.objects.get(code=ER_GE), log=log)
    log(f"{Place.objects.count()} places; demo users (password {DEMO_PASSWORD}): {', '.join(USERS)}")
