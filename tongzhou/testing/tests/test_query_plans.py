"""PostgreSQL plans of a testing round's hot queries over a city (tongzhou.core.query_plans): the
samples are partitioned by month of their round's first day, with two years of rounds in them.
A round's reads (the untested list per building and of one place, the sampling page's search, the
resident's own rounds, a positive tube's members) read the register and the samples by index, and
of the samples the round's month only."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from tongzhou.core import partitions
from tongzhou.core.query_plans import Plan, assert_no_seq_scan, clone_rows, plans_of
from tongzhou.core.scope import Scope
from tongzhou.people.models import Person
from tongzhou.testing.models import Result, Round, Sample, Tube, round_samples
from tongzhou.testing.partitions import SAMPLES
from tongzhou.testing.selectors import rounds_of_person, sampling_matches, untested_by_building, untested_people
from tongzhou.testing.services import TubeResult, results_record, sample_take

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BIG = ("people_person", "testing_sample")
ROUNDS = 20_000
DAYS = 730  # the cloned rounds start on each of the last two years' days


@pytest.fixture
def round_(demo: Any, make_round: Callable[..., Round], residents: list[Person]) -> Round:
    """The round over 泰安巷3号院 with five samples in one tube, 100,000 residents elsewhere, and
    200,000 samples in 20,000 tubes of 20,000 other rounds, over two years of monthly partitions."""
    test_round = make_round(pool_size=5)
    for person in residents[:5]:
        sample_take(actor=demo.volunteer, test_round=test_round, person=person, barcode="TZ-1")
    partitions.ensure_partitions(SAMPLES, since=timezone.localdate() - timedelta(days=DAYS))
    clone_rows("people_person", 100_000, place_path="'/99/' || (g % 5000) || '/'", name="'居民' || g")
    # Round pk + k starts on current_date - k % DAYS; its samples carry that day.
    day = f"current_date - (g % {DAYS})"
    clone_rows("testing_round", ROUNDS, starts_on=day, ends_on=day)
    k = f"(g % {ROUNDS} + 1)"
    clone_rows("testing_tube", ROUNDS, barcode="'TZ-C' || g")
    clone_rows(
        "testing_sample",
        200_000,
        round_id=f"{test_round.pk} + {k}",
        round_on=f"current_date - ({k} % {DAYS})",
        # Ten samples a round, of ten of the cloned residents.
        person_id="(SELECT max(id) FROM people_person) - g % 99991",
        tube_id=f"(SELECT max(id) FROM testing_tube) - g % {ROUNDS}",  # noqa: S608 (a test expression)
        client_uuid="md5(g::text)::uuid",
        place_path="'/99/' || (g % 5000) || '/'",
    )
    return test_round


def _one_month(plans: list[Plan], *rounds: Round) -> None:
    """The plans read the samples of the rounds' months only (one month for one round)."""
    months = {SAMPLES.partition_name(r.starts_on.replace(day=1)) for r in rounds}
    read = [plan for plan in plans if plan.relations("testing_sample")]
    assert read, "no query read the samples"
    for plan in read:
        assert plan.relations("testing_sample") <= months, f"{plan.relations('testing_sample')}:\n{plan.sql}"


def test_the_samples_are_spread_over_the_months(round_: Round) -> None:
    """The check of the others: without the day, a round's read goes through every month."""
    made = [name for name in partitions.existing_partitions(SAMPLES) if name != SAMPLES.default]
    assert len(made) >= 24
    (undated,) = plans_of(lambda: list(Sample.objects.filter(round=round_)), touching=("testing_sample",))
    assert len(undated.relations("testing_sample")) >= 24
    (dated,) = plans_of(lambda: list(round_samples(round_)), touching=("testing_sample",))
    assert len(dated.relations("testing_sample")) == 1


def test_the_untested_list_uses_indexes_and_the_rounds_month(demo: Any, round_: Round) -> None:
    _one_month(assert_no_seq_scan(lambda: untested_by_building(round_), *BIG), round_)
    _one_month(assert_no_seq_scan(lambda: untested_people(round_, round_.place_path), *BIG), round_)


def test_the_sampling_search_reads_one_month_and_a_residents_rounds_theirs(
    demo: Any, round_: Round, residents: list[Person]
) -> None:
    scope = Scope.of([round_.place_path])
    _one_month(assert_no_seq_scan(lambda: sampling_matches(round_, scope, residents[0].name[:1]), *BIG), round_)
    # A resident's rounds of the last 14 days: their months only (two early in a month), not the
    # two years the samples span.
    shown = [mine.round for mine in rounds_of_person(residents[0])]
    assert round_ in shown
    _one_month(assert_no_seq_scan(lambda: rounds_of_person(residents[0]), *BIG), *shown)


def test_a_positive_tubes_members_are_read_from_the_rounds_month(demo: Any, round_: Round) -> None:
    tube = Tube.objects.get(barcode="TZ-1")

    def record() -> None:
        with transaction.atomic():
            results_record(actor=None, results=[TubeResult(tube, Result.POSITIVE)])

    _one_month(assert_no_seq_scan(record, *BIG), round_)
