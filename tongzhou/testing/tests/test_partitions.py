"""The samples' months (tongzhou/testing/partitions.py): kept until the per-round results purge
unless TONGZHOU_SAMPLE_RETENTION_MONTHS is set; then the shared maintenance drops the months past
it on PostgreSQL and deletes such rows on SQLite. Migrations 0007/0008 on a deployment with
samples: each gets its round's first day, and the table is partitioned with every row, both ways."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tongzhou.core.partitions import is_partitioned, maintain_all
from tongzhou.people.models import Person
from tongzhou.testing.models import Round, Sample, Tube
from tongzhou.testing.partitions import SAMPLES
from tongzhou.testing.services import sample_take


def _month(day: date) -> str:
    return SAMPLES.partition_name(day.replace(day=1))


@pytest.mark.django_db
def test_old_samples_go_only_when_a_retention_is_set(
    demo: Any, make_round: Callable[..., Round], residents: list[Person]
) -> None:
    today = timezone.localdate()
    recent, old = make_round(), make_round()
    sample_take(actor=demo.volunteer, test_round=recent, person=residents[0], barcode="TZ-NEW")
    sample_take(actor=demo.volunteer, test_round=old, person=residents[0], barcode="TZ-OLD")
    # A round of 400 days ago never closed (the per-round purge does not reach it).
    long_ago = today - timedelta(days=400)
    Round.objects.filter(pk=old.pk).update(starts_on=long_ago, ends_on=long_ago)
    Sample.objects.filter(round=old).update(round_on=long_ago)

    assert maintain_all()["testing_sample"]["rows_deleted"] == 0
    assert Sample.objects.count() == 2

    with override_settings(TONGZHOU_SAMPLE_RETENTION_MONTHS=6):
        report = maintain_all()["testing_sample"]
    assert report["rows_deleted"] == 1
    assert list(Sample.objects.values_list("round_id", flat=True)) == [recent.pk]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tableoid::regclass::text FROM testing_sample")
            assert cursor.fetchone()[0] == _month(today)


@pytest.mark.django_db(transaction=True)
def test_the_migrations_date_and_partition_the_samples_already_there(
    demo: Any, make_round: Callable[..., Round], residents: list[Person]
) -> None:
    """Taken back to 0006 the samples are one plain table without the day; made again, each sample
    has its round's first day and sits in that month's partition, the ids carry on, and the
    unique keys still hold. Taken back once more, every row is there in a plain table."""
    from django.db import IntegrityError, transaction
    from django.db.migrations.executor import MigrationExecutor

    today = timezone.localdate()
    days = [today, today - timedelta(days=45), today - timedelta(days=100)]
    rounds = []
    for day in days:
        test_round = make_round()
        Round.objects.filter(pk=test_round.pk).update(starts_on=day, ends_on=day)
        rounds.append(test_round)
    tubes = [
        Tube.objects.create(round=r, barcode=f"TZ-M{i}", capacity=10, place_path=r.place_path)
        for i, r in enumerate(rounds)
    ]

    executor = MigrationExecutor(connection)
    executor.migrate([("testing", "0006_results_purged")])
    assert not is_partitioned(SAMPLES)
    old = executor.loader.project_state([("testing", "0006_results_purged")]).apps
    OldSample = old.get_model("testing", "Sample")
    kept = {}
    for test_round, tube in zip(rounds, tubes, strict=True):
        for person in residents[:3]:
            sample = OldSample.objects.create(
                round_id=test_round.pk,
                tube_id=tube.pk,
                person_id=person.pk,
                household_id=person.household_id,
                place_path=person.place_path,
                taken_at=timezone.now(),
            )
            kept[sample.pk] = test_round.pk

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert is_partitioned(SAMPLES) == (connection.vendor == "postgresql")
    starts = {r.pk: day for r, day in zip(rounds, days, strict=True)}
    assert {pk: (round_id, on) for pk, round_id, on in Sample.objects.values_list("pk", "round_id", "round_on")} == {
        pk: (round_id, starts[round_id]) for pk, round_id in kept.items()
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, tableoid::regclass::text FROM testing_sample")
            places = dict(cursor.fetchall())
        assert places == {pk: _month(starts[round_id]) for pk, round_id in kept.items()}
    # Ids carry on; a person is still sampled once per round.
    added = sample_take(actor=demo.volunteer, test_round=rounds[0], person=residents[5], barcode="TZ-M0")
    assert added.pk > max(kept) and added.round_on == days[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Sample.objects.create(
            round=rounds[0],
            round_on=days[0],
            tube=tubes[0],
            person=residents[0],
            household_id=residents[0].household_id,
            place_path=residents[0].place_path,
            taken_at=timezone.now(),
        )

    executor = MigrationExecutor(connection)
    executor.migrate([("testing", "0007_sample_round_on")])
    assert not is_partitioned(SAMPLES)
    assert Sample.objects.count() == len(kept) + 1
    executor = MigrationExecutor(connection)
    executor.migrate([("testing", "0006_results_purged")])
    OldSample = executor.loader.project_state([("testing", "0006_results_purged")]).apps.get_model("testing", "Sample")
    assert OldSample.objects.count() == len(kept) + 1

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert is_partitioned(SAMPLES) == (connection.vendor == "postgresql")
    assert Sample.objects.count() == len(kept) + 1
