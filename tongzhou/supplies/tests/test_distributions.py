"""Household distributions in a sealed place: packing a building takes its parcels out of the
store's ledger in one batch; the building lead ticks households delivered (twice counts once) only
in their own buildings; the resident confirms through their personal link (their household's
parcel only); the not-reached list; bad input; the public ledger shows counts only."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tongzhou.people.models import Person
from tongzhou.people.services import personal_link_token
from tongzhou.places.models import Place
from tongzhou.supplies import distribution_selectors as selectors
from tongzhou.supplies.distribution_services import (
    ParcelLine,
    distribution_create,
    distribution_pack,
    household_deliver,
    runner_assign,
)
from tongzhou.supplies.models import (
    Balance,
    Distribution,
    DistributionHousehold,
    DistributionPack,
    Entry,
    EntryKind,
    ItemKind,
)
from tongzhou.supplies.services.catalogue import item_create
from tongzhou.supplies.services.ledger import stock_receive


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def food(supplies):
    """Vegetable parcels and rice in 泰安巷's storeroom."""
    veg = item_create(actor=None, name="蔬菜包", kind=ItemKind.FOOD, unit="份")
    rice = item_create(actor=None, name="大米", kind=ItemKind.FOOD, unit="斤", counted=False)
    stock_receive(actor=None, store=supplies.store_taian, item=veg, quantity=100)
    stock_receive(actor=None, store=supplies.store_taian, item=rice, quantity="500")
    return veg, rice


def on_hand(store, item):
    return sum(Balance.objects.filter(store=store, item=item, in_transit=False).values_list("quantity", flat=True))


@pytest.fixture
def parcels(supplies, demo, food):
    """A parcel per household and a jin of rice per person for 泰安巷3号院 (two buildings)."""
    veg, rice = food
    return distribution_create(
        actor=demo.taian_staff,
        place=demo.places["taian_compound"],
        store=supplies.store_taian,
        name="蔬菜包",
        lines=[ParcelLine(veg.pk, 1), ParcelLine(rice.pk, "1", "person")],
    )


def building(demo, name):
    return Place.objects.get(parent=demo.places["taian_compound"], name=name)


def test_packing_a_building_issues_its_parcels_from_the_ledger_in_one_batch(supplies, demo, food, parcels):
    veg, rice = food
    second = building(demo, "2栋")
    rows = DistributionHousehold.objects.filter(distribution=parcels, building=second)
    households, people = rows.count(), sum(r.people for r in rows)
    assert households == 18 and people > 0
    before = (on_hand(supplies.store_taian, veg), on_hand(supplies.store_taian, rice))
    pack = distribution_pack(actor=demo.taian_staff, distribution=parcels, building_id=second.pk)
    assert on_hand(supplies.store_taian, veg) == before[0] - households
    assert on_hand(supplies.store_taian, rice) == before[1] - people
    entries = Entry.objects.filter(batch=pack.batch)
    assert {e.kind for e in entries} == {EntryKind.ISSUED}
    assert sum(e.quantity for e in entries if e.item_id == veg.pk) == -households
    # Once per building: a second packing is refused and takes nothing.
    with pytest.raises(ValidationError) as error:
        distribution_pack(actor=demo.taian_staff, distribution=parcels, building_id=second.pk)
    assert "building" in error.value.message_dict
    assert on_hand(supplies.store_taian, veg) == before[0] - households


def test_packing_more_than_in_stock_is_refused_and_writes_nothing(supplies, demo, food):
    veg, _rice = food
    scarce = item_create(actor=None, name="鸡蛋", kind=ItemKind.FOOD, unit="盒")
    stock_receive(actor=None, store=supplies.store_taian, item=scarce, quantity=5)
    distribution = distribution_create(
        actor=demo.taian_staff,
        place=demo.places["taian_compound"],
        store=supplies.store_taian,
        name="鸡蛋",
        lines=[ParcelLine(veg.pk, 1), ParcelLine(scarce.pk, 1)],
    )
    entries, veg_before = Entry.objects.count(), on_hand(supplies.store_taian, veg)
    with pytest.raises(ValidationError) as error:
        distribution_pack(actor=demo.taian_staff, distribution=distribution, building_id=building(demo, "2栋").pk)
    assert any(m.startswith("Row 2") and "鸡蛋" in m for m in error.value.message_dict["building"])
    assert Entry.objects.count() == entries
    assert on_hand(supplies.store_taian, veg) == veg_before
    assert not DistributionPack.objects.filter(distribution=distribution).exists()


