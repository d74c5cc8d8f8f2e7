"""Pool advice follows Dorfman's table: tests per person 1/k + 1 − (1 − p)^k over k in {1, 5, 10, 20}."""

import pytest

from tongzhou.testing import pooling


@pytest.mark.parametrize(
    ("rate", "best"),
    [(0.001, 20), (0.01, 10), (0.05, 5), (0.2, 5), (0.31, 1), (0.5, 1)],
)
def test_the_advice_matches_dorfmans_table(rate, best):
    assert pooling.advise(10_000, rate)[0] == best


def test_eleven_is_the_unconstrained_optimum_at_one_percent():
    costs = {k: pooling.tests_per_person(k, 0.01) for k in range(2, 40)}
    assert min(costs, key=costs.get) == 11


def test_the_choices_carry_tubes_and_expected_retests():
    _best, choices = pooling.advise(1000, 0.01)
    ten = next(c for c in choices if c.pool_size == 10)
    assert ten.tubes == 100 and ten.expected_retests == round(1000 * (1 - 0.99**10))
    assert next(c for c in choices if c.pool_size == 1).expected_retests == 0


def test_the_rate_is_estimated_from_pooled_tubes():
    tubes = [(10, True)] * 10 + [(10, False)] * 990
    assert pooling.prevalence_from_tubes(tubes) == pytest.approx(1 - 0.99 ** (1 / 10), rel=1e-3)
    assert pooling.prevalence_from_tubes([]) is None
    assert pooling.prevalence_from_tubes([(5, False)]) == 0.0
