"""In a real browser, on phone-sized screens: 泰安巷 staff take a resident's call and find her by
the last four digits of her phone; the volunteer takes the job, does it and closes it; the resident
confirms and rates it through her personal link."""

import pytest

from tongzhou.assistance.models import HelpRequest, Status
from tongzhou.people.services import personal_link_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "tongzhou-demo")
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # each role lands where its work is


def test_phone_intake_claim_close_and_confirm(demo, new_page, taian_person):
    staff = new_page()
    log_in(staff, "taian_staff")
    staff.goto("/help/")
    staff.click("#record-call")
    staff.fill("#last4", taian_person.phone[-4:])
    staff.locator(f'[data-caller="{taian_person.pk}"]').check()  # the htmx answer lists her
    staff.select_option("#id_category", "medicine")
    staff.click("label[for=id_urgency_0]")  # 紧急, the first choice
    staff.fill("#id_summary", "降压药只剩两天的量")
    staff.click("#intake-form button[type=submit]")
    staff.wait_for_selector("#summary")
    help_request = HelpRequest.objects.get(summary="降压药只剩两天的量")
    assert help_request.person == taian_person

    volunteer = new_page()
    log_in(volunteer, "volunteer")
    volunteer.goto("/help/")
    item = volunteer.locator(f'#open-requests [data-request="{help_request.pk}"]')
    assert taian_person.name not in item.inner_text()  # masked before taking
    item.click()
    volunteer.click("#claim")
    volunteer.wait_for_selector("#move-form")
    assert taian_person.phone in volunteer.inner_text("#phone")  # shown to the taker
    volunteer.click("[data-move=in_progress]")
    volunteer.wait_for_selector("[data-move=done]")
    volunteer.click("[data-move=done]")
    volunteer.wait_for_selector("[data-status=done]")
    # Nothing left to do: the phone layout has no overflow sideways.
    assert volunteer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    resident = new_page()
    resident.goto(f"/residents/mine/{personal_link_token(taian_person)}/")
    resident.click("#my-help")
    resident.click(f'[data-request="{help_request.pk}"]')
    resident.click("#confirm")
    resident.wait_for_selector("[data-status=confirmed]")
    resident.click("label[for=id_rating_0]")  # ★★★★★, the first choice
    resident.fill("#id_comment", "谢谢志愿者")
    resident.click("#feedback-form button[type=submit]")
    resident.wait_for_selector("text=5 星（满分 5 星）")

    help_request.refresh_from_db()
    assert (help_request.status, help_request.assignee, help_request.rating) == (Status.CONFIRMED, demo.volunteer, 5)
