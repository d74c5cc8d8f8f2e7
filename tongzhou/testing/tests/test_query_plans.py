"""PostgreSQL plans of a testing round's hot queries over a city (tongzhou.core.query_plans): the
untested list of a round (per building, and the door-knocking list of one place) reads the
register and the samples by index, whatever the other rounds hold."""

from collections.abc import Callable
from typing import Any

import pytest

from tongzhou.core.query_plans import assert_no_seq_scan, clone_rows
from tongzhou.people.models import Person
from tongzhou.testing.models import Round
from tongzhou.testing.selectors import untested_by_building, untested_people
from tongzhou.testing.services import sample_take

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BIG = ("people_person", "testing_sample")


@pytest.fixture
def round_(demo: Any, make_round: Callable[..., Round], residents: list[Person]) -> Round:
    """The round over 泰安巷3号院 with one sample, 100,000 residents elsewhere, and 100,000 samples
    of 100,000 other rounds."""
    test_round = make_round()
    sample_take(actor=demo.volunteer, test_round=test_round, person=residents[0], barcode="TZ-1")
    clone_rows("people_person", 100_000, place_path="'/99/' || (g % 5000) || '/'", name="'居民' || g")
    clone_rows("testing_round", 100_000)
    clone_rows(
        "testing_sample",
        100_000,
        round_id=f"{test_round.pk} + g",
        client_uuid="md5(g::text)::uuid",
        place_path="'/99/' || (g % 5000) || '/'",
    )
    return test_round


def test_the_untested_list_uses_indexes(demo: Any, round_: Round) -> None:
    assert_no_seq_scan(lambda: untested_by_building(round_), *BIG)
    assert_no_seq_scan(lambda: untested_people(round_, round_.place_path), *BIG)
