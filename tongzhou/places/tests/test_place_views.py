import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongzhou.places.models import Household, Place, PlaceKind


def detail(place: Place) -> str:
    return reverse("places:detail", args=[place.pk])


def test_community_staff_sees_own_community(demo, client_as):
    response = client_as("taian_staff").get(detail(demo.places["taian"]))
    assert response.status_code == 200
    assert "泰安巷社区居民委员会" in response.content.decode()
    assert "第一网格" in response.content.decode()


@pytest.mark.parametrize("username", ["taian_staff", "volunteer", "guard"])
def test_it_hides_other_communities(demo, client_as, username):
    client = client_as(username)
    assert client.get(detail(demo.places["songhua"])).status_code == 404
    assert client.get(detail(demo.places["songhua_compound"])).status_code == 404
    assert client.get(reverse("places:household", args=[demo.places["songhua_household"].pk])).status_code == 404


def test_outside_and_absent_look_the_same(demo, client_as):
    client = client_as("taian_staff")
    missing = Place.objects.order_by("-pk").first().pk + 1000
    outside = client.get(detail(demo.places["songhua"]))
    absent = client.get(reverse("places:detail", args=[missing]))
    assert outside.status_code == absent.status_code == 404
    assert outside.content == absent.content


def test_street_admin_sees_both_communities(demo, client_as):
    client = client_as("street_admin")
    assert client.get(detail(demo.places["taian"])).status_code == 200
    assert client.get(detail(demo.places["songhua"])).status_code == 200
    assert client.get(detail(demo.places["dongfeng"])).status_code == 404


def test_guard_sees_only_the_compound(demo, client_as):
    client = client_as("guard")
    assert client.get(detail(demo.places["taian_compound"])).status_code == 200
    assert client.get(detail(demo.places["taian"])).status_code == 404


@pytest.mark.parametrize("username", ["outsider"])
def test_user_without_roles_sees_no_place(demo, client_as, username):
    client = client_as(username)
    assert client.get(reverse("places:home")).status_code == 404
    assert client.get(detail(demo.places["taian"])).status_code == 404


def test_superuser_without_roles_sees_no_place(demo):
    from django.test import Client

    from tongzhou.accounts.models import User

    admin = User.objects.create_superuser("root", password="root-password-123")
    client = Client()
    client.force_login(admin)
    assert client.get(detail(demo.places["taian"])).status_code == 404


