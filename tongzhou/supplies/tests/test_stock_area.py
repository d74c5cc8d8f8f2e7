"""The stock page of an area: every store up to a street, totals per child place above, a drill-down
that stays within the user's scope, and a query count that does not grow with the area."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongzhou.accounts.services import role_grant
from tongzhou.core.permissions import Role
from tongzhou.places.models import Place, PlaceKind
from tongzhou.supplies.models import StoreKind
from tongzhou.supplies.services.catalogue import store_create
from tongzhou.supplies.services.ledger import stock_receive


def login(user):
    client = Client()
    client.force_login(user)
    return client


def official(parent, kind, code, name):
    return Place.objects.create(
        kind=kind, code=code, name=name, parent=parent, depth=parent.depth + 1, path=f"{parent.path}{code}/"
    )


def grow(district, supplies, streets, communities=2, stores=2):
    """`streets` more streets in the district, each with communities holding stores of masks."""
    made = []
    for s in range(streets):
        street = official(district, PlaceKind.STREET, f"{district.code}9{s:02d}", f"新街道{s}")
        for c in range(communities):
            community = official(street, PlaceKind.COMMUNITY, f"{street.code}{c:03d}", f"{street.name}社区{c}")
            for n in range(stores):
                store = store_create(
                    actor=None, place=community, name=f"{community.name}库{n}", kind=StoreKind.STOREROOM
                )
                stock_receive(actor=None, store=store, item=supplies.item_gloves, quantity=10)
        made.append(street)
    return made


@pytest.fixture
def district(demo, supplies):
    er_ge = supplies.store_warehouse.place
    return er_ge.parent


@pytest.fixture
def district_admin(demo, district):
    from tongzhou.accounts.models import User

    user = User.objects.create_user(username="district_admin_t", password="x-Password-1")
    role_grant(actor=None, user=user, role=Role.DISTRICT_ADMIN, place=district)
    return user


def test_a_street_admin_keeps_the_per_store_list(demo, supplies):
    page = login(demo.users["street_admin"]).get(reverse("supplies:stock"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="stock"' in html and "泰安巷社区储藏室" in html and 'id="stock-children"' not in html


def test_a_district_admin_sees_totals_per_street_and_drills_down(supplies, district, district_admin):
    streets = grow(district, supplies, 2)
    client = login(district_admin)
    page = client.get(reverse("supplies:stock"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="stock-children"' in html and 'id="stock"' not in html
    assert "二戈街道" in html and "新街道0" in html and 'data-chart="stock-chart"' in html
    children = {c.place.pk: c for c in page.context["children"]}
    assert children[streets[0].pk].stores == 4
    assert children[streets[0].pk].on_hand(supplies.item_gloves.pk) == 40
    masks = next(i for i in page.context["items"] if i.item_id == supplies.item_gloves.pk)
    street_masks = sum(c.on_hand(supplies.item_gloves.pk) for c in page.context["children"])
    assert masks.on_hand == street_masks  # the per-item totals are the sum of the children
    # Down into a street: a single street of 4 stores lists its stores.
    street = client.get(reverse("supplies:stock_place", args=[streets[0].pk]))
    assert street.status_code == 200
    html = street.content.decode()
    assert 'id="stock"' in html and "新街道0社区1库1" in html and "新街道1社区0库0" not in html
    assert 'id="stock-trail"' in html


def test_a_street_past_one_page_of_stores_shows_totals_per_community(supplies, district, district_admin, monkeypatch):
    from tongzhou.supplies import selectors

    monkeypatch.setattr(selectors, "STORE_LIST_MAX", 3)
    street = grow(district, supplies, 1)[0]
    page = login(district_admin).get(reverse("supplies:stock_place", args=[street.pk]))
    assert page.status_code == 200
    assert [c.place.name for c in page.context["children"]] == ["新街道0社区0", "新街道0社区1"]
    assert [c.stores for c in page.context["children"]] == [2, 2]


def test_the_query_count_does_not_grow_with_the_district(supplies, district, district_admin):
    client = login(district_admin)
    grow(district, supplies, 2)
    client.get(reverse("supplies:stock"))
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("supplies:stock")).status_code == 200
    for s in range(3):
        official_street = official(district, PlaceKind.STREET, f"{district.code}8{s:02d}", f"大街道{s}")
        for c in range(4):
            community = official(
                official_street, PlaceKind.COMMUNITY, f"{official_street.code}{c:03d}", f"大社区{s}-{c}"
            )
            for n in range(3):
                store = store_create(actor=None, place=community, name=f"大库{s}-{c}-{n}", kind=StoreKind.STOREROOM)
                stock_receive(actor=None, store=store, item=supplies.item_gloves, quantity=5)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("supplies:stock")).status_code == 200
    assert len(large) == len(small)


@pytest.mark.parametrize("who", ["street_admin", "taian_staff"])
def test_a_place_outside_the_scope_or_absent_is_404(demo, supplies, district, who):
    client = login(demo.users[who])
    assert client.get(reverse("supplies:stock_place", args=[district.pk])).status_code == 404
    assert client.get(reverse("supplies:stock_place", args=[10**9])).status_code == 404
    assert client.get("/supplies/places/junk/").status_code == 404
    assert client.get(reverse("supplies:stock"), {"page": "junk"}).status_code == 200


def test_a_community_staff_narrows_to_their_own_grid(demo, supplies):
    taian = supplies.store_taian.place
    grid = Place.objects.filter(parent=taian).order_by("path").first()
    client = login(demo.users["taian_staff"])
    page = client.get(reverse("supplies:stock_place", args=[grid.pk]))
    assert page.status_code == 200
    songhua = supplies.store_songhua.place
    assert client.get(reverse("supplies:stock_place", args=[songhua.pk])).status_code == 404


def test_the_districts_own_store_is_a_row_of_its_own_with_its_link(supplies, district, district_admin):
    grow(district, supplies, 2)
    store = store_create(actor=None, place=district, name="区物资储备库", kind=StoreKind.WAREHOUSE)
    stock_receive(actor=None, store=store, item=supplies.item_gloves, quantity=7)
    page = login(district_admin).get(reverse("supplies:stock"))
    first = page.context["children"][0]
    assert first.is_self and first.stores == 1 and first.on_hand(supplies.item_gloves.pk) == 7
    assert reverse("supplies:store", args=[store.pk]) in page.content.decode()
    masks = next(i for i in page.context["items"] if i.item_id == supplies.item_gloves.pk)
    assert masks.on_hand == sum(c.on_hand(supplies.item_gloves.pk) for c in page.context["children"])


def test_a_user_of_two_communities_sees_one_row_each_and_may_open_either(demo, supplies):
    from tongzhou.accounts.models import User

    taian, songhua = supplies.store_taian.place, supplies.store_songhua.place
    user = User.objects.create_user(username="two_places", password="x-Password-1")
    for place in (taian, songhua):
        role_grant(actor=None, user=user, role=Role.COMMUNITY_STAFF, place=place)
    client = login(user)
    page = client.get(reverse("supplies:stock"))
    assert page.status_code == 200
    assert [c.place.pk for c in page.context["children"]] == sorted(
        [taian.pk, songhua.pk], key=lambda pk: Place.objects.get(pk=pk).path
    )
    for place in (taian, songhua):
        assert client.get(reverse("supplies:stock_place", args=[place.pk])).status_code == 200
    assert client.get(reverse("supplies:stock_place", args=[taian.parent.pk])).status_code == 404