@pytest.mark.parametrize(
    ("item", "quantity", "per", "message"),
    [
        ("veg", "-1", "household", "greater than zero"),
        ("veg", "1.5", "household", "whole"),
        ("unknown", "1", "household", "catalogue"),
        ("veg", "abc", "household", "number"),
        ("veg", "1", "family", "per household or per person"),
    ],
)
def test_bad_lines_are_named_by_row_and_nothing_is_written(supplies, demo, food, item, quantity, per, message):
    veg, rice = food
    item_id = {"veg": veg.pk, "unknown": 999999}[item]
    with pytest.raises(ValidationError) as error:
        distribution_create(
            actor=demo.taian_staff,
            place=demo.places["taian_compound"],
            store=supplies.store_taian,
            name="坏",
            lines=[ParcelLine(rice.pk, "1", "person"), ParcelLine(item_id, quantity, per)],
        )
    lines = error.value.message_dict["lines"]
    assert lines[0].startswith("Row 2") and message in lines[0], lines
    assert not Distribution.objects.exists() and not DistributionHousehold.objects.exists()


def test_bad_form_answers_400_naming_the_row(supplies, demo, food):
    veg, _rice = food
    client = login(demo.taian_staff)
    response = client.post(
        reverse("supplies:distribution_create"),
        {
            "name": "蔬菜包",
            "place": demo.places["taian_compound"].pk,
            "store": supplies.store_taian.pk,
            "item1": veg.pk,
            "quantity1": "-2",
            "per1": "household",
        },
    )
    assert response.status_code == 400
    assert "Row 1" in response.content.decode()
    assert client.post(reverse("supplies:distribution_create"), {"name": "", "place": "abc"}).status_code == 400
    assert not Distribution.objects.exists()


