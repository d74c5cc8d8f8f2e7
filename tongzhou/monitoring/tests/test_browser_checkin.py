"""In a real browser on a phone: a resident under home isolation opens their personal link, goes
to their isolation page and checks in with a fever and a need; the check is recorded as abnormal
and a help request for groceries appears."""

import pytest

from tongzhou.alerts.models import Alert
from tongzhou.assistance.models import HelpRequest, Source
from tongzhou.monitoring.models import HealthCheck
from tongzhou.people.services import personal_link_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def test_self_check_in_through_the_personal_link(demo, page, make_order, taian_person):
    order = make_order()
    page.goto(f"/residents/mine/{personal_link_token(taian_person)}/")
    page.click("#my-isolation")
    page.wait_for_selector("#my-order")
    page.fill("#id_temperature", "37.8")
    page.click("label[for=id_symptoms_1]")  # 咳嗽
    page.click("label[for=id_needs_0]")  # 买菜
    page.click("#checkin-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    check = HealthCheck.objects.get(order=order)
    assert (check.method, str(check.temperature), check.symptoms, check.needs, check.abnormal) == (
        "self",
        "37.8",
        ["cough"],
        ["groceries"],
        True,
    )
    assert Alert.objects.filter(subject_id=order.pk, details__health_check=check.pk).count() == 1
    assert HelpRequest.objects.filter(
        source=Source.HEALTH_CHECK, source_ref=f"monitoring.healthcheck:{check.pk}"
    ).exists()
