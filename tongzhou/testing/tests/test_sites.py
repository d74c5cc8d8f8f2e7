"""Sampling sites: each adds an order duty to the volunteers' roster, and its slots are planned
building by building from head counts and the site's rate; staff move a slot; the resident sees
their building's slot."""

from datetime import time, timedelta

from django.test import Client
from django.urls import reverse

from tongzhou.people.services import personal_link_token
from tongzhou.testing.models import Site, Slot
from tongzhou.testing.selectors import buildings_to_plan
from tongzhou.testing.services import SiteData, site_create, slots_plan
from tongzhou.volunteers.models import Duty, Shift


def test_a_site_brings_its_order_duty_and_plans_building_by_building(demo, make_round):
    test_round = make_round()
    compound = demo.places["taian_compound"]
    site = site_create(
        actor=demo.taian_staff,
        round_=test_round,
        data=SiteData(compound, "3号院广场采样点", per_hour=60, opens=time(8), closes=time(9)),
    )
    assert site.post.duty == Duty.TESTING_ORDER
    days = (test_round.ends_on - test_round.starts_on).days + 1
    assert Shift.objects.filter(post=site.post).count() == days

    buildings = buildings_to_plan(test_round)
    assert [b.name for b, _n in buildings] == ["1栋", "2栋"]
    slots = slots_plan(actor=demo.taian_staff, site=site, buildings=buildings)
    first, second = slots
    ones = buildings[0][1]
    assert first.starts == time(8) and first.expected == ones
    # 60 an hour: a minute a person, in steps of ten minutes.
    need = -(-ones // 10) * 10
    assert (first.ends.hour * 60 + first.ends.minute) - 8 * 60 == need
    # The second building does not fit before 09:00 and goes to the next day.
    assert second.day == test_round.starts_on + timedelta(days=1) and second.starts == time(8)
    slots_plan(actor=demo.taian_staff, site=site, buildings=buildings)
    assert Slot.objects.filter(site=site).count() == 2  # planned anew, not added


def test_staff_add_a_site_and_move_a_slot_and_the_resident_sees_it(demo, make_round, client_as, residents):
    test_round = make_round()
    staff = client_as("taian_staff")
    url = reverse("testing:sites", args=[test_round.pk])
    staff.post(
        url,
        {
            "action": "site",
            "site-place": demo.places["taian_compound"].pk,
            "site-name": "广场采样点",
            "site-per_hour": "200",
            "site-opens": "08:00",
            "site-closes": "12:00",
        },
    )
    site = Site.objects.get()
    staff.post(url, {"action": "plan", "site": site.pk})
    slot = Slot.objects.order_by("starts").first()
    staff.post(url, {"action": "slot", "slot": slot.pk, "starts": "09:00", "ends": "09:30"})
    slot.refresh_from_db()
    assert (slot.starts, slot.ends) == (time(9), time(9, 30))
    bad = staff.post(url, {"action": "slot", "slot": slot.pk, "starts": "10:00", "ends": "09:00"}, follow=True)
    assert bad.status_code == 200 and Slot.objects.get(pk=slot.pk).starts == time(9)

    volunteer = client_as("volunteer")
    assert volunteer.get(url).status_code == 200
    assert volunteer.post(url, {"action": "plan", "site": site.pk}).status_code == 404
    assert client_as("songhua_staff").get(url).status_code == 404

    person = next(p for p in residents if p.place_path.startswith(slot.building.path))
    html = Client().get(reverse("portal:testing", args=[personal_link_token(person)])).content.decode()
    assert 'id="my-slot"' in html and "09:00" in html and "广场采样点" in html
