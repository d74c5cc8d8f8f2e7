"""On a phone: the scan page's answers say what is true. A resident found by name is named in the
answer (masked), not the household's pass holder; a mistyped code is "not recognised", not
forged; offline, the search says what it can find and a fever says the alert is still to be sent."""

import pytest
from django.db.models import Count

from tongzhou.checkpoints.tests.test_browser_scan import log_in, scan
from tongzhou.core.pii import mask_name
from tongzhou.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_answers_name_the_person_found_and_accuse_nobody(demo, new_page, gate, passes):
    # A household of two or more whose second member's surname differs from the pass holder's (the
    # first member's): the demo's names are random, so look for one.
    households = (
        Person.objects.filter(household_id__in=[p.household_id for p in passes])
        .values("household_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .order_by("household_id")
        .values_list("household_id", flat=True)
    )
    pairs = (list(Person.objects.filter(household_id=h).order_by("pk")[:2]) for h in households)
    holder, member = next(pair for pair in pairs if pair[0].name[0] != pair[1].name[0])

    page = new_page()
    log_in(page, "guard")
    page.goto(f"/checkpoints/gates/{gate.pk}/scan/")
    page.wait_for_selector(f'#cache-status[data-count="{len(passes)}"]')

    page.fill("#search", member.name)
    page.wait_for_selector("#search-results button")
    assert mask_name(member.name) in page.inner_text("#search-results")
    page.click("#search-results button >> nth=0")
    page.fill("#temperature", "36.5")
    page.click("#check")
    page.wait_for_selector("#answer:not(.d-none)")
    subject = page.inner_text("#answer-subject")
    assert subject.endswith(mask_name(member.name)) and mask_name(holder.name) not in subject
    page.click("#answer-next")

    classes, reason = scan(page, "TZP1.mistyped:code", "36.5")
    assert reason == "forged" and "refused" in classes
    page.fill("#token", "TZP1.mistyped:code")
    page.fill("#temperature", "36.5")
    page.click("#check")
    page.wait_for_selector("#answer:not(.d-none)")
    assert page.inner_text("#answer-reason") == "无法识别"
    page.click("#answer-next")

    page.fill("#search", "无此人")
    page.locator("#search-note", has_text="本小区未找到此人。").wait_for()

    # Offline: a name the cache cannot know, then a fever.
    page.context.set_offline(True)
    page.fill("#search", member.name)
    page.locator("#search-note", has_text="离线").wait_for()
    assert "房号" in page.inner_text("#search-note")
    page.fill("#search", "")
    page.fill("#token", "TZP1.another:code")
    page.fill("#temperature", "38.4")
    page.click("#check")
    page.wait_for_selector("#answer:not(.d-none)")
    assert page.get_attribute("#answer", "data-reason") == "fever"
    reason_text = page.inner_text("#answer-reason")
    assert "将通知" in reason_text and "已通知" not in reason_text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#answer-next")
    page.context.set_offline(False)
