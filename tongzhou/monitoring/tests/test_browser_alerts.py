"""In a real browser on a phone: the health officer opens the one alert inbox, finds a fever at a
gate and an abnormal daily check side by side, and closes the fever with an outcome."""

import uuid

import pytest
from django.utils import timezone

from tongzhou.alerts.models import Alert, AlertStatus
from tongzhou.checkpoints.services import gate_create, parse_item, pass_token, passages_record, passes_issue
from tongzhou.monitoring.services import CheckData, check_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_health_officer_closes_a_fever_from_the_inbox_on_a_phone(demo, new_page, make_order):
    gate = gate_create(actor=demo.taian_staff, compound=demo.places["taian_compound"], name="泰安巷3号院东门")
    token = pass_token(passes_issue(actor=demo.taian_staff, place=demo.places["taian_compound"])[0])
    scan = {"pass_token": token, "direction": "in", "temperature": 38.3, "client_uuid": str(uuid.uuid4())}
    passages_record(gate=gate, items=[parse_item({**scan, "scanned_at": timezone.now().isoformat()})], actor=demo.guard)
    check_record(actor=demo.taian_staff, order=make_order(), data=CheckData(temperature="38.6"), method="phone")
    fever = Alert.objects.get(kind="fever")

    page = new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "health_officer")
    page.fill("#id_password", "tongzhou-demo")
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # each role lands where its work is
    page.goto("/alerts/")
    assert page.locator("#alerts [data-alert]").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row = page.locator(f'[data-alert="{fever.pk}"]')
    row.locator("select[name=outcome]").select_option("tested")
    row.locator("input[name=note]").fill("送发热门诊")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert page.locator("#alerts [data-alert]").count() == 1
    fever.refresh_from_db()
    assert (fever.status, fever.outcome, fever.note) == (AlertStatus.CLOSED, "tested", "送发热门诊")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
