"""On a phone (390 × 844): the guard looks up a household under home isolation by the last phone
digits and is refused at the gate going out, with a reason to act on and no diagnosis; offline,
the page's own copy of the rules refuses it too from the cached "may not go out" flag."""

import pytest
from django.utils import timezone

from tongzhou.checkpoints.models import Passage
from tongzhou.checkpoints.services import pass_token
from tongzhou.checkpoints.tests.test_browser_scan import log_in, scan
from tongzhou.monitoring.models import OrderKind
from tongzhou.monitoring.services import key_person_register, order_create
from tongzhou.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_guard_is_refused_an_isolated_household_online_and_offline(demo, new_page, gate, passes):
    person = (
        Person.objects.filter(household_id__in=[p.household_id for p in passes])
        .exclude(phone_last4="")
        .order_by("pk")
        .first()
    )
    kept = next(p for p in passes if p.household_id == person.household_id)
    key_person = key_person_register(actor=demo.health_officer, person=person, reason="risk_area", risk_area="武汉市")
    order_create(
        actor=demo.health_officer, key_person=key_person, kind=OrderKind.HOME_ISOLATION, starts_on=timezone.localdate()
    )

    page = new_page()
    log_in(page, "guard")
    page.goto(f"/checkpoints/gates/{gate.pk}/scan/")
    page.wait_for_selector(f'#cache-status[data-count="{len(passes)}"]')

    # Online: found by the last four phone digits, 36.5 °C, going out.
    page.fill("#search", person.phone_last4)
    page.click("#search-results button >> nth=0")
    page.fill("#temperature", "36.5")
    page.click("label[for=dir-out]")
    page.click("#check")
    page.wait_for_selector("#answer:not(.d-none)")
    assert "refused" in page.get_attribute("#answer", "class")
    assert page.get_attribute("#answer", "data-reason") == "kept_home"
    assert page.inner_text("#answer-reason") == "不能外出：请联系社区"
    assert "隔离" not in page.inner_text("#answer")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#answer-next")
    stored = Passage.objects.get()
    assert stored.reason == "kept_home" and stored.allowed is False

    # Coming home is allowed.
    classes, reason = scan(page, pass_token(kept), "36.5", direction="in")
    assert "allowed" in classes and reason == "ok"

    # Offline: the cached flag refuses going out, another household still goes out.
    page.context.set_offline(True)
    classes, reason = scan(page, pass_token(kept), "36.6", direction="out")
    assert "refused" in classes and reason == "kept_home"
    other = next(p for p in passes if p.household_id != kept.household_id)
    classes, reason = scan(page, pass_token(other), "36.6", direction="out")
    assert "allowed" in classes and reason == "ok"
    page.wait_for_selector('#queue-status[data-count="2"]')
    page.context.set_offline(False)
    page.click("#sync-now")
    page.wait_for_selector('#queue-status[data-count="0"]', state="attached")
    synced = Passage.objects.exclude(offline_allowed=None).get(household_id=kept.household_id)
    assert synced.offline_allowed is False and synced.reason == "kept_home"
