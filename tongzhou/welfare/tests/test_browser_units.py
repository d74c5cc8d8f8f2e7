"""On a phone (390 px): a member unit's contact enrolls a member on the unit's page; the welfare
officer issues the unit's invoice and records its payment; the contact sees it paid; a guard's
claim form offers their isolation order and fills itself from it. Every page fits the screen."""

import pytest

from tongzhou.welfare.models import Enrollment, Invoice, InvoiceStatus
from tongzhou.welfare.services.plans import MemberData
from tongzhou.welfare.services.units import unit_contact_create, unit_enroll

from .conftest import id_number
from .test_browser_welfare import fits, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_enrolls_and_is_billed_on_a_phone(demo, new_page, make_plan, officers, union):
    plan = make_plan(places=5)
    contact = unit_contact_create(
        actor=officers["taian_welfare"],
        place=demo.places["taian"],
        organisation=union,
        username="union_contact",
        password="Unit-contact-password-1",
        display_name="工会联系人",
    )
    unit_enroll(
        actor=contact.user,
        organisation=union,
        plan=plan,
        members=[MemberData(name="职工甲", id_number=id_number(60), phone="13600000060")],
    )

    phone = new_page()
    log_in(phone, "union_contact", "Unit-contact-password-1")
    phone.wait_for_selector("#unit-enroll-form")  # the contact lands on the unit's page
    fits(phone)
    phone.select_option("#id_plan", str(plan.pk))
    phone.fill("#id_name", "职工乙")
    phone.fill("#id_id_number", id_number(61))
    phone.fill("#id_phone", "13600000061")
    phone.click("#unit-enroll-form button[type=submit]")
    phone.wait_for_selector("#unit-enrollments >> text=职工乙")
    fits(phone)
    assert Enrollment.objects.filter(plan=plan, organisation=union).count() == 2

    officer = new_page()
    log_in(officer, "taian_welfare", "welfare-password-1")
    officer.goto(f"/welfare/plans/{plan.pk}/units/")
    fits(officer)
    officer.click(f"#invoice-{union.pk}")
    officer.wait_for_selector("#invoice-total")
    fits(officer)
    assert "60.00" in officer.inner_text("#invoice-total")
    officer.click("#invoice-paid button[type=submit]")
    officer.wait_for_selector("#invoice-status")
    assert Invoice.objects.get().status == InvoiceStatus.PAID

    phone.goto(f"/welfare/units/{union.pk}/")
    phone.click("#unit-invoices a")
    phone.wait_for_selector("#invoice-status")
    fits(phone)
    assert phone.inner_text("#invoice-status") == "已支付"  # paid, in Chinese
