"""In a real browser, on phone-sized screens: 泰安巷 staff write a notice for one building, see
how many it reaches and send it; the reach report shows the households no message reached; the
building lead ticks one off on the door-to-door list; a resident opens the door notice's QR link
and acknowledges it for their household."""

import pytest

from tongzhou.notices.links import notice_url
from tongzhou.notices.models import Notice, NoticeStatus, Reach
from tongzhou.places.models import Household, Place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "tongzhou-demo")
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # each role lands where its work is


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_write_send_report_tick_and_acknowledge_a_notice(demo, new_page):
    building = Place.objects.get(parent=demo.places["taian_compound"], name="2栋")
    unreached = Household.objects.create(place=Place.objects.get(parent=building), room="9901")

    staff = new_page()
    log_in(staff, "taian_staff")
    staff.goto("/notices/")
    staff.click("#new-notice")
    staff.select_option("#id_place", str(building.pk))
    staff.fill("#id_title", "核酸检测通知")
    staff.fill("#id_body", "请于明日8时到楼下核酸检测，带好身份证。")
    staff.select_option("#id_audience", "residents")
    assert fits(staff)
    staff.click("#notice-form button[type=submit]")
    staff.wait_for_selector("#count")
    staff.click("#send")
    staff.wait_for_selector("#reach")
    notice = Notice.objects.get(title="核酸检测通知")
    assert notice.status == NoticeStatus.SENT
    row = staff.locator(f'#reach [data-building="{building.pk}"]')
    assert row.count() == 1
    assert fits(staff)

    lead = new_page()
    log_in(lead, "building_lead")
    lead.goto(f"/notices/{notice.pk}/doors/")
    reach = Reach.objects.get(notice=notice, household=unreached)
    item = lead.locator(f'[data-reach="{reach.pk}"]')
    assert "9901" in item.inner_text()
    assert fits(lead)
    item.locator("button[type=submit]").click()
    lead.wait_for_selector(f'[data-reach="{reach.pk}"] input[name=visited][value="0"]', state="attached")
    reach.refresh_from_db()
    assert reach.visited_at is not None and reach.visited_by == demo.building_lead

    resident = new_page()
    resident.goto(notice_url(notice, "", building.pk))
    assert notice.issuer_name in resident.inner_text("#issuer")
    other = Reach.objects.filter(notice=notice).exclude(pk=reach.pk).order_by("pk").first()
    resident.select_option("#id_household", str(other.household_id))
    resident.click("#acknowledge button[type=submit]")
    resident.wait_for_selector("#acknowledged")
    assert fits(resident)
    other.refresh_from_db()
    assert other.acknowledged_at is not None
