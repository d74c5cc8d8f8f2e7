"""Member units' own accounts and invoices: a unit's contact enrolls the unit's members (on a page or
from a file) and sees only them (404 for another unit's), never a claim; the officer bills each unit
for its members × the contribution (gifted places free, nobody twice), the PDF's QR checks it, and
records the payment once."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongzhou.core.permissions import Role
from tongzhou.people.services import organisation_get_or_create
from tongzhou.welfare.models import Enrollment, EnrollmentSource, Invoice, InvoiceStatus
from tongzhou.welfare.services.claims import ClaimData, claim_file
from tongzhou.welfare.services.plans import MemberData, enrollments_create, gift_request_create, gift_request_decide
from tongzhou.welfare.services.units import (
    invoice_issue,
    invoice_mark_paid,
    invoice_token,
    unit_contact_create,
    unit_enroll,
)

from .conftest import id_number


@pytest.fixture
def units(demo, officers, union):
    """Two member units of 二戈街道, each with its own contact made by 泰安巷's welfare officer."""
    bank = organisation_get_or_create(actor=None, name="贵阳银行二戈支行", kind="company", place=demo.places["er_ge"])
    made = {}
    for key, organisation in (("union", union), ("bank", bank)):
        contact = unit_contact_create(
            actor=officers["taian_welfare"],
            place=demo.places["taian"],
            organisation=organisation,
            username=f"{key}_contact",
            password="Unit-contact-password-1",
            display_name=f"{organisation.name}联系人",
        )
        made[key] = contact
    return made


def _as(client_as, user):
    client = client_as("taian_staff")
    client.force_login(user)
    return client


def _member(n):
    return MemberData(name=f"职工{n}", id_number=id_number(n), phone=f"1360000{n:04d}", post_label="门岗")


def test_the_contact_holds_the_unit_role_and_lands_on_the_units_page(client_as, units):
    contact = units["union"]
    assert contact.user.roles.get().role == Role.UNIT_CONTACT
    client = _as(client_as, contact.user)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("welfare:unit", args=[contact.organisation_id])


def test_a_new_contact_needs_a_good_username_and_password(demo, officers, union):
    with pytest.raises(ValidationError) as error:
        unit_contact_create(
            actor=officers["taian_welfare"],
            place=demo.places["taian"],
            organisation=union,
            username="weak",
            password="1",
        )
    assert "password" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        unit_contact_create(
            actor=officers["songhua_welfare"],
            place=demo.places["taian"],
            organisation=union,
            username="x_contact",
            password="Unit-contact-password-1",
        )


def test_the_contact_enrolls_on_the_page_and_sees_only_the_units_members(client_as, units, make_plan, officers):
    plan = make_plan()
    union, bank = units["union"], units["bank"]
    [banker] = unit_enroll(actor=bank.user, organisation=bank.organisation, plan=plan, members=[_member(30)])
    [loose] = enrollments_create(actor=officers["taian_welfare"], plan=plan, members=[_member(31)])
    client = _as(client_as, union.user)
    response = client.post(
        reverse("welfare:unit", args=[union.organisation_id]),
        {"plan": plan.pk, "name": "王工", "id_number": id_number(32), "phone": "13600000032", "post_label": "门岗"},
    )
    assert response.status_code == 302
    mine = Enrollment.objects.get(name="王工")
    assert (mine.organisation_id, mine.source) == (union.organisation_id, EnrollmentSource.UNIT)
    page = client.get(reverse("welfare:unit", args=[union.organisation_id]))
    assert [e.pk for e in page.context["enrollments"]] == [mine.pk]
    assert "职工30" not in page.content.decode()
    assert client.get(reverse("welfare:certificate", args=[mine.pk])).status_code == 200
    for other in (banker, loose):
        assert client.get(reverse("welfare:certificate", args=[other.pk])).status_code == 404
    assert client.get(reverse("welfare:unit", args=[bank.organisation_id])).status_code == 404
    # Never a claim, not even of the unit's own member.
    claim = claim_file(actor=officers["taian_welfare"], enrollment=mine, data=_claim_data(mine))
    assert client.get(reverse("welfare:claim", args=[claim.pk])).status_code == 404
    assert client.get(reverse("welfare:claim_new", args=[mine.pk])).status_code == 404
    assert "claims" not in page.context


