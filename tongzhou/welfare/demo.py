"""The demo's welfare (called by `tongzhou.demo`): plans, enrollments, claims, a condolence campaign,
and a member unit's own account."""

from collections.abc import Callable
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from faker import Faker

from tongzhou.accounts.models import User
from tongzhou.people.demo import _fake_id_number
from tongzhou.people.services import organisation_get_or_create
from tongzhou.places.demo import TAIAN
from tongzhou.places.models import Place
from tongzhou.volunteers.models import Assignment, Shift
from tongzhou.volunteers.services import (
    SignupData,
    post_create,
    volunteer_signup,
    volunteer_vet,
)


def _night_worked(post: Any, volunteer: Any, day: Any, *, max_people: int) -> None:
    """A 12-hour night shift (19:00 to 07:00) at `post` starting on `day`, with `volunteer`
    checked in and out and the hours logged."""
    from datetime import datetime

    from tongzhou.volunteers.models import Assignment, HoursEntry, Source

    start = timezone.make_aware(datetime.combine(day, time(19)))
    shift, _created = Shift.objects.get_or_create(
        post=post,
        start=start,
        defaults={
            "place_path": post.place_path,
            "end": start + timedelta(hours=12),
            "min_people": 1,
            "max_people": max_people,
        },
    )
    assignment = Assignment.objects.create(
        shift=shift, volunteer=volunteer, source=Source.MANUAL, checked_in_at=start, checked_out_at=shift.end
    )
    HoursEntry.objects.create(volunteer=volunteer, assignment=assignment, hours=Decimal("12.0"))


def _welfare(
    street: Place, *, officer: User, approver: User, staff: User, fake: Faker, log: Callable[[str], None]
) -> None:
    """The workers' mutual-aid center's plan for front-line workers, four staff of the district
    union enrolled by their unit, three gate guards of 泰安巷3号院 gifted a place (proposed from
    their hours, approved by the street's administrator), and one guard's claim in review."""

    from tongzhou.volunteers.models import Post
    from tongzhou.welfare.models import Enrollment, Plan
    from tongzhou.welfare.services.claims import ClaimData, claim_file, claim_move
    from tongzhou.welfare.services.plans import (
        MemberData,
        PlanData,
        enrollments_create,
        gift_request_create,
        gift_request_decide,
        plan_create,
    )

    if Plan.objects.filter(place=street).exists():
        return
    center = organisation_get_or_create(actor=None, name="南明区职工互助保障中心", kind="trade_union", place=street)
    union = organisation_get_or_create(actor=None, name="南明区总工会", kind="trade_union", place=street)
    today = timezone.localdate()
    plan = plan_create(
        actor=officer,
        place=street,
        data=PlanData(
            name="一线防疫人员互助保障计划",
            sponsor=center,
            contribution=Decimal("30.00"),
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=335),
            waiting_days=7,
            places_total=500,
            benefits={
                "infection": Decimal("3000"),
                "accident": Decimal("10000"),
                "hospital": Decimal("5000"),
                "death": Decimal("100000"),
            },
            eligible_roles=["volunteer", "checkpoint_guard", "grid_worker", "building_lead"],
            eligible_duties=["gate", "sealed_building", "testing_order"],
        ),
    )
    enrollments_create(
        actor=officer,
        plan=plan,
        members=[
            MemberData(
                name=fake.name(),
                id_number=_fake_id_number(fake, "520102"),
                phone=fake.phone_number(),
                organisation=union,
            )
            for _n in range(4)
        ],
    )
    community = street.children.get(code=TAIAN)
    compound = Place.objects.get(parent__parent=community, name="泰安巷3号院")
    post = Post.objects.filter(place=compound, duty="gate").first()
    if post is None:
        post = post_create(actor=staff, place=compound, name="泰安巷3号院东门", duty="gate")
    guards = []
    for _n in range(3):
        sign_up = volunteer_signup(
            data=SignupData(
                name=fake.name(),
                phone=fake.phone_number(),
                id_number=_fake_id_number(fake, "520102"),
                community_id=community.pk,
                organisation_id=union.pk,
                consent=True,
            )
        )
        guard = volunteer_vet(actor=staff, volunteer=sign_up, approve=True)
        # Ten night shifts at the gate over the last two weeks, each checked in and out.
        for night in range(10):
            _night_worked(post, guard, today - timedelta(days=2 + night), max_people=3)
        guards.append(guard)
    gift = gift_request_create(
        actor=officer,
        plan=plan,
        volunteers=guards,
        facts={str(g.pk): {"hours": "120.0", "posts": post.name} for g in guards},
    )
    gift_request_decide(actor=approver, gift=gift, approve=True, note="同意，门岗夜班人员")
    # The first guard was enrolled a month ago (the demo back-dates it past the waiting period)
    # and hurt on a night shift two days ago: the claim waits for the officer's review.
    first = Enrollment.objects.get(plan=plan, volunteer=guards[0])
    Enrollment.objects.filter(pk=first.pk).update(covered_from=today - timedelta(days=20))
    first.refresh_from_db()
    last_night = Assignment.objects.filter(volunteer=guards[0]).order_by("-shift__start").first()
    assert guards[0].user is not None
    claim = claim_file(
        actor=guards[0].user,
        enrollment=first,
        data=ClaimData(
            coverage="accident",
            event_on=today - timedelta(days=2),
            description="夜班执勤时在门岗台阶滑倒，右踝扭伤",
            amount=Decimal("800"),
            assignment_id=last_night.pk if last_night else None,
        ),
    )
    claim_move(actor=officer, claim=claim, to="checked")
    _welfare_nights_campaign(street, community, officer=officer, staff=staff, union=union, fake=fake)
    log(
        f"{street.name}: a mutual-aid protection plan, 4 unit enrollments, 3 gate guards gifted, one claim in review,"
        " a thank-you campaign for five nights in a row at a sealed building"
    )