def test_the_lead_ticks_delivered_once_and_the_not_reached_list_follows(supplies, demo, parcels):
    second = building(demo, "2栋")
    distribution_pack(actor=demo.taian_staff, distribution=parcels, building_id=second.pk)
    rows = list(DistributionHousehold.objects.filter(distribution=parcels, building=second).order_by("room"))
    client = login(demo.building_lead)
    url = reverse("supplies:deliver", args=[parcels.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert {r.pk for r, _parcel in page.context["rows"]} >= {r.pk for r in rows}
    for _tap in range(2):  # tapping twice counts once
        assert client.post(url, {"row": rows[0].pk}).status_code == 302
    assert household_deliver(actor=demo.building_lead, row=rows[1]) is True
    assert household_deliver(actor=demo.building_lead, row=rows[1]) is False
    summary = {b.building.name: b for b in selectors.buildings_of(parcels)}
    assert summary["2栋"].delivered == 2
    assert summary["2栋"].left == 16
    assert {r.pk for r in summary["2栋"].not_reached} == {r.pk for r in rows[2:]}
    assert summary["1栋"].delivered == 0 and summary["1栋"].left == summary["1栋"].households
    # The staff's page shows the counts per building.
    staff_page = login(demo.taian_staff).get(reverse("supplies:distribution", args=[parcels.pk]))
    assert staff_page.status_code == 200
    assert 'data-left="16"' in staff_page.content.decode()


def test_a_building_not_packed_cannot_be_delivered(supplies, demo, parcels):
    row = DistributionHousehold.objects.filter(distribution=parcels, building=building(demo, "1栋")).first()
    with pytest.raises(ValidationError):
        household_deliver(actor=demo.building_lead, row=row)
    row.refresh_from_db()
    assert row.delivered_at is None


def test_the_resident_confirms_through_their_personal_link_and_only_their_own(supplies, demo, parcels):
    second = building(demo, "2栋")
    distribution_pack(actor=demo.taian_staff, distribution=parcels, building_id=second.pk)
    residents = list(
        Person.objects.filter(household__place__path__startswith=second.path).order_by("household_id", "pk")
    )
    mine = residents[0]
    other = next(p for p in residents if p.household_id != mine.household_id)
    my_row = DistributionHousehold.objects.get(distribution=parcels, household_id=mine.household_id)
    other_row = DistributionHousehold.objects.get(distribution=parcels, household_id=other.household_id)
    client = Client()
    url = reverse("portal:parcels", args=[personal_link_token(mine)])
    page = client.get(url)
    assert page.status_code == 200
    assert [r.pk for r, _parcel in page.context["rows"]] == [my_row.pk]
    # Another household's parcel cannot be confirmed through this link.
    assert client.post(url, {"parcel": other_row.pk}).status_code == 404
    assert client.post(url, {"parcel": "junk"}).status_code == 404
    other_row.refresh_from_db()
    assert other_row.confirmed_at is None
    assert client.post(url, {"parcel": my_row.pk}).status_code == 302
    my_row.refresh_from_db()
    assert my_row.confirmed_at is not None and my_row.delivered_at is not None
    # A confirmed household is reached.
    summary = {b.building.name: b for b in selectors.buildings_of(parcels)}
    assert summary["2栋"].confirmed == 1 and my_row.pk not in {r.pk for r in summary["2栋"].not_reached}
    assert Client().get(reverse("portal:parcels", args=["forged"])).status_code == 404


def test_out_of_scope_is_404(supplies, demo, food):
    """松花巷 staff and keeper do not see 泰安巷's distribution; the building lead of 泰安巷3号院 ticks
    only there; a volunteer only in the building they were assigned to."""
    veg, _rice = food
    community = demo.places["taian"]
    parcels = distribution_create(
        actor=demo.taian_staff,
        place=community,
        store=supplies.store_taian,
        name="全社区蔬菜包",
        lines=[ParcelLine(veg.pk, 1)],
    )
    away = Place.objects.get(parent__name="泰安巷45号院", parent__parent__parent=community, name="1栋")
    for b in (building(demo, "2栋"), away):
        distribution_pack(actor=demo.taian_keeper, distribution=parcels, building_id=b.pk)
    home = DistributionHousehold.objects.filter(distribution=parcels, building=building(demo, "2栋")).first()
    far = DistributionHousehold.objects.filter(distribution=parcels, building=away).first()
    for name in ("supplies:distribution", "supplies:distribution_pack", "supplies:distribution_runner"):
        url = reverse(name, args=[parcels.pk])
        for persona in ("songhua_staff", "songhua_keeper", "volunteer", "building_lead"):
            client = login(demo.users[persona])
            assert client.get(url).status_code in (404, 405), (name, persona)
            assert client.post(url, {"building": away.pk, "user": demo.volunteer.pk}).status_code == 404
    pdf = reverse("supplies:packing_pdf", args=[parcels.pk, away.pk])
    assert login(demo.songhua_staff).get(pdf).status_code == 404
    assert login(demo.building_lead).get(pdf).status_code == 404
    assert login(demo.songhua_staff).get(reverse("supplies:deliver", args=[parcels.pk])).status_code == 404
    assert not DistributionPack.objects.filter(distribution=parcels, building=building(demo, "1栋")).exists()

    lead = login(demo.building_lead)
    deliver = reverse("supplies:deliver", args=[parcels.pk])
    assert {r.building_id for r, _parcel in lead.get(deliver).context["rows"]} <= {
        b.pk for b in Place.objects.filter(parent=demo.places["taian_compound"])
    }
    assert lead.post(deliver, {"row": far.pk}).status_code == 404
    far.refresh_from_db()
    assert far.delivered_at is None

    volunteer = login(demo.volunteer)
    assert volunteer.get(deliver).status_code == 404
    runner_assign(actor=demo.taian_staff, distribution=parcels, building_id=away.pk, user_id=demo.volunteer.pk)
    assert {r.building_id for r, _parcel in volunteer.get(deliver).context["rows"]} == {away.pk}
    assert volunteer.post(deliver, {"row": home.pk}).status_code == 404
    assert volunteer.post(deliver, {"row": far.pk}).status_code == 302
    far.refresh_from_db()
    home.refresh_from_db()
    assert far.delivered_by_id == demo.volunteer.pk and home.delivered_at is None


def test_packing_list_page_and_pdf(supplies, demo, parcels):
    second = building(demo, "2栋")
    client = login(demo.taian_staff)
    page = client.get(reverse("supplies:packing_list", args=[parcels.pk, second.pk]))
    assert page.status_code == 200
    packing = page.context["packing"]
    assert len(packing.rows) == 18
    totals = dict((item.name, q) for item, q in packing.totals)
    assert totals["蔬菜包"] == 18
    assert totals["大米"] == sum(Decimal(r.people) for r, _parcel in packing.rows)
    pdf = client.get(reverse("supplies:packing_pdf", args=[parcels.pk, second.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("supplies:packing_list", args=[parcels.pk, 999999])).status_code == 404


def test_the_public_ledger_counts_parcels_and_names_no_one(supplies, demo, parcels):
    second = building(demo, "2栋")
    distribution_pack(actor=demo.taian_staff, distribution=parcels, building_id=second.pk)
    rows = list(DistributionHousehold.objects.filter(distribution=parcels, building=second).order_by("room")[:3])
    for row in rows:
        household_deliver(actor=demo.building_lead, row=row)
    page = Client().get(reverse("supplies:public_ledger", args=[demo.places["er_ge"].code]))
    html = page.content.decode()
    assert [(d.place, d.parcels, d.households) for d in page.context["distributions"]] == [("泰安巷3号院", 3, 3)]
    assert 'id="public-distributions"' in html
    residents = Person.objects.filter(household_id__in=[r.household_id for r in rows])
    for person in residents:
        assert person.name not in html
    for row in rows:
        assert row.room not in html
    assert demo.building_lead.display_name not in html
