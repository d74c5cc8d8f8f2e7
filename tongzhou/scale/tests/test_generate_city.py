"""`manage.py generate_city` at a small size, on the engine the suite runs on: real places, every
module filled, and the figures it declares add up from the communities to the streets and the city."""

from datetime import datetime, timedelta
from io import StringIO
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from tongzhou.checkpoints.models import Passage
from tongzhou.core import pii
from tongzhou.core.figures import Day, figures
from tongzhou.core.outbox.models import OutboxMessage
from tongzhou.core.scope import subtree_q
from tongzhou.monitoring.models import HealthCheck
from tongzhou.notices.models import Notice, Recipient, Texted
from tongzhou.people.idnumbers import check_digit
from tongzhou.people.models import Person
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.reports.models import Snapshot
from tongzhou.scale.city import generate_city
from tongzhou.scale.supplies import DISTRIBUTION_EVERY
from tongzhou.supplies.distribution_services import building_needs
from tongzhou.supplies.models import Distribution, DistributionHousehold, Entry
from tongzhou.supplies.services.checks import ledger_compare
from tongzhou.testing.models import Sample
from tongzhou.volunteers.models import HoursEntry, Volunteer
from tongzhou.welfare.models import Claim, Enrollment, Plan

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


def test_household_distributions_go_through_the_ledger(city: str) -> None:
    """Each community's compounds get their parcels in turn, every household of the compound
    listed, each building packed once with the goods its households need issued out of the store
    in the pack's batch, most delivered and only those delivered confirmed."""
    assert "supplies_distributionhousehold" in city
    for community in Place.objects.filter(kind=PlaceKind.COMMUNITY):
        distributions = list(Distribution.objects.filter(subtree_q(community.path, "place_path")))
        assert len(distributions) == len(range(1, DAYS, DISTRIBUTION_EVERY))
        for distribution in distributions:
            households = distribution.households.all()
            assert (
                households.count()
                == Household.objects.filter(subtree_q(distribution.place_path, "place__path")).count()
                > 0
            )
            buildings = set(households.values_list("building_id", flat=True))
            assert set(distribution.packs.values_list("building_id", flat=True)) == buildings
            for pack in distribution.packs.all():
                issued = {e.item_id: -e.quantity for e in Entry.objects.filter(batch=pack.batch, kind="issued")}
                assert issued == {
                    item.pk: quantity for item, quantity in building_needs(distribution, pack.building_id)
                }
            assert households.filter(delivered_at__isnull=False, delivered_by__isnull=False).exists()
            assert not households.filter(delivered_at__isnull=True, confirmed_at__isnull=False).exists()
    assert ledger_compare().mismatches == []


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


def test_now_sets_the_month_the_command_builds() -> None:
    """`--now` (no offset: Shanghai time) is when the generated month ends, so two runs of the
    command with the same seed and --now build the same district."""
    call_command(
        "generate_city", "--communities=1", "--residents=30", "--days=2", "--now=2026-03-01T08:00", stdout=StringIO()
    )
    end = datetime(2026, 3, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    latest = Passage.objects.order_by("-scanned_at").values_list("scanned_at", flat=True).first()
    assert latest is not None and end - timedelta(days=2) <= latest <= end


def test_a_junk_now_is_refused() -> None:
    with pytest.raises(CommandError, match="--now"):
        call_command("generate_city", "--communities=1", "--residents=30", "--now=yesterday", stdout=StringIO())


def test_texts_through_the_outbox_add_up(city: str) -> None:
    """Every household head is texted each notice: one outbox row a recipient, the recipient's
    status its message's, the household's reach as far as its text got; numbers readable."""
    heads = Person.objects.exclude(phone_last4="")
    notices = list(Notice.objects.all())
    assert notices and OutboxMessage.objects.count() == sum(
        heads.filter(subtree_q(n.place_path, "place_path")).count() for n in notices
    )
    recipients = list(Recipient.objects.select_related("message", "reach"))
    assert len(recipients) == OutboxMessage.objects.count()
    assert len({r.message_id for r in recipients}) == len(recipients)
    texted = {"delivered": Texted.SENT, "sent": Texted.SENT, "queued": Texted.PENDING, "failed": Texted.FAILED}
    for recipient in recipients:
        assert recipient.message is not None and recipient.reach is not None
        assert recipient.status == recipient.message.status
        assert recipient.reach.texted == texted[recipient.status]
        assert recipient.message.scope_path == recipient.reach.place_path
    assert {m.status for m in OutboxMessage.objects.all()} >= {"delivered", "failed"}
    # The register's numbers and the texts' read back through the ORM, and match.
    message = recipients[0].message
    assert message is not None
    head = heads.get(phone_index__in=pii.blind_index_candidates(message.to))
    assert head.phone == message.to and message.text == Notice.objects.get(pk=recipients[0].notice_id).message_text
    person = Person.objects.order_by("id").first()
    assert person is not None and len(person.id_number) == 18
    assert person.id_number[-1] == check_digit(person.id_number[:17])
    assert Person.objects.get(id_index__in=pii.blind_index_candidates(person.id_number)) == person


def _fingerprint(seed: int, now: datetime) -> dict[str, object]:
    with transaction.atomic():
        stats = generate_city(communities=2, residents=90, days=3, seed=seed, snapshots=False, log=str, now=now)
        made = {
            "rows": stats.rows,
            "names": list(
                Person.objects.order_by("place_path", "name", "birth_date").values_list("name", "birth_date")
            ),
            "passages": list(Passage.objects.order_by("scanned_at").values_list("scanned_at", "reason")),
            "texts": sorted(OutboxMessage.objects.values_list("status", "to_masked")),
            "ledger": sorted(Entry.objects.values_list("kind", "quantity", "created_at")),
            "parcels": sorted(
                DistributionHousehold.objects.values_list("room", "people", "delivered_at", "confirmed_at")
            ),
            "samples": Sample.objects.count(),
            "claims": sorted(Claim.objects.values_list("status", "amount", "event_on")),
        }
        transaction.set_rollback(True)
    return made


def test_same_seed_same_district() -> None:
    now = timezone.now()
    first = _fingerprint(5, now)
    assert first["rows"]["messages"] > 0 and first["rows"]["ledger_entries"] > 0  # type: ignore[index]
    assert first["rows"]["distribution_households"] > 0  # type: ignore[index]
    assert _fingerprint(5, now) == first
    assert _fingerprint(6, now)["names"] != first["names"]


def test_welfare_enrollments_and_claims_add_up(city: str) -> None:
    """Every volunteer enrolled in their community's plan (its places taken counted), and each
    claim's history of moves ends at the status it stands at, within the benefit."""
    assert Enrollment.objects.count() == Volunteer.objects.count() > 0
    for plan in Plan.objects.all():
        assert plan.places_taken == plan.enrollments.count() <= plan.places_total
    enrollment = Enrollment.objects.select_related("volunteer").first()
    assert enrollment is not None and enrollment.volunteer is not None
    assert enrollment.id_number[-1] == check_digit(enrollment.id_number[:17])
    assert enrollment.phone == enrollment.volunteer.phone
    claims = list(Claim.objects.all())
    assert claims and {c.status for c in claims} <= {"submitted", "checked", "approved", "paid", "rejected"}
    for claim in claims:
        moves = list(claim.history.order_by("created_at", "id").values_list("from_status", "to_status"))
        assert (moves[-1][1] if moves else "submitted") == claim.status
        assert all(a[1] == b[0] for a, b in pairwise(moves))
        assert claim.amount <= claim.enrollment.plan.benefits.get(coverage=claim.coverage).amount
