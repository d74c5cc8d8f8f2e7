"""In a real browser on a phone (390 px): 泰安巷's staff create vegetable parcels for 泰安巷3号院 and
pack 2栋 out of the storeroom; the building lead ticks a household delivered with one tap; the
resident confirms "Received" through their personal link; the staff's page counts both."""

import pytest

from tongzhou.people.models import Person
from tongzhou.people.services import personal_link_token
from tongzhou.places.models import Place
from tongzhou.supplies.models import Distribution, DistributionHousehold, ItemKind
from tongzhou.supplies.services.catalogue import item_create
from tongzhou.supplies.services.ledger import stock_receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 390


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "tongzhou-demo")
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_lead_ticks_delivered_and_resident_confirms(supplies, demo, new_page):
    veg = item_create(actor=None, name="蔬菜包", kind=ItemKind.FOOD, unit="份")
    stock_receive(actor=None, store=supplies.store_taian, item=veg, quantity=60)
    compound = demo.places["taian_compound"]
    second = Place.objects.get(parent=compound, name="2栋")

    staff = new_page()
    log_in(staff, "taian_staff")
    staff.goto("/supplies/distributions/new/")
    staff.fill("#id_name", "蔬菜包（第一批）")
    staff.select_option("#id_place", str(compound.pk))
    staff.select_option("#id_store", str(supplies.store_taian.pk))
    staff.select_option("#id_item1", str(veg.pk))
    staff.fill("#id_quantity1", "1")
    assert fits(staff)
    staff.click("#distribution-form button[type=submit]")
    staff.wait_for_selector("#buildings")
    distribution = Distribution.objects.get(name="蔬菜包（第一批）")
    staff.click(f"#pack-{second.pk}")
    staff.wait_for_selector(f'[data-building="{second.pk}"] .badge')
    assert fits(staff)

    resident = (
        Person.objects.filter(household__place__path__startswith=second.path).order_by("household_id", "pk").first()
    )
    row = DistributionHousehold.objects.get(distribution=distribution, household_id=resident.household_id)

    lead = new_page()
    log_in(lead, "building_lead")
    lead.goto("/supplies/deliveries/")
    lead.click(f'a[href="/supplies/deliveries/{distribution.pk}/"]')
    lead.wait_for_selector("#households")
    assert fits(lead)
    lead.click(f"#deliver-{row.pk}")
    lead.wait_for_selector(f"#row-{row.pk} .badge")
    assert fits(lead)
    row.refresh_from_db()
    assert row.delivered_by == demo.building_lead

    home = new_page()
    home.goto(f"/residents/mine/{personal_link_token(resident)}/")
    home.click("#my-parcels")
    home.click(f"#receive-{row.pk}")
    home.wait_for_selector(f"#received-{row.pk}")
    assert fits(home)
    row.refresh_from_db()
    assert row.confirmed_at is not None

    staff.goto(f"/supplies/distributions/{distribution.pk}/")
    # 18 households, one reached (delivered and confirmed)
    assert staff.get_attribute(f'[data-building="{second.pk}"] [data-left]', "data-left") == "17"
    assert fits(staff)
