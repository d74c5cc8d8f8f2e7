"""The supplies pages tried by their users and by the personas who must not reach them."""

import pytest
from django.test import Client
from django.urls import reverse

from tongzhou.supplies.models import Balance, Entry, EntryKind


def stock(store, item):
    return sum(Balance.objects.filter(store=store, item=item, in_transit=False).values_list("quantity", flat=True))


def login(user):
    client = Client()
    client.force_login(user)
    return client


def issue(client, store, item, quantity, note="东门卡点"):
    return client.post(
        reverse("supplies:issue", args=[store.pk]),
        {"issue-item": item if isinstance(item, str) else item.pk, "issue-quantity": quantity, "issue-note": note},
    )


def test_the_keeper_issues_from_their_store(supplies):
    response = issue(login(supplies.taian_keeper), supplies.store_taian, supplies.item_mask, "20")
    assert response.status_code == 302
    assert stock(supplies.store_taian, supplies.item_mask) == 680
    page = login(supplies.taian_keeper).get(reverse("supplies:store", args=[supplies.store_taian.pk]))
    assert "东门卡点" in page.content.decode()


def test_another_communitys_keeper_gets_404_and_nothing_moves(supplies):
    before = Entry.objects.count()
    client = login(supplies.songhua_keeper)
    assert issue(client, supplies.store_taian, supplies.item_mask, "20").status_code == 404
    assert client.get(reverse("supplies:store", args=[supplies.store_taian.pk])).status_code == 404
    entry = Entry.objects.filter(store=supplies.store_taian).first()
    assert client.post(reverse("supplies:reverse", args=[entry.pk]), {"note": "x"}).status_code == 404
    assert Entry.objects.count() == before


@pytest.mark.parametrize("persona", ["volunteer", "guard", "outsider"])
def test_field_personas_and_outsiders_cannot_reach_stock(supplies, demo, persona):
    client = login(demo.users[persona])
    before = Entry.objects.count()
    assert client.get(reverse("supplies:stock")).status_code == 404
    assert client.get(reverse("supplies:store", args=[supplies.store_taian.pk])).status_code == 404
    assert issue(client, supplies.store_taian, supplies.item_mask, "1").status_code == 404
    assert Entry.objects.count() == before


def test_anonymous_users_are_sent_to_log_in(supplies):
    response = Client().get(reverse("supplies:stock"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("item", "quantity", "field"),
    [("mask", "-5", "quantity"), ("mask", "2.5", "quantity"), ("mask", "701", "quantity"), ("999999", "1", "item")],
)
def test_bad_input_is_a_form_error_and_writes_nothing(supplies, item, quantity, field):
    before = Entry.objects.count()
    target = str(supplies[f"item_{item}"].pk) if item == "mask" else item
    response = issue(login(supplies.taian_keeper), supplies.store_taian, target, quantity)
    assert response.status_code == 400
    assert response.context["issue_form"].errors.get(field)
    assert Entry.objects.count() == before


def test_a_transfer_then_arrival_then_a_reversal_through_the_pages(supplies):
    client = login(supplies.taian_keeper)
    response = client.post(
        reverse("supplies:transfer", args=[supplies.store_taian.pk]),
        {
            "transfer-item": supplies.item_gloves.pk,
            "transfer-quantity": "50",
            "transfer-destination": supplies.store_taian_gate.pk,
        },
    )
    assert response.status_code == 302
    arriving = Entry.objects.get(store=supplies.store_taian_gate, item=supplies.item_gloves, in_transit=True)
    gate_page = reverse("supplies:store", args=[supplies.store_taian_gate.pk])
    assert reverse("supplies:arrive", args=[arriving.pk]) in client.get(gate_page).content.decode()
    assert client.post(reverse("supplies:arrive", args=[arriving.pk])).status_code == 302
    # Arrived once: the page offers it no more, and a second confirmation is refused.
    assert reverse("supplies:arrive", args=[arriving.pk]) not in client.get(gate_page).content.decode()
    assert client.post(reverse("supplies:arrive", args=[arriving.pk])).status_code == 302
    assert Entry.objects.filter(arrives=arriving).count() == 1
    assert stock(supplies.store_taian_gate, supplies.item_gloves) == 50
    sent = Entry.objects.get(store=supplies.store_taian, item=supplies.item_gloves, kind=EntryKind.TRANSFER_OUT)
    issue(client, supplies.store_taian, supplies.item_suit, "3")
    suit_out = Entry.objects.get(store=supplies.store_taian, kind=EntryKind.ISSUED)
    assert client.post(reverse("supplies:reverse", args=[suit_out.pk]), {"note": "录错"}).status_code == 302
    assert stock(supplies.store_taian, supplies.item_suit) == 20
    page = client.get(reverse("supplies:store", args=[supplies.store_taian.pk])).content.decode()
    assert reverse("supplies:reverse", args=[suit_out.pk]) not in page
    assert sent.quantity == -50


def test_the_street_admin_sees_every_store_in_one_page(supplies, demo, django_assert_max_num_queries):
    client = login(demo.street_admin)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("supplies:stock")).content.decode()
    for store in ("二戈街道物资仓库", "泰安巷社区储藏室", "松花巷社区储藏室", "泰安巷3号院东门卡点物资箱"):
        assert store in page


def test_the_public_ledger_needs_no_log_in_and_names_nobody(supplies, demo):
    issue(
        login(supplies.taian_keeper), supplies.store_taian, supplies.item_mask, "20", note=demo.volunteer.display_name
    )
    page = Client().get(reverse("supplies:public_ledger", args=["520102029"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "医用外科口罩" in text and "泰安巷社区储藏室" in text
    for user in demo.users.values():
        if user.display_name:
            assert user.display_name not in text
    csv = Client().get(reverse("supplies:public_ledger_csv", args=["520102029"]))
    assert csv.status_code == 200 and "医用外科口罩" in csv.content.decode()
    assert Client().get(reverse("supplies:public_ledger", args=["520102029004"])).status_code == 404
