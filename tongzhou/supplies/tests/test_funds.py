"""Funds: money donations and grants in, purchases out (invoice photo, lines received into a store
through the ledger), the balance summed from those rows, a purchase beyond the balance refused,
a second person over the threshold, scope (404), and the public money ledger."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tongzhou.core.transitions import OwnRequest
from tongzhou.supplies.fund_selectors import fund_sums
from tongzhou.supplies.fund_services import (
    BoughtLine,
    donation_to_fund,
    fund_create,
    grant_answer,
    grant_apply,
    purchase_record,
    purchase_second_decide,
)
from tongzhou.supplies.models import (
    Balance,
    Donation,
    DonationKind,
    Entry,
    EntryKind,
    Grant,
    GrantStatus,
    Purchase,
    PurchaseStatus,
)


def login(user):
    client = Client()
    client.force_login(user)
    return client


def png(*, exif: bool = False, size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    out = BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x8825] = {2: (26.0, 35.0, 0.0)}  # GPSInfo: a latitude
        image.save(out, format="JPEG", exif=data.tobytes())
        return SimpleUploadedFile("IMG_0001.jpg", out.getvalue(), content_type="image/jpeg")
    image.save(out, format="PNG")
    return SimpleUploadedFile("invoice.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def fund(supplies, demo):
    """泰安巷's fund with the demo's anonymous ¥2,000 in it and an approved grant of ¥8,000."""
    taian_fund = fund_create(actor=demo.taian_staff, place=demo.places["taian"], name="泰安巷防疫专项资金")
    gift = Donation.objects.get(kind=DonationKind.MONEY, place=demo.places["taian"])
    donation_to_fund(actor=demo.taian_staff, fund=taian_fund, donation=gift)
    grant = grant_apply(
        actor=demo.taian_staff, fund=taian_fund, applicant="泰安巷社区工会", funder="市职工保险互助会", amount="10000"
    )
    grant_answer(actor=demo.taian_staff, grant=grant, approve=True, amount="8000")
    return taian_fund


def buy(fund, supplies, actor, amount, quantity=100, **extra):
    return purchase_record(
        actor=actor,
        fund=fund,
        store=supplies.store_taian,
        supplier="贵州康达医疗器械有限公司",
        amount=amount,
        lines=[BoughtLine(supplies.item_gloves.pk, quantity)],
        **extra,
    )


def test_the_balance_is_money_in_less_money_out(fund, supplies, demo):
    assert fund_sums(fund).balance == Decimal("10000.00")
    before = sum(
        Balance.objects.filter(store=supplies.store_taian, item=supplies.item_gloves).values_list("quantity", flat=True)
    )
    purchase = buy(fund, supplies, demo.taian_staff, "1234.50", quantity=300, invoice=png())
    assert purchase.status == PurchaseStatus.DONE
    sums = fund_sums(fund)
    assert (sums.money_in, sums.spent, sums.balance) == (Decimal("10000.00"), Decimal("1234.50"), Decimal("8765.50"))
    entries = list(Entry.objects.filter(batch=purchase.batch))
    assert [(e.kind, e.quantity, e.lot.code) for e in entries] == [(EntryKind.RECEIVED, 300, f"P{purchase.pk}-1")]
    after = sum(
        Balance.objects.filter(store=supplies.store_taian, item=supplies.item_gloves).values_list("quantity", flat=True)
    )
    assert after == before + 300


def test_a_grant_is_asked_then_approved_for_less_or_refused(fund, demo):
    grant = grant_apply(
        actor=demo.taian_staff, fund=fund, applicant="泰安巷社区工会", funder="市红十字会", amount="5000.00"
    )
    assert grant.status == GrantStatus.ASKED and fund_sums(fund).grants == Decimal("8000.00")
    with pytest.raises(ValidationError) as error:
        grant_answer(actor=demo.taian_staff, grant=grant, approve=True, amount="5000.01")
    assert "amount_approved" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        grant_answer(actor=demo.taian_staff, grant=grant, approve=False)
    assert "note" in error.value.message_dict
    grant_answer(actor=demo.taian_staff, grant=grant, approve=False, note="额度已用完")
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by, grant.amount_approved) == (GrantStatus.REFUSED, demo.taian_staff, None)
    assert grant.decided_at is not None
    with pytest.raises(ValidationError):
        grant_answer(actor=demo.taian_staff, grant=grant, approve=True, amount="1")
    assert fund_sums(fund).grants == Decimal("8000.00")


@pytest.mark.parametrize("junk", ["-5", "0", "abc", "1.234", "NaN", "Infinity", "1e12", ""])
def test_junk_amounts_are_errors_and_nothing_is_written(fund, supplies, demo, junk):
    counts = (Grant.objects.count(), Purchase.objects.count(), Entry.objects.count())
    with pytest.raises(ValidationError) as error:
        grant_apply(actor=demo.taian_staff, fund=fund, applicant="工会", funder="互助会", amount=junk)
    assert "amount_asked" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        buy(fund, supplies, demo.taian_staff, junk)
    assert "amount" in error.value.message_dict
    assert (Grant.objects.count(), Purchase.objects.count(), Entry.objects.count()) == counts


def test_a_purchase_beyond_the_balance_is_refused(fund, supplies, demo):
    counts = (Purchase.objects.count(), Entry.objects.count())
    with pytest.raises(ValidationError) as error:
        buy(fund, supplies, demo.taian_staff, "10000.01")
    assert "10000.00" in error.value.message_dict["amount"][0]
    assert (Purchase.objects.count(), Entry.objects.count()) == counts
    buy(fund, supplies, demo.taian_staff, "4000")
    buy(fund, supplies, demo.taian_staff, "4000", quantity=1)
    with pytest.raises(ValidationError):
        buy(fund, supplies, demo.taian_staff, "2000.01")
    assert fund_sums(fund).balance == Decimal("2000.00")


def test_bad_lines_name_the_row_and_write_nothing(fund, supplies, demo):
    counts = (Purchase.objects.count(), Entry.objects.count())
    with pytest.raises(ValidationError) as error:
        purchase_record(
            actor=demo.taian_staff,
            fund=fund,
            store=supplies.store_taian,
            supplier="康达",
            amount="100",
            lines=[
                BoughtLine(supplies.item_gloves.pk, 10),
                BoughtLine(supplies.item_gloves.pk, "1.5"),
                BoughtLine(999999, 1),
            ],
        )
    lines = error.value.message_dict["lines"]
    assert lines[0].startswith("Row 2") and lines[1].startswith("Row 3")
    assert (Purchase.objects.count(), Entry.objects.count()) == counts


def test_over_the_threshold_a_second_person_approves(fund, supplies, demo, settings):
    settings.TONGZHOU_SUPPLIES_PURCHASE_SECOND_APPROVAL = Decimal("5000")
    entries = Entry.objects.count()
    purchase = buy(fund, supplies, demo.taian_staff, "6000")
    assert purchase.status == PurchaseStatus.WAITING and Entry.objects.count() == entries
    # The waiting purchase holds its money: the fund cannot spend it twice.
    assert fund_sums(fund).balance == Decimal("4000.00")
    with pytest.raises(ValidationError):
        buy(fund, supplies, demo.taian_staff, "4000.01")
    approval = purchase.approvals.get()
    with pytest.raises(OwnRequest):
        purchase_second_decide(actor=demo.taian_staff, approval=approval, approve=True)
    with pytest.raises(PermissionDenied):
        purchase_second_decide(actor=demo.songhua_staff, approval=approval, approve=True)
    purchase_second_decide(actor=demo.street_admin, approval=approval, approve=True)
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.DONE and Entry.objects.count() == entries + 1
    assert fund_sums(fund).balance == Decimal("4000.00")


def test_a_refused_purchase_gives_its_money_back(fund, supplies, demo):
    purchase = buy(fund, supplies, demo.taian_staff, "9000")
    purchase_second_decide(actor=demo.street_admin, approval=purchase.approvals.get(), approve=False, note="太贵")
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.REFUSED and purchase.batch is None
    assert fund_sums(fund).balance == Decimal("10000.00")


def test_only_money_donations_from_the_funds_place_go_in_once(fund, supplies, demo):
    goods = Donation.objects.filter(kind=DonationKind.IN_KIND).first()
    with pytest.raises(ValidationError):
        donation_to_fund(actor=demo.taian_staff, fund=fund, donation=goods)
    gift = Donation.objects.get(fund=fund)
    other = fund_create(actor=demo.street_admin, place=demo.places["er_ge"], name="街道防疫资金")
    with pytest.raises(ValidationError):
        donation_to_fund(actor=demo.street_admin, fund=other, donation=gift)
    with pytest.raises(PermissionDenied):
        fund_create(actor=demo.taian_staff, place=demo.places["songhua"], name="别处")


def test_the_invoice_photo_is_an_image_without_exif(fund, supplies, demo):
    purchase = buy(fund, supplies, demo.taian_staff, "100", invoice=png(exif=True))
    with purchase.invoice.open("rb") as stored:
        data = stored.read()
    assert b"PhoneMaker" not in data
    assert not Image.open(BytesIO(data)).getexif()
    assert purchase.invoice_type == "image/jpeg" and purchase.invoice.name.endswith(".jpg")
    fake = SimpleUploadedFile("invoice.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        buy(fund, supplies, demo.taian_staff, "100", invoice=fake)
    assert "invoice" in error.value.message_dict
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationError):
        buy(fund, supplies, demo.taian_staff, "100", invoice=big)


def test_the_purchase_page_records_with_form_errors(fund, supplies, demo):
    client = login(demo.taian_staff)
    url = reverse("supplies:purchase_create", args=[fund.pk])
    assert client.get(url).status_code == 200
    data = {
        "supplier": "康达",
        "amount": "-3",
        "store": supplies.store_taian.pk,
        "line-TOTAL_FORMS": "1",
        "line-INITIAL_FORMS": "0",
        "line-0-item": supplies.item_gloves.pk,
        "line-0-quantity": "10",
    }
    page = client.post(url, data)
    assert page.status_code == 400 and "amount" in page.context["form"].errors
    page = client.post(url, {**data, "amount": "88.80", "invoice": png()})
    purchase = Purchase.objects.get(supplier="康达")
    assert page.status_code == 302 and purchase.amount == Decimal("88.80") and purchase.invoice
    assert client.get(reverse("supplies:purchase", args=[purchase.pk])).status_code == 200
    photo = client.get(reverse("supplies:invoice", args=[purchase.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    # Junk on the grant and answer forms: a form error, never a 500.
    assert client.post(reverse("supplies:fund_grant", args=[fund.pk]), {"grant-amount_asked": "abc"}).status_code == 400
    grant = grant_apply(actor=demo.taian_staff, fund=fund, applicant="工会", funder="互助会", amount="100")
    answer = client.post(
        reverse("supplies:grant_answer", args=[grant.pk]), {"answer-decision": "approve", "answer-amount_approved": "x"}
    )
    assert answer.status_code == 400


def test_personas(fund, supplies, demo):
    purchase = buy(fund, supplies, demo.taian_staff, "100", invoice=png())
    urls = [
        reverse("supplies:fund", args=[fund.pk]),
        reverse("supplies:purchase", args=[purchase.pk]),
        reverse("supplies:invoice", args=[purchase.pk]),
    ]
    taian_keeper = login(supplies.taian_keeper)
    assert [taian_keeper.get(u).status_code for u in urls] == [200, 200, 200]
    songhua_keeper = login(supplies.songhua_keeper)
    assert [songhua_keeper.get(u).status_code for u in urls] == [404, 404, 404]
    page = songhua_keeper.get(reverse("supplies:funds"))
    assert page.status_code == 200 and fund.name not in page.content.decode()
    # A keeper sees the fund but may not spend it.
    assert taian_keeper.get(reverse("supplies:purchase_create", args=[fund.pk])).status_code in (403, 404)
    volunteer = login(demo.volunteer)
    assert volunteer.get(reverse("supplies:funds")).status_code in (403, 404)
    assert [volunteer.get(u).status_code for u in urls] == [403, 403, 403] or all(
        volunteer.get(u).status_code in (403, 404) for u in urls
    )
    anonymous = Client()
    assert all(anonymous.get(u).status_code == 302 for u in urls)
    assert anonymous.get(reverse("supplies:public_ledger", args=[demo.places["er_ge"].code])).status_code == 200


def test_the_public_ledger_shows_money_in_and_out_without_people(fund, supplies, demo):
    buy(fund, supplies, demo.taian_staff, "1500", quantity=200, invoice=png())
    code = demo.places["er_ge"].code
    page = Client().get(reverse("supplies:public_ledger", args=[code]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "泰安巷防疫专项资金" in text and "市职工保险互助会" in text and "贵州康达医疗器械有限公司" in text
    assert "¥8,500.00" in text  # the balance: 2,000 + 8,000 − 1,500
    gift = Donation.objects.get(fund=fund)
    assert (
        gift.donor.name not in text
        and "匿名"
        in Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("supplies:public_ledger", args=[code])).content.decode()
    )
    for user in (demo.taian_staff, supplies.taian_keeper, demo.street_admin):
        assert user.username not in text and (not user.display_name or user.display_name not in text)
    assert "/invoice/" not in text
    csv = Client().get(reverse("supplies:public_funds_csv", args=[code]))
    body = csv.content.decode("utf-8-sig")
    assert csv.status_code == 200 and "贵州康达医疗器械有限公司" in body and "8500.00" in body
    assert gift.donor.name not in body


def test_the_second_approval_goes_through_the_shared_queue(fund, supplies, demo):
    purchase = buy(fund, supplies, demo.taian_staff, "7000")
    approval = purchase.approvals.get()
    url = reverse("approvals:detail", args=["purchase", approval.pk])
    admin = login(demo.street_admin)
    assert "贵州康达医疗器械有限公司" in admin.get(reverse("approvals:list")).content.decode()
    assert admin.get(url).status_code == 200
    # The recorder cannot approve their own purchase, even through the queue.
    login(demo.taian_staff).post(url, {"decision": "approve"})
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.WAITING
    assert admin.post(url, {"decision": "approve"}).status_code == 302
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.DONE and purchase.batch is not None
