"""The demo's places (called by `tongzhou.demo`): the official codes of Er Ge Street and the three
communities with compounds, their duty phones, and the grids, compounds and buildings laid out in
them; and the look-ups the other apps' demo modules share."""

from dataclasses import dataclass

from tongzhou.places.models import Place

ER_GE = "520102029"
TAIAN = "520102029004"
SONGHUA = "520102029006"
DONGFENG = "220102010003"
# The committees' duty phones printed on notices (made-up numbers).
DUTY_PHONES = {TAIAN: "0851-85800004", SONGHUA: "0851-85800006", DONGFENG: "0431-88800003"}


@dataclass(frozen=True)
class Building:
    name: str
    units: int
    floors: int
    rooms: int


# community code -> grid -> compound -> buildings
LAYOUT: dict[str, dict[str, dict[str, list[Building]]]] = {
    TAIAN: {
        "第一网格": {
            "泰安巷3号院": [Building("1栋", 2, 7, 2), Building("2栋", 1, 6, 3)],
            "泰安巷17号院": [Building("1栋", 3, 18, 4)],
        },
        "第二网格": {"泰安巷45号院": [Building("1栋", 0, 5, 2), Building("2栋", 0, 5, 2)]},
    },
    SONGHUA: {
        "第一网格": {"松花巷8号院": [Building("1栋", 2, 9, 2)]},
        "第二网格": {"松花巷22号院": [Building("A栋", 1, 11, 4), Building("B栋", 1, 11, 4)]},
    },
    DONGFENG: {"第一网格": {"东风社区1号院": [Building("1栋", 4, 6, 2), Building("2栋", 4, 6, 2)]}},
}


def _existing(parent: Place, name: str) -> Place | None:
    return Place.objects.filter(parent=parent, name=name).first()


def _place(ref: str) -> Place:
    code, *names = ref.split("/")
    place = Place.objects.get(code=code)
    for name in names:
        place = Place.objects.get(parent=place, name=name)
    return place
