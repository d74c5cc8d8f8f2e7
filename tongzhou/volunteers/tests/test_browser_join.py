"""In a real browser on a phone: someone signs up as a volunteer on the public page (finding their
community by name), 泰安巷 staff approve the sign-up, the new volunteer logs in with the
credentials the message brought, finds their shift and checks in at the post's QR link."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tongzhou.core.messaging import ConsoleBackend
from tongzhou.people.idnumbers import check_digit
from tongzhou.volunteers.models import ApplicationStatus, Assignment, Shift, Volunteer
from tongzhou.volunteers.services import assignment_add, post_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIRST17 = "52010219880512345"


def test_sign_up_vet_log_in_and_check_in(demo, new_page):
    cache.clear()
    page = new_page()
    page.goto("/accounts/login/")
    page.click("#volunteer-join")
    page.fill("#id_name", "赵志愿")
    page.fill("#id_phone", "13812340000")
    page.fill("#id_id_number", FIRST17 + check_digit(FIRST17))
    page.fill("#community-search", "泰安巷")
    page.locator(f'[data-community="{demo.places["taian"].code}"]').check()
    page.click("label[for=id_skills_0]")  # driving
    page.click("label[for=id_slots_1]")  # Monday night
    page.check("#id_consent")
    page.click("#join-form button[type=submit]")
    page.wait_for_selector("#joined")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    volunteer = Volunteer.objects.get(name="赵志愿")
    assert volunteer.availability == [{"weekday": 0, "start": "19:00", "end": "07:00"}]

    staff = new_page()
    staff.goto("/accounts/login/")
    staff.fill("#id_username", "taian_staff")
    staff.fill("#id_password", "tongzhou-demo")
    staff.click("button[type=submit].btn-lg")
    staff.wait_for_url(lambda url: "/accounts/login/" not in url)  # each role lands where its work is
    staff.goto("/volunteers/applications/")
    ConsoleBackend.outbox.clear()
    staff.click(f'[data-approve="{volunteer.pk}"]')
    staff.wait_for_selector(".alert-success")
    volunteer.refresh_from_db()
    assert volunteer.status == ApplicationStatus.APPROVED

    text = ConsoleBackend.outbox[-1].text
    username = volunteer.user.username
    password = re.search(r"\b[a-hjkmnp-z2-9]{12}\b", text).group(0)  # the alphabet of PASSWORD_ALPHABET
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # each role lands where its work is
    # The coordinator put them on the gate shift that starts now; they scan the post's QR code.
    post = post_create(actor=demo.taian_staff, place=demo.places["taian_compound"], name="3号院东门", duty="gate")
    start = timezone.now() - timedelta(minutes=5)
    shift = Shift.objects.create(
        post=post,
        place_path=post.place_path,
        start=start,
        end=start + timedelta(hours=12),
        min_people=1,
        max_people=1,
        published=True,
    )
    assignment_add(actor=demo.taian_staff, shift=shift, volunteer=volunteer)
    page.goto("/volunteers/me/")
    assert "赵志愿" in page.inner_text("#my-shifts") or "3号院东门" in page.inner_text("#my-shifts")
    page.goto(f"/volunteers/check/{post.check_token}/")
    page.click("#check-in-button")
    page.wait_for_selector(".alert-success")
    assert Assignment.objects.get(shift=shift).checked_in_at is not None
