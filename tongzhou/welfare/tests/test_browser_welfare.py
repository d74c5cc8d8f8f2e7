"""In a real browser on a phone (390 px): the welfare officer proposes three gate guards from their
hours, a second officer approves, a guard sees the certificate and files a claim filled from the
shift, the officer checks and approves it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tongzhou.welfare.models import Claim, ClaimStatus, Enrollment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_propose_approve_certificate_claim_and_approve(demo, new_page, make_plan, make_worker, officers):
    plan = make_plan(places=5, waiting_days=7)
    guards = [make_worker(f"门卫{n}", hours=36) for n in range(3)]
    for guard in guards:
        guard.user.set_password("guard-password-1")
        guard.user.save(update_fields=["password"])

    officer = new_page()
    log_in(officer, "taian_welfare", "welfare-password-1")
    officer.goto(f"/welfare/plans/{plan.pk}/proposals/")
    fits(officer)
    for guard in guards:
        officer.check(f'#proposals input[value="{guard.pk}"]')
    officer.click("#proposal-form button[type=submit]")
    officer.wait_for_selector("#picks")
    fits(officer)
    assert not Enrollment.objects.exists()

    second = new_page()
    log_in(second, "taian_welfare2", "welfare-password-1")
    second.goto(officer.url)
    second.click('#gift-decide button[value="approve"]')
    second.wait_for_selector("#gift-status")
    assert Enrollment.objects.filter(plan=plan).count() == 3
    # The guards were enrolled a while ago: the waiting period is over (back-dated for the test).
    Enrollment.objects.filter(plan=plan).update(covered_from=timezone.localdate() - timedelta(days=10))

    phone = new_page()
    log_in(phone, guards[0].user.username, "guard-password-1")
    phone.goto("/welfare/mine/")
    fits(phone)
    enrollment = Enrollment.objects.get(volunteer=guards[0])
    pdf = phone.request.get(f"/welfare/enrollments/{enrollment.pk}/certificate.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    phone.goto(f"/welfare/enrollments/{enrollment.pk}/claim/?day={day}")
    fits(phone)
    assert phone.input_value("#id_assignment") != ""  # the shift that day, with its check-in
    assert "泰安巷3号院gate" in phone.input_value("#id_description")
    phone.select_option("#id_coverage", "accident")
    phone.fill("#id_amount", "600")
    phone.click("#claim-form button[type=submit]")
    phone.wait_for_selector("#claim-status")
    fits(phone)
    claim = Claim.objects.get()
    assert claim.assignment is not None and claim.status == ClaimStatus.SUBMITTED

    officer.goto(f"/welfare/claims/{claim.pk}/")
    assert "泰安巷3号院gate" in officer.inner_text("#claim-evidence")
    officer.click("#move-checked")
    officer.wait_for_selector("#move-approved")
    officer.click("#move-approved")
    officer.wait_for_selector("#claim-history li:nth-child(2)")
    fits(officer)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    phone.goto("/welfare/mine/")
    assert str(ClaimStatus.APPROVED.label) in phone.inner_text("#my-claims") or "已批准" in phone.inner_text(
        "#my-claims"
    )
