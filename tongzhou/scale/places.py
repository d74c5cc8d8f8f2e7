"""The places of the generated district: the real divisions down to the communities, then
compounds of eight buildings of 24 households below each."""

import gzip
import random
from pathlib import Path

from tongzhou.core.bulk import insert_many
from tongzhou.places.importers import write_divisions
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.scale.common import CityStats, Community

DIVISIONS = Path(__file__).resolve().parent / "data" / "guiyang"
FIRST_DISTRICT = "520102"
ROOMS = [(floor, room) for floor in range(1, 7) for room in range(1, 5)]  # 24 households a building
BUILDINGS_PER_COMPOUND = 8


def _read(stem: str) -> list[list[str]]:
    import csv
    import io

    with gzip.open(DIVISIONS / f"{stem}.csv.gz", "rt", encoding="utf-8") as handle:
        return list(csv.reader(io.StringIO(handle.read())))[1:]


def divisions(communities: int) -> list[str]:
    """Import the chosen communities and the places above them (as the division import writes
    them, from rows already checked when the subset was cut); returns the communities' codes."""
    villages = sorted(row for row in _read("villages") if row[5] >= FIRST_DISTRICT)[:communities]
    if len(villages) < communities:
        raise ValueError(f"Guiyang has {len(villages)} communities from {FIRST_DISTRICT} on, not {communities}.")
    streets = {row[2] for row in villages}
    areas = {row[5] for row in villages}
    write_divisions(
        [
            [(row[0], row[1], None) for row in _read("provinces")],
            [(row[0], row[1], row[2]) for row in _read("cities")],
            [(row[0], row[1], row[2]) for row in _read("areas") if row[0] in areas],
            [(row[0], row[1], row[2]) for row in _read("streets") if row[0] in streets],
            [(row[0], row[1], row[2]) for row in villages],
        ]
    )
    return [row[0] for row in villages]


def places(community: Place, residents: int, rng: random.Random, stats: CityStats) -> Community:
    """Compounds, buildings and households enough for `residents` at about three a household."""
    street = community.parent
    assert street is not None
    households = max(1, residents // 3)
    buildings = max(1, -(-households // len(ROOMS)))
    compounds = max(1, -(-buildings // BUILDINGS_PER_COMPOUND))
    short = community.name.removesuffix("居委会").removesuffix("居民委员会").removesuffix("社区")
    made_compounds = [
        Place(
            kind=PlaceKind.COMPOUND,
            name=f"{short}{k + 1}号院",
            parent=community,
            depth=community.depth + 1,
            path=f"{community.path}k{k + 1}/",
        )
        for k in range(compounds)
    ]
    insert_many(made_compounds)
    made_buildings = [
        Place(
            kind=PlaceKind.BUILDING,
            name=f"{b % BUILDINGS_PER_COMPOUND + 1}栋",
            parent=made_compounds[b // BUILDINGS_PER_COMPOUND],
            depth=community.depth + 2,
            path=f"{made_compounds[b // BUILDINGS_PER_COMPOUND].path}b{b % BUILDINGS_PER_COMPOUND + 1}/",
        )
        for b in range(buildings)
    ]
    insert_many(made_buildings)
    made_households = [
        Household(place=made_buildings[h // len(ROOMS)], floor=floor, room=f"{floor}{room:02d}")
        for h in range(households)
        for floor, room in [ROOMS[h % len(ROOMS)]]
    ]
    insert_many(made_households)
    stats.count("places", compounds + buildings)
    stats.count("households", households)
    return Community(community, street, made_compounds, made_buildings, made_households)
