"""The demo's volunteer sign-ups, teams and rosters (called by `tongzhou.demo`)."""

from collections.abc import Callable
from datetime import time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from faker import Faker

from tongzhou.accounts.models import User
from tongzhou.people.demo import _fake_id_number
from tongzhou.people.services import organisation_get_or_create
from tongzhou.places.models import Place
from tongzhou.volunteers.models import Assignment, RosterStatus, Shift, Volunteer
from tongzhou.volunteers.services import (
    SignupData,
    assignment_add,
    hours_correct,
    post_create,
    roster_publish,
    roster_start,
    team_create,
    team_set_members,
    template_create,
    volunteer_signup,
    volunteer_vet,
)


def _volunteer_sign_ups(
    community: Place, *, staff: User, volunteer_user: User, fake: Faker, log: Callable[[str], None]
) -> None:
    """Three fake sign-ups for 泰安巷: two approved into a volunteer team, one waiting for vetting;
    and the demo `volunteer` log-in's own record in the team, with hours served and shifts in this
    week's (published) roster."""
    if Volunteer.objects.filter(place_path=community.path).exists():
        return
    sign_ups = []
    street = community.parent or community
    union = organisation_get_or_create(actor=None, name="南明区总工会", kind="trade_union", place=street)
    party = organisation_get_or_create(actor=None, name="二戈街道机关党支部", kind="party_organisation", place=street)
    for n, organisation in enumerate([union, party, None]):
        phone = fake.phone_number()
        sign_ups.append(
            volunteer_signup(
                data=SignupData(
                    name=fake.name(),
                    phone=phone,
                    id_number=_fake_id_number(fake, "520102"),
                    community_id=community.pk,
                    organisation_id=organisation.pk if organisation else None,
                    party_member=organisation == party,
                    skills=[["driving"], ["medical", "dialect"], ["lifting"]][n],
                    slots=[(n, "night"), (n + 2, "day")],
                    consent=True,
                )
            )
        )
    approved = [volunteer_vet(actor=staff, volunteer=v, approve=True) for v in sign_ups[:2]]
    own = volunteer_signup(
        data=SignupData(
            name=volunteer_user.display_name or fake.name(),
            phone=fake.phone_number(),
            id_number=_fake_id_number(fake, "520102"),
            community_id=community.pk,
            skills=["dialect", "lifting"],
            slots=[(weekday, "day") for weekday in range(7)],
            consent=True,
        )
    )
    own = volunteer_vet(actor=staff, volunteer=own, approve=True, existing_user=volunteer_user)
    team = team_create(
        actor=staff, place=community, name="泰安巷志愿服务队", kind="volunteer_team", organizing_unit="南明区总工会"
    )
    team_set_members(actor=staff, team=team, members=[*approved, own], leader=approved[0])
    hours_correct(actor=staff, volunteer=own, hours=Decimal("12"), reason="上周泰安巷3号院东门白班（补录）")
    hours_correct(actor=staff, volunteer=own, hours=Decimal("4"), reason="上周为居民代购物资（补录）")
    compound = Place.objects.get(parent__parent=community, name="泰安巷3号院")
    post = post_create(actor=staff, place=compound, name="泰安巷3号院东门", duty="gate")
    template_create(
        actor=staff, post=post, starts=time(7), ends=time(19), min_people=1, max_people=2, weekdays=range(7)
    )
    template_create(
        actor=staff, post=post, starts=time(19), ends=time(7), min_people=1, max_people=1, weekdays=range(7)
    )
    # This week's roster, solved in the background (in-process on a laptop): the two approved
    # volunteers cannot cover every shift, so the page shows what is uncovered and why.
    today = timezone.localdate()
    roster = roster_start(actor=staff, place=community, starts_on=today, ends_on=today + timedelta(days=6))

    def publish() -> None:
        # Runs after the solver (queued first at the same commit) when it runs in-process; with a
        # worker the roster is still solving and the coordinator publishes it.
        roster.refresh_from_db()
        if roster.status == RosterStatus.DONE:
            roster_publish(actor=staff, roster=roster)

    transaction.on_commit(publish)
    if not Assignment.objects.filter(volunteer=own).exists():
        free = (
            Shift.objects.filter(post=post, start__gt=timezone.now(), start__time=time(7))
            .annotate(taken=Count("assignments"))
            .filter(taken__lt=F("max_people"))
            .order_by("start")
            .first()
        )
        if free is not None:
            assignment_add(actor=staff, shift=free, volunteer=own)
    log(
        f"{community.name}: {len(sign_ups)} volunteer sign-ups, one team, one gate post with day and night"
        " shifts, this week's roster"
    )