def _claim_data(enrollment):
    from datetime import timedelta

    Enrollment.objects.filter(pk=enrollment.pk).update(covered_from=enrollment.covered_from - timedelta(days=30))
    enrollment.refresh_from_db()
    return ClaimData(
        coverage="accident", event_on=enrollment.covered_from, description="夜班摔伤", amount=Decimal("100")
    )


def test_the_contact_enrolls_only_into_plans_of_their_place_and_for_their_unit(client_as, units, make_plan):
    songhua_plan = make_plan(community="songhua", name="松花巷互助")
    union = units["union"]
    response = _as(client_as, union.user).post(
        reverse("welfare:unit", args=[union.organisation_id]),
        {"plan": songhua_plan.pk, "name": "王工", "id_number": id_number(33), "phone": "13600000033"},
    )
    assert response.status_code == 200 and "plan" in response.context["form"].errors
    with pytest.raises(PermissionDenied):
        unit_enroll(actor=union.user, organisation=units["bank"].organisation, plan=make_plan(), members=[_member(34)])
    assert not Enrollment.objects.exists()


def _workbook(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "手机号", "单位", "计划编号"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_contact_enrolls_from_a_file_and_nobody_else_reads_the_job(
    client_as, units, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan()
    union, bank = units["union"], units["bank"]
    client = _as(client_as, union.user)
    rows = [("赵一", id_number(40), "13600000040", "", plan.pk), ("赵二", id_number(41), "13600000041", "", plan.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("welfare:unit_upload"),
            {"file": SimpleUploadedFile("staff.xlsx", _workbook(rows)), "all_or_nothing": "on"},
        )
    assert response.status_code == 302
    job_url = response["Location"]
    assert client.get(job_url).status_code == 200
    assert _as(client_as, bank.user).get(job_url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(job_url).status_code == 302
    enrolled = Enrollment.objects.filter(plan=plan)
    assert sorted(enrolled.values_list("name", flat=True)) == ["赵一", "赵二"]
    assert set(enrolled.values_list("organisation_id", "source")) == {(union.organisation_id, EnrollmentSource.FILE)}


def test_a_bad_file_row_is_named_and_nothing_is_written(client_as, units, make_plan):
    from tongzhou.core.imports import base
    from tongzhou.welfare.importers import UnitEnrollmentImporter

    plan = make_plan()
    importer = UnitEnrollmentImporter(place_path=units["union"].place_path, actor=units["union"].user)
    rows = [
        ("赵一", id_number(40), "13600000040", "", plan.pk),
        ("赵二", id_number(41), "123", "", plan.pk),
        ("赵三", id_number(42), "13600000042", "贵阳银行二戈支行", plan.pk),  # another unit's
    ]
    checked = base.check(importer, _workbook(rows), "staff.xlsx")
    assert base.write(importer, checked, all_or_nothing=True) == 0
    assert [(e.row, e.column) for e in checked.errors] == [(3, "手机号"), (4, "单位")]
    assert not Enrollment.objects.exists()


def test_an_invoice_bills_the_units_members_once_times_the_contribution(
    client_as, units, make_plan, make_worker, officers
):
    plan = make_plan(places=20)  # 30.00 yuan per person
    union = units["union"]
    unit_enroll(actor=union.user, organisation=union.organisation, plan=plan, members=[_member(n) for n in (1, 2, 3)])
    # A gifted place for a volunteer of the same unit is free.
    worker = make_worker("门卫甲", hours=24)
    worker.organisation = union.organisation
    worker.save(update_fields=["organisation"])
    gift = gift_request_create(actor=officers["taian_welfare"], plan=plan, volunteers=[worker])
    gift_request_decide(actor=officers["taian_welfare2"], gift=gift, approve=True)
    assert Enrollment.objects.filter(organisation=union.organisation).count() == 4

    first = invoice_issue(actor=officers["taian_welfare"], plan=plan, organisation=union.organisation)
    assert (first.members, first.contribution, first.total) == (3, Decimal("30.00"), Decimal("90.00"))
    assert (first.period_start, first.period_end) == (plan.starts_on, plan.ends_on)
    with pytest.raises(ValidationError):
        invoice_issue(actor=officers["taian_welfare"], plan=plan, organisation=union.organisation)
    unit_enroll(actor=union.user, organisation=union.organisation, plan=plan, members=[_member(n) for n in (4, 5)])
    second = invoice_issue(actor=officers["taian_welfare"], plan=plan, organisation=union.organisation)
    assert (second.members, second.total) == (2, Decimal("60.00"))
    with pytest.raises(PermissionDenied):
        invoice_issue(actor=officers["songhua_welfare"], plan=plan, organisation=union.organisation)

    paid = invoice_mark_paid(actor=officers["taian_welfare"], invoice=first, note="转账 0001")
    assert (paid.status, paid.paid_by, paid.payment_note) == (
        InvoiceStatus.PAID,
        officers["taian_welfare"],
        "转账 0001",
    )
    with pytest.raises(ValidationError):
        invoice_mark_paid(actor=officers["taian_welfare"], invoice=first)


def test_the_invoice_pages_the_pdf_and_its_check(client_as, units, make_plan, officers):
    plan = make_plan()
    union, bank = units["union"], units["bank"]
    unit_enroll(actor=union.user, organisation=union.organisation, plan=plan, members=[_member(n) for n in (1, 2)])
    officer = _as(client_as, officers["taian_welfare"])
    response = officer.post(
        reverse("welfare:plan_units", args=[plan.pk]), {"action": "invoice", "organisation": union.organisation_id}
    )
    bill = Invoice.objects.get()
    assert response.status_code == 302 and bill.total == Decimal("60.00")
    contact = _as(client_as, union.user)
    page = contact.get(reverse("welfare:invoice", args=[bill.pk]))
    assert page.status_code == 200 and "60.00" in page.content.decode() and page.context["form"] is None
    # The contact reads it but cannot record the payment.
    assert contact.post(reverse("welfare:invoice", args=[bill.pk]), {"note": "x"}).status_code == 404
    pdf = contact.get(reverse("welfare:invoice_pdf", args=[bill.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert officer.post(reverse("welfare:invoice", args=[bill.pk]), {"note": "转账"}).status_code == 302
    bill.refresh_from_db()
    assert bill.status == InvoiceStatus.PAID
    check = client_as("volunteer").get(reverse("welfare:invoice_verify", args=[invoice_token(bill)]))
    assert check.status_code == 200 and "60.00" in check.content.decode() and "职工1" not in check.content.decode()
    assert client_as("volunteer").get(reverse("welfare:invoice_verify", args=["forged"])).status_code == 404
    for outsider in (bank.user, officers["songhua_welfare"]):
        client = _as(client_as, outsider)
        assert client.get(reverse("welfare:invoice", args=[bill.pk])).status_code == 404
        assert client.get(reverse("welfare:invoice_pdf", args=[bill.pk])).status_code == 404
    for persona in ("volunteer", "taian_staff", "guard"):
        assert client_as(persona).get(reverse("welfare:invoice", args=[bill.pk])).status_code == 404


def test_the_officers_units_page_makes_an_account_and_refuses_junk(client_as, make_plan, officers, union):
    plan = make_plan()
    officer = _as(client_as, officers["taian_welfare"])
    url = reverse("welfare:plan_units", args=[plan.pk])
    assert officer.get(url).status_code == 200
    response = officer.post(
        url,
        {
            "action": "contact",
            "organisation": union.pk,
            "username": "union_contact",
            "display_name": "工会联系人",
            "password": "Unit-contact-password-1",
        },
    )
    assert response.status_code == 302
    assert officer.post(url, {"action": "nonsense"}).status_code == 400
    assert officer.post(url, {"action": "invoice", "organisation": "x"}).status_code == 404
    assert officer.post(url, {"action": "contact", "organisation": "x", "username": ""}).status_code == 200
    for persona in ("volunteer", "taian_staff", "unit_contact"):
        assert client_as(persona).get(url).status_code == 404
