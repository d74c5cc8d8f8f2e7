"""The gates (one per compound) and their passages, with fevers and refusals."""

import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tongzhou.checkpoints.models import Gate, Passage
from tongzhou.core.bulk import insert_many
from tongzhou.scale.common import CityStats, Community, when, write


def gates_and_passages(
    place: Community, days: list[date], rng: random.Random, now: datetime, stats: CityStats, per_day: int = 40
) -> None:
    gates = [Gate(place=compound, place_path=compound.path, name="大门") for compound in place.compounds]
    insert_many(gates)
    place.gates = gates
    stats.count("gates", len(gates))
    by_compound: dict[str, list[int]] = {}
    for household in place.households:
        by_compound.setdefault(household.place.path.rsplit("/b", 1)[0] + "/", []).append(household.pk)

    def passages() -> Iterator[dict[str, Any]]:
        for gate in gates:
            homes = by_compound[gate.place_path]
            for day in days:
                for n in range(per_day):
                    at = when(day, 6 + 16 * n / per_day + rng.random() * 0.3)
                    if at > now:
                        break
                    roll = rng.random()
                    fever = roll < 0.002
                    refused = fever or roll > 0.99
                    yield {
                        "scanned_at": at,
                        "received_at": at,
                        "gate_id": gate.pk,
                        "place_path": gate.place_path,
                        "client_uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "household_id": rng.choice(homes),
                        "direction": "in" if n % 2 else "out",
                        "temperature": Decimal("37.9") if fever else Decimal(f"36.{rng.randint(0, 8)}"),
                        "allowed": not refused,
                        "reason": "fever" if fever else ("unknown" if refused else "ok"),
                    }

    write(Passage, passages(), stats, "passages")