def test_anonymous_is_sent_to_log_in(demo):
    from django.test import Client

    response = Client().get(detail(demo.places["taian"]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_breadcrumbs_link_only_within_scope(demo, client_as):
    compound = demo.places["taian_compound"]
    html = client_as("taian_staff").get(detail(compound)).content.decode()
    assert "二戈街道" in html  # shown as context
    assert f'href="{detail(demo.places["er_ge"])}"' not in html  # but not a link: out of scope
    assert f'href="{detail(demo.places["taian"])}"' in html


def test_staff_create_a_grid_and_a_compound(demo, client_as):
    client = client_as("taian_staff")
    taian = demo.places["taian"]
    response = client.post(reverse("places:create", args=[taian.pk]), {"kind": "grid", "name": "第三网格"})
    grid = Place.objects.get(parent=taian, name="第三网格")
    assert response.status_code == 302
    assert grid.kind == PlaceKind.GRID and grid.path.startswith(taian.path) and grid.depth == taian.depth + 1
    client.post(reverse("places:create", args=[grid.pk]), {"kind": "compound", "name": "泰安巷99号院"})
    assert Place.objects.filter(parent=grid, name="泰安巷99号院", kind=PlaceKind.COMPOUND).exists()


def test_building_form_creates_units_and_rooms(demo, client_as):
    compound = demo.places["taian_compound"]
    response = client_as("taian_staff").post(
        reverse("places:create_building", args=[compound.pk]),
        {"name": "9栋", "units": 3, "floors": 18, "rooms_per_floor": 4},
    )
    assert response.status_code == 302
    building = Place.objects.get(parent=compound, name="9栋")
    units = list(building.children.order_by("name"))
    assert [u.kind for u in units] == [PlaceKind.UNIT] * 3
    assert Household.objects.filter(place__in=units).count() == 3 * 18 * 4
    assert Household.objects.filter(place=units[0], room="1804", floor=18).exists()


def test_building_form_rejects_bad_counts_and_writes_nothing(demo, client_as):
    compound = demo.places["taian_compound"]
    before = (Place.objects.count(), Household.objects.count())
    response = client_as("taian_staff").post(
        reverse("places:create_building", args=[compound.pk]),
        {"name": "10栋", "units": 3, "floors": 500, "rooms_per_floor": 4},
    )
    assert response.status_code == 200
    assert "floors" in response.context["form"].errors
    assert (Place.objects.count(), Household.objects.count()) == before


def test_duplicate_name_is_refused(demo, client_as):
    taian = demo.places["taian"]
    response = client_as("taian_staff").post(
        reverse("places:create", args=[taian.pk]), {"kind": "grid", "name": "第一网格"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert Place.objects.filter(parent=taian, name="第一网格").count() == 1


@pytest.mark.parametrize("username", ["volunteer", "guard", "auditor", "health_officer", "songhua_staff", "outsider"])
def test_personas_without_manage_rights_cannot_create(demo, client_as, username):
    taian = demo.places["taian"]
    before = Place.objects.count()
    response = client_as(username).post(reverse("places:create", args=[taian.pk]), {"kind": "grid", "name": "X"})
    assert response.status_code == 404
    assert Place.objects.count() == before


def test_staff_cannot_create_official_levels(demo, client_as):
    er_ge = demo.places["er_ge"]
    before = Place.objects.count()
    response = client_as("street_admin").post(
        reverse("places:create", args=[er_ge.pk]), {"kind": "community", "name": "X"}
    )
    assert response.status_code in (200, 302)
    assert Place.objects.count() == before


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_place_page_query_count_does_not_grow_with_children(demo, client_as, settings):
    from tongzhou.places.services import place_create

    client = client_as("taian_staff")
    taian = demo.places["taian"]
    few = _queries_for(client, detail(taian))
    for n in range(30):
        place_create(actor=demo.taian_staff, parent=taian, kind=PlaceKind.GRID, name=f"网格{n}")
    assert _queries_for(client, detail(taian)) == few
    assert 3 <= few <= 10, few


def test_search_finds_only_within_scope(demo, client_as):
    html = client_as("taian_staff").get(reverse("places:search"), {"q": "号院"}).content.decode()
    assert "泰安巷3号院" in html
    assert "松花巷8号院" not in html


def test_export_is_scoped_and_audited(demo, client_as):
    from tongzhou.core.audit import CoreAudit
    from tongzhou.core.models import AuditEvent

    client = client_as("taian_staff")
    response = client.get(reverse("places:export", args=[demo.places["taian"].pk]))
    body = b"".join(response.streaming_content).decode()
    assert "泰安巷3号院" in body and "松花巷" not in body
    assert AuditEvent.objects.filter(action=CoreAudit.EXPORTED, actor=demo.taian_staff).count() == 1
    assert client.get(reverse("places:export", args=[demo.places["songhua"].pk])).status_code == 404
    assert client_as("volunteer").get(reverse("places:export", args=[demo.places["taian"].pk])).status_code == 404


@pytest.mark.parametrize("username", ["volunteer", "guard", "auditor", "health_officer", "songhua_staff", "outsider"])
def test_personas_without_manage_rights_cannot_add_buildings_or_rename(demo, client_as, username):
    compound = demo.places["taian_compound"]
    before = (Place.objects.count(), Household.objects.count(), compound.name)
    client = client_as(username)
    response = client.post(
        reverse("places:create_building", args=[compound.pk]),
        {"name": "99栋", "units": 1, "floors": 2, "rooms_per_floor": 2},
    )
    assert response.status_code == 404
    assert client.post(reverse("places:rename", args=[compound.pk]), {"name": "改名"}).status_code == 404
    compound.refresh_from_db()
    assert (Place.objects.count(), Household.objects.count(), compound.name) == before


def test_staff_rename_their_compound_but_not_an_official_place(demo, client_as):
    from tongzhou.core.models import AuditEvent
    from tongzhou.places.audit import PlacesAudit

    client = client_as("taian_staff")
    compound = demo.places["taian_compound"]
    assert client.post(reverse("places:rename", args=[compound.pk]), {"name": "泰安巷3号大院"}).status_code == 302
    compound.refresh_from_db()
    assert compound.name == "泰安巷3号大院"
    assert AuditEvent.objects.get(action=PlacesAudit.PLACE_CHANGED).details["old_name"] == "泰安巷3号院"
    taian = demo.places["taian"]
    response = client.post(reverse("places:rename", args=[taian.pk]), {"name": "别名"})
    assert response.status_code == 200 and response.context["form"].errors
    taian.refresh_from_db()
    assert taian.name == "泰安巷社区居民委员会"


@pytest.mark.parametrize("username", ["outsider"])
def test_search_needs_a_role(demo, client_as, username):
    assert client_as(username).get(reverse("places:search"), {"q": "泰安"}).status_code == 404
