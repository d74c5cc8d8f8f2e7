"""In a real browser, on a phone-sized screen: 泰安巷 staff write a story naming a demo resident,
the pseudonym check finds the name, one click replaces it by 张*, the story is submitted; the
street administrator approves it; anyone opens it on the street's public page."""

import pytest

from tongzhou.notices.models import Story, StoryStatus
from tongzhou.notices.stories.pseudonyms import name_pseudonym
from tongzhou.notices.tests.test_browser_notice import fits, log_in
from tongzhou.people.models import Person
from tongzhou.places.demo import ER_GE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_check_replace_submit_approve_and_publish_a_story(demo, new_page):
    resident = Person.objects.filter(place_path__startswith=demo.places["taian"].path).order_by("pk").first()
    pseudonym = name_pseudonym(resident.name)

    staff = new_page()
    log_in(staff, "taian_staff")
    staff.goto("/stories/desk/")
    staff.click("#new-story")
    staff.select_option("#id_place", str(demo.places["taian"].pk))
    staff.fill("#id_title", "邻里守望")
    staff.fill("#id_body", f"{resident.name}每天为独居老人买菜送药。")
    assert fits(staff)
    staff.click("#story-form button[type=submit]")
    finding = staff.locator(f'#findings .finding[data-text="{resident.name}"]')
    finding.wait_for()
    assert staff.locator("#submit").is_disabled()
    assert fits(staff)
    finding.locator(".replace-default").click()
    staff.wait_for_selector("#check-clean")
    assert pseudonym in staff.inner_text("#story-body")
    staff.click("#submit")
    staff.wait_for_selector("#approval")
    story = Story.objects.get(title="邻里守望")
    assert story.status == StoryStatus.AWAITING

    admin = new_page()
    log_in(admin, "street_admin")
    admin.goto(f"/stories/desk/{story.pk}/")
    admin.click("#approve")
    admin.wait_for_selector("#public-link")
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED

    reader = new_page()
    reader.goto(f"/stories/{ER_GE}/")
    reader.click(f'[data-story="{story.pk}"] a')
    reader.wait_for_selector("#pseudonym-note")
    assert "文中关键人物为化名" in reader.inner_text("#pseudonym-note")
    assert resident.name not in reader.inner_text("main") and pseudonym in reader.inner_text("#story-body")
    assert fits(reader)
