"""One count of 防范区/管控区/封控区 (`checkpoints.selectors.level_area_counts`), the same on the
dashboard and on the levels page; the overview colours each tile by the strictest level inside."""

import json

import pytest
from django.urls import reverse

from tongzhou.checkpoints.models import ControlLevel
from tongzhou.checkpoints.selectors import level_area_counts
from tongzhou.checkpoints.services import control_decide, control_request
from tongzhou.core.scope import Scope
from tongzhou.places.models import Place, PlaceKind


@pytest.fixture
def levels(demo):
    """泰安巷3号院 and all of 松花巷 controlled, one building of 3号院 set controlled as well (the
    same area), 泰安巷17号院 sealed."""
    admin = demo.street_admin
    compound = demo.places["taian_compound"]
    control_request(actor=admin, place=compound, level=ControlLevel.CONTROLLED, reason="密接")
    building = Place.objects.filter(parent=compound, kind=PlaceKind.BUILDING).order_by("path").first()
    control_request(actor=admin, place=building, level=ControlLevel.CONTROLLED, reason="密接")
    control_request(actor=admin, place=demo.places["songhua"], level=ControlLevel.CONTROLLED, reason="区通知")
    sealed = Place.objects.get(name="泰安巷17号院")
    control_decide(
        actor=demo.health_officer,
        change=control_request(actor=admin, place=sealed, level=ControlLevel.SEALED, reason="确诊"),
        approve=True,
    )
    return {"sealed": sealed}


def test_an_area_is_counted_once_at_its_top_place(demo, levels):
    street = level_area_counts(Scope.of([demo.places["er_ge"].path]))
    assert street == {ControlLevel.PRECAUTION: 0, ControlLevel.CONTROLLED: 2, ControlLevel.SEALED: 1}
    assert level_area_counts(Scope.of([demo.places["taian"].path]))[ControlLevel.CONTROLLED] == 1
    # Seen from inside a controlled community, one's own place is the area.
    inside = Place.objects.filter(path__startswith=demo.places["songhua"].path, kind=PlaceKind.COMPOUND).first()
    assert level_area_counts(Scope.of([inside.path]))[ControlLevel.CONTROLLED] == 1
    assert level_area_counts(Scope.of([demo.places["dongfeng"].path]))[ControlLevel.CONTROLLED] == 0


@pytest.mark.parametrize("username", ["street_admin", "taian_staff", "songhua_staff"])
def test_the_dashboard_and_the_levels_page_give_one_count(demo, levels, client_as, username):
    client = client_as(username)
    dashboard = dict(client.get(reverse("reports:dashboard")).context["gates"]["levels"])
    page = {label: n for label, n, _colour in client.get(reverse("checkpoints:levels")).context["counts"]}
    assert dashboard == page
    assert sum(page.values()) > 0


def test_the_overview_colours_a_tile_by_the_strictest_level_inside(demo, levels, client_as):
    chart = client_as("street_admin").get(reverse("checkpoints:levels")).context["chart"]
    series = chart["series"][0]
    assert series["name"] == demo.places["er_ge"].name  # the breadcrumb's first step is named
    communities = {node["name"]: node for node in series["data"][0]["children"]}
    colours = {level: node["itemStyle"]["color"] for level, node in ((n["strictest"], n) for n in communities.values())}
    taian = communities[demo.places["taian"].name]
    assert (taian["level"], taian["strictest"]) == (ControlLevel.NONE, ControlLevel.SEALED)
    assert communities[demo.places["songhua"].name]["strictest"] == ControlLevel.CONTROLLED
    assert len(set(colours.values())) == 3  # normal, controlled and sealed tiles differ
    assert json.dumps(chart)  # travels as JSON
