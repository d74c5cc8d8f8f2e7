"""Pool advice (Dorfman, 1943): with pools of k samples and a per-person positive rate p, a pool
is retested one by one when positive, so the tests per person are 1/k + 1 − (1 − p)^k (and 1 for
single tubes). The advice is the k of POOL_SIZES with the fewest tests per person."""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from tongzhou.testing.models import POOL_SIZES


def tests_per_person(k: int, p: float) -> float:
    if k <= 1:
        return 1.0
    return 1 / k + 1 - (1 - p) ** k


def prevalence_from_tubes(tubes: Iterable[tuple[int, bool]]) -> float | None:
    """The per-person positive rate that explains pooled tubes' results: (samples in the tube,
    positive) pairs. Each tube of k is positive with probability 1 − (1 − p)^k; solved by
    bisection on the likelihood's score. None without any tube."""
    data = [(k, positive) for k, positive in tubes if k > 0]
    if not data:
        return None
    if not any(positive for _, positive in data):
        return 0.0
    if all(positive for _, positive in data):
        return 1.0

    def score(p: float) -> float:  # d/dp of the log-likelihood; decreasing in p
        total = 0.0
        for k, positive in data:
            q = (1 - p) ** k
            total += k * q / (1 - p) / (1 - q) if positive else -k / (1 - p)
        return total

    low, high = 1e-9, 1 - 1e-9
    for _ in range(80):
        mid = (low + high) / 2
        if score(mid) > 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2


@dataclass(frozen=True)
class Choice:
    pool_size: int
    tests_per_person: float
    tubes: int
    expected_retests: int


def advise(people: int, p: float) -> tuple[int, list[Choice]]:
    """The best pool size for `people` at positive rate `p`, and every choice's figures."""
    choices = [
        Choice(
            pool_size=k,
            tests_per_person=tests_per_person(k, p),
            tubes=math.ceil(people / k),
            expected_retests=0 if k == 1 else round(people * (1 - (1 - p) ** k)),
        )
        for k in POOL_SIZES
    ]
    best = min(choices, key=lambda c: (c.tests_per_person, c.pool_size))
    return best.pool_size, choices
