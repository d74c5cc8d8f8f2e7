"""Donations: goods become received entries in their own lots, money and services are recorded, a
bad row writes nothing, the receipt's QR verifies online, and the public ledger names an anonymous
donor as such."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzhou.supplies.documents import receipt_token
from tongzhou.supplies.models import Balance, Donation, DonationKind, DonorKind, Entry, EntryKind
from tongzhou.supplies.services.donations import GoodsLine, donation_record


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_demo_banks_gift_is_in_the_warehouse(supplies):
    gift = Donation.objects.get(donor__name="贵阳银行云岩支行", kind=DonationKind.IN_KIND)
    lines = {line.item.name: line for line in gift.lines.select_related("item", "lot", "entry")}
    assert {name: int(line.quantity) for name, line in lines.items()} == {
        "医用外科口罩": 50,
        "免洗洗手液": 24,
        "84消毒液": 50,
    }
    mask = lines["医用外科口罩"]
    assert (mask.lot.donation, mask.entry.kind, mask.entry.store) == (
        gift,
        EntryKind.RECEIVED,
        supplies.store_warehouse,
    )
    assert Balance.objects.get(lot=mask.lot).quantity == 50


def test_a_bad_row_names_its_row_and_writes_nothing(supplies, demo):
    before = (Donation.objects.count(), Entry.objects.count())
    later = timezone.localdate() + timedelta(days=100)
    with pytest.raises(ValidationError) as error:
        donation_record(
            actor=supplies.taian_keeper,
            place=demo.places["taian"],
            donor_name="某公司",
            donor_kind=DonorKind.COMPANY,
            kind=DonationKind.IN_KIND,
            store=supplies.store_taian,
            lines=[
                GoodsLine(supplies.item_gloves.pk, 100),
                GoodsLine(supplies.item_mask.pk, "2.5", expires_on=later),
                GoodsLine("999999", 1),
            ],
        )
    messages = error.value.message_dict["lines"]
    assert any(m.startswith("Row 2") for m in messages) and any(m.startswith("Row 3") for m in messages)
    assert (Donation.objects.count(), Entry.objects.count()) == before


def test_a_company_gift_through_the_page_then_the_receipt_and_its_check(supplies):
    client = login(supplies.taian_keeper)
    data = {
        "donor_name": "贵州某医药公司",
        "donor_kind": "company",
        "kind": "in_kind",
        "store": supplies.store_taian.pk,
        "line-TOTAL_FORMS": "2",
        "line-INITIAL_FORMS": "0",
        "line-0-item": supplies.item_gloves.pk,
        "line-0-quantity": "200",
        "line-1-item": "",
        "line-1-quantity": "",
    }
    response = client.post(reverse("supplies:donation_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    gift = Donation.objects.get(donor__name="贵州某医药公司")
    assert gift.lines.get().entry.quantity == 200
    pdf = client.get(reverse("supplies:receipt", args=[gift.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    check = Client().get(reverse("supplies:verify", args=[receipt_token(gift)]))
    assert check.status_code == 200 and "贵州某医药公司" in check.content.decode()
    assert Client().get(reverse("supplies:verify", args=[receipt_token(gift) + "x"])).status_code == 404
    # 松花巷's keeper cannot see it, nor record into 泰安巷's store.
    other = login(supplies.songhua_keeper)
    assert other.get(reverse("supplies:donation", args=[gift.pk])).status_code == 404
    assert other.get(reverse("supplies:receipt", args=[gift.pk])).status_code == 404
    before = Donation.objects.count()
    assert other.post(reverse("supplies:donation_create"), data).status_code == 400
    assert Donation.objects.count() == before


def test_money_needs_an_amount_and_a_purpose(supplies):
    response = login(supplies.taian_keeper).post(
        reverse("supplies:donation_create"),
        {
            "donor_name": "张三",
            "donor_kind": "individual",
            "kind": "money",
            "amount": "-5",
            "line-TOTAL_FORMS": "0",
            "line-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get("amount") and response.context["form"].errors.get("purpose")


def test_the_public_ledger_hides_an_anonymous_donor(supplies):
    anonymous = Donation.objects.get(kind=DonationKind.MONEY)
    text = Client().get(reverse("supplies:public_ledger", args=["520102029"])).content.decode()
    assert ("贵阳银行云岩支行" in text and "匿名" in text) or "Anonymous" in text
    assert anonymous.donor.name not in text


@pytest.mark.parametrize("persona", ["volunteer", "outsider"])
def test_others_cannot_see_donations(supplies, demo, persona):
    client = login(demo.users[persona])
    assert client.get(reverse("supplies:donations")).status_code == 404
    assert client.get(reverse("supplies:donation_create")).status_code == 404
