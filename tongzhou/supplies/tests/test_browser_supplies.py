"""In a real browser on a phone: 泰安巷's keeper records a company's gift of gloves, hands a gate's
day kit to the volunteer, the volunteer confirms on their phone, and anyone sees it on the public
ledger, without the volunteer's name."""

import pytest

from tongzhou.supplies.models import Donation, HandOut

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 390


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "tongzhou-demo")
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_gift_kit_confirmation_and_public_ledger(supplies, demo, new_page):
    keeper = new_page()
    log_in(keeper, "taian_keeper")
    keeper.goto("/supplies/donations/new/")
    keeper.fill("#id_donor_name", "贵州同心商贸有限公司")
    keeper.select_option("#id_donor_kind", "company")
    keeper.select_option("#id_kind", "in_kind")
    keeper.select_option("#id_store", str(supplies.store_taian.pk))
    keeper.select_option("#id_line-0-item", str(supplies.item_gloves.pk))
    keeper.fill("#id_line-0-quantity", "500")
    assert keeper.evaluate("document.documentElement.scrollWidth") <= WIDTH
    keeper.click("#donation-form button[type=submit]")
    keeper.wait_for_selector("#receipt")
    assert Donation.objects.filter(donor__name="贵州同心商贸有限公司").exists()

    keeper.goto(f"/supplies/stores/{supplies.store_taian.pk}/")
    keeper.click("#handout summary")
    keeper.select_option("#id_handout-recipient", str(demo.volunteer.pk))
    keeper.select_option("#id_handout-item1", str(supplies.item_mask.pk))
    keeper.fill("#id_handout-quantity1", "20")
    keeper.select_option("#id_handout-item2", str(supplies.item_gloves.pk))
    keeper.fill("#id_handout-quantity2", "10")
    assert keeper.evaluate("document.documentElement.scrollWidth") <= WIDTH
    keeper.click("#handout button[type=submit]")
    keeper.wait_for_selector("#balances")
    handout = HandOut.objects.get(recipient=demo.volunteer)

    volunteer = new_page()
    log_in(volunteer, "volunteer")
    volunteer.goto("/supplies/mine/")
    volunteer.click(f'[data-handout="{handout.pk}"] button[type=submit]')
    volunteer.wait_for_selector(f'[data-handout="{handout.pk}"] .badge')
    assert volunteer.evaluate("document.documentElement.scrollWidth") <= WIDTH
    handout.refresh_from_db()
    assert handout.confirmed_by == demo.volunteer

    public = new_page()
    public.goto("/supplies/ledger/520102029/")
    text = public.inner_text("main") if public.locator("main").count() else public.inner_text("body")
    assert "贵州同心商贸有限公司" in text and "泰安巷社区储藏室" in text
    assert demo.volunteer.display_name not in text
    assert public.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_a_district_admin_reads_totals_per_street_on_a_phone(supplies, new_page):
    from tongzhou.accounts.models import User
    from tongzhou.accounts.services import role_grant
    from tongzhou.core.permissions import Role
    from tongzhou.supplies.tests.test_stock_area import grow

    district = supplies.store_warehouse.place.parent
    streets = grow(district, supplies, 3)
    admin = User.objects.create_user(username="district_admin_b", password="tongzhou-demo")
    role_grant(actor=None, user=admin, role=Role.DISTRICT_ADMIN, place=district)
    page = new_page()
    log_in(page, "district_admin_b")
    page.goto("/supplies/")
    page.wait_for_selector("#stock-children")
    page.wait_for_selector("[data-chart=stock-chart] canvas")
    assert "新街道2" in page.inner_text("#stock-children")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.click(f'[data-place="{streets[0].pk}"] a')
    page.wait_for_selector("#stock")
    assert "新街道0社区1库1" in page.inner_text("#stock")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
