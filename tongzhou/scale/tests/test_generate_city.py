"""`manage.py generate_city` at a small size, on the engine the suite runs on: real places, every
module filled, and the figures it declares add up from the communities to the streets and the city."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongzhou.checkpoints.models import Passage
from tongzhou.core.figures import Day, figures
from tongzhou.core.scope import subtree_q
from tongzhou.monitoring.models import HealthCheck
from tongzhou.people.models import Person
from tongzhou.places.models import Place, PlaceKind
from tongzhou.reports.models import Snapshot
from tongzhou.supplies.services.checks import ledger_compare
from tongzhou.testing.models import Sample
from tongzhou.volunteers.models import HoursEntry

pytestmark = pytest.mark.django_db

COMMUNITIES, RESIDENTS, DAYS = 3, 240, 4


@pytest.fixture
def city() -> str:
    out = StringIO()
    call_command(
        "generate_city",
        communities=COMMUNITIES,
        residents=RESIDENTS,
        days=DAYS,
        seed=7,
        stdout=out,
    )
    return out.getvalue()


def test_real_places_and_every_module_filled(city: str) -> None:
    communities = list(Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("code"))
    assert [c.code for c in communities] == ["520102016001", "520102016002", "520102016003"]
    assert communities[0].parent.name == "新华路街道"
    assert Person.objects.count() == RESIDENTS
    for community in communities:
        inside = subtree_q(community.path, "place_path")
        assert Person.objects.filter(inside).count() == RESIDENTS // COMMUNITIES
        assert Passage.objects.filter(inside).exists()
        assert Sample.objects.filter(inside).exists()
        assert HealthCheck.objects.filter(subtree_q(community.path, "order__place_path")).exists()
    assert HoursEntry.objects.exists()
    assert "generated in" in city and "people_person" in city
    # The stock ledger it wrote passes the nightly check.
    report = ledger_compare()
    assert report.entries > 0 and report.mismatches == []


def test_figures_add_up_from_communities_to_streets_and_city(city: str) -> None:
    snapshots = list(Snapshot.objects.all())
    assert len(snapshots) == COMMUNITIES * DAYS
    parents = [Place.objects.get(code="5201"), *Place.objects.filter(kind=PlaceKind.STREET)]
    checked = 0
    for day in sorted({s.day for s in snapshots}):
        bounds = Day.of(day)
        for parent in parents:
            children = [s for s in snapshots if s.day == day and s.place_path.startswith(parent.path)]
            assert children, parent
            for fig in figures():
                if any(fig.key in s.missing for s in children):
                    continue
                rows = fig.counted(bounds).filter(subtree_q(parent.path, fig.path_field))
                direct = rows.aggregate(v=fig.measure())["v"] or 0
                summed = sum(s.values.get(fig.key) or 0 for s in children)
                # Each community's hours are kept to one decimal.
                tolerance = 0.05 * len(children) + 1e-9
                assert float(direct) == pytest.approx(float(summed), abs=tolerance), (fig.key, parent.name, day)
                checked += 1
    assert checked > len(figures()) * DAYS
    # Something was counted: today's residents (a count of the state now, kept by on-time runs) and
    # the gate passages of every day before today (scans start at 06:00).
    on_time = [s for s in snapshots if not s.late]
    assert len(on_time) == COMMUNITIES
    assert all(s.values["residents"] == RESIDENTS // COMMUNITIES for s in on_time)
    assert all(s.values["passages"] > 0 for s in snapshots if s.late)


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(CommandError, match="--residents"):
        call_command("generate_city", communities=5, residents=3, days=1, stdout=StringIO())
    with pytest.raises(CommandError, match="--days"):
        call_command("generate_city", communities=1, residents=10, days=0, stdout=StringIO())
    assert not Place.objects.exists()
