"""The catalogue and a store's minimum levels, set by whoever manages supplies there."""

import pytest
from django.test import Client
from django.urls import reverse

from tongzhou.supplies.models import Item, MinimumLevel


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_staff_add_an_item_and_bad_input_is_a_form_error(supplies, demo):
    staff = login(demo.taian_staff)
    assert staff.get(reverse("supplies:catalogue")).status_code == 200
    data = {"name": "一次性隔离衣", "kind": "suit", "unit": "件", "pack_size": "10", "counted": "on"}
    assert staff.post(reverse("supplies:catalogue"), data).status_code == 302
    assert Item.objects.filter(name="一次性隔离衣", pack_size=10).exists()
    before = Item.objects.count()
    response = staff.post(reverse("supplies:catalogue"), {**data, "pack_size": "0", "kind": "rocket"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"pack_size", "kind"}
    response = staff.post(reverse("supplies:catalogue"), data)  # the same name again
    assert response.status_code == 400 and response.context["form"].errors.get("name")
    assert Item.objects.count() == before


def test_a_keeper_sees_the_catalogue_but_cannot_add(supplies):
    keeper = login(supplies.taian_keeper)
    assert keeper.get(reverse("supplies:catalogue")).status_code == 200
    before = Item.objects.count()
    response = keeper.post(reverse("supplies:catalogue"), {"name": "x", "kind": "mask", "unit": "只", "pack_size": "1"})
    assert response.status_code == 404 and Item.objects.count() == before


def test_staff_set_a_minimum_level_of_their_store(supplies, demo):
    staff = login(demo.taian_staff)
    url = reverse("supplies:minimums", args=[supplies.store_taian.pk])
    assert staff.get(url).status_code == 200
    response = staff.post(url, {"item": supplies.item_gloves.pk, "quantity": "500"})
    assert response.status_code == 302
    assert MinimumLevel.objects.get(store=supplies.store_taian, item=supplies.item_gloves).quantity == 500
    assert "table-danger" in staff.get(url).content.decode()  # 300 on hand < 500
    response = staff.post(url, {"item": supplies.item_gloves.pk, "quantity": "-1"})
    assert response.status_code == 400 and response.context["form"].errors.get("quantity")


@pytest.mark.parametrize("persona", ["songhua_staff", "volunteer"])
def test_others_get_404_and_nothing_changes(supplies, demo, persona):
    client = login(demo.users[persona])
    url = reverse("supplies:minimums", args=[supplies.store_taian.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"item": supplies.item_gloves.pk, "quantity": "5"}).status_code == 404
    assert not MinimumLevel.objects.filter(store=supplies.store_taian, item=supplies.item_gloves).exists()
    assert login(supplies.taian_keeper).post(url, {"item": supplies.item_gloves.pk, "quantity": "5"}).status_code == 404
