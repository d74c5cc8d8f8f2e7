"""On a phone: the street admin asks to seal a compound; the health officer logs in, sees the
count beside the menu button, opens the queue and approves; the requester sees no buttons."""

import pytest

from tongzhou.checkpoints.models import ControlLevel, PlaceControl
from tongzhou.checkpoints.services import control_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "tongzhou-demo")
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_the_second_approver_finds_and_approves_on_a_phone(demo, new_page):
    compound = demo.places["taian_compound"]
    change = control_request(actor=demo.street_admin, place=compound, level=ControlLevel.SEALED, reason="确诊病例")

    requester = new_page()
    log_in(requester, "street_admin")
    requester.goto(f"/approvals/control/{change.pk}/")
    assert requester.locator("#own-request").is_visible()
    assert requester.locator("button[name=decision]").count() == 0

    page = new_page()
    log_in(page, "health_officer")
    badge = page.locator("#nav-waiting-phone")
    assert badge.is_visible() and badge.inner_text().endswith("1")
    badge.click()
    page.wait_for_selector(f"#control-{change.pk}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click(f"#control-{change.pk} button[value=approve]")
    page.wait_for_selector(".alert-success")
    assert PlaceControl.objects.get(place=compound).level == ControlLevel.SEALED
    assert page.locator("#nav-waiting-phone").count() == 0