def _welfare_nights_campaign(
    street: Place, community: Place, *, officer: User, staff: User, union: Any, fake: Faker
) -> None:
    """Two volunteers watched the sealed building at 泰安巷45号院 overnight (19:00–07:00), one six
    nights in a row and one with a night off; the union's campaign targets five nights in a row."""

    from tongzhou.welfare.models import CampaignTarget
    from tongzhou.welfare.selectors.campaigns import campaign_targets
    from tongzhou.welfare.services.campaigns import campaign_create

    today = timezone.localdate()
    compound = Place.objects.get(parent__parent=community, name="泰安巷45号院")
    post = post_create(actor=staff, place=compound, name="泰安巷45号院封控楼夜间值守", duty="sealed_building")
    for nights in ([2, 3, 4, 5, 6, 7], [2, 3, 5, 6, 8]):
        sign_up = volunteer_signup(
            data=SignupData(
                name=fake.name(),
                phone=fake.phone_number(),
                id_number=_fake_id_number(fake, "520102"),
                community_id=community.pk,
                consent=True,
            )
        )
        watcher = volunteer_vet(actor=staff, volunteer=sign_up, approve=True)
        for ago in nights:
            _night_worked(post, watcher, today - timedelta(days=ago), max_people=2)
    campaign_create(
        actor=officer,
        place=street,
        name="感谢连续五夜值守封控楼的志愿者",
        organisation=union,
        targets=campaign_targets(CampaignTarget.NIGHTS_IN_A_ROW, street.path, number=5),
        thanks_text="感谢您连续五个夜晚守护封控楼，辛苦了！南明区总工会",
        target=CampaignTarget.NIGHTS_IN_A_ROW,
        target_number=5,
    )


def _welfare_unit(street: Place, *, officer: User, contact: User, fake: Faker, log: Callable[[str], None]) -> None:
    """The district union's own account (`unit_contact`) enrolls two more of its staff, and the
    officer bills the union for its six members. Idempotent."""
    from tongzhou.people.models import Organisation
    from tongzhou.welfare.models import Plan, UnitContact
    from tongzhou.welfare.services.plans import MemberData
    from tongzhou.welfare.services.units import invoice_issue, unit_enroll

    plan = Plan.objects.filter(place=street).order_by("pk").first()
    union = Organisation.objects.filter(place=street, name="南明区总工会").first()
    if plan is None or union is None or UnitContact.objects.filter(user=contact).exists():
        return
    UnitContact.objects.create(user=contact, organisation=union, place_path=street.path, added_by=officer)
    unit_enroll(
        actor=contact,
        organisation=union,
        plan=plan,
        members=[
            MemberData(
                name=fake.name(),
                id_number=_fake_id_number(fake, "520102"),
                phone=fake.phone_number(),
                post_label=post,
            )
            for post in ("社区卡点值守", "封控楼栋值守")
        ],
    )
    bill = invoice_issue(actor=officer, plan=plan, organisation=union)
    log(f"{union.name}: its own account enrolled 2 staff; invoice {bill.number}, {bill.members} × {bill.contribution}")
