"""Place names sort as people read them: 1单元 before 2单元 before 10单元, 第一网格 before 第二网格,
in the place page, the register's building-or-unit list and the levels tree."""

import re

from django.urls import reverse

from tongzhou.places.models import Place, PlaceKind
from tongzhou.places.selectors import natural_key, tree_sorted
from tongzhou.places.services import building_create, place_create


def test_numbers_sort_as_numbers():
    names = ["10单元", "2单元", "1单元", "第十网格", "第二网格", "第一网格", "1栋 2单元", "1栋 10单元", "B栋", "A栋"]
    assert sorted(names, key=natural_key) == [
        "1单元",
        "1栋 2单元",
        "1栋 10单元",
        "2单元",
        "10单元",
        "A栋",
        "B栋",
        "第一网格",
        "第二网格",
        "第十网格",
    ]
    assert sorted(["十十", "一二三四"], key=natural_key)  # not numbers: read as text, no error


def test_the_tree_reads_depth_first_in_natural_order(demo):
    compound = demo.places["taian_compound"]
    for name in ("10栋", "3栋"):
        building_create(actor=demo.taian_staff, compound=compound, name=name, units=0, floors=1, rooms_per_floor=1)
    ordered = [
        p.name for p in tree_sorted(Place.objects.filter(path__startswith=compound.path, depth__lte=compound.depth + 1))
    ]
    assert ordered == ["泰安巷3号院", "1栋", "2栋", "3栋", "10栋"]


def test_pages_list_children_and_units_in_natural_order(demo, client_as):
    compound = demo.places["taian_compound"]
    staff = client_as("taian_staff")
    grid = place_create(actor=demo.taian_staff, parent=demo.places["taian"], kind=PlaceKind.GRID, name="第十网格")
    assert grid.pk
    building_create(actor=demo.taian_staff, compound=compound, name="10栋", units=0, floors=1, rooms_per_floor=1)
    html = staff.get(reverse("places:detail", args=[compound.pk])).content.decode()
    assert html.index("<span>1栋 ") < html.index("<span>2栋 ") < html.index("<span>10栋 ")
    community = staff.get(reverse("places:detail", args=[demo.places["taian"].pk])).content.decode()
    assert community.index("第一网格") < community.index("第二网格") < community.index("第十网格")
    form = staff.get(reverse("people:new")).content.decode()
    options = re.findall(r"<option value=\"\d+\">([^<]+)</option>", form)
    units = [o for o in options if o.startswith("泰安巷3号院 1栋")]
    assert units == ["泰安巷3号院 1栋", "泰安巷3号院 1栋 1单元", "泰安巷3号院 1栋 2单元"]
    assert options.index("泰安巷3号院 2栋") < options.index("泰安巷3号院 10栋")
