"""The data migration turns typed organisation names into records, one per normalised name within a
street."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tongzhou.people.models import Organisation
from tongzhou.volunteers.models import Volunteer


@pytest.mark.django_db(transaction=True)
def test_typed_entries_become_one_record_per_name_within_the_street(demo):
    before = [("volunteers", "0003_change_request_approval")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldVolunteer = executor.loader.project_state(before).apps.get_model("volunteers", "Volunteer")
    taian, songhua = demo.places["taian"], demo.places["songhua"]
    for n, (community, kind, name) in enumerate(
        [
            (taian, "trade_union", "南明区总工会"),
            (songhua, "trade_union", " 南明区 总工会 "),
            (taian, "work_unit", "ＡＢＣ物业"),
            (taian, "none", "abc物业"),
            (taian, "party_branch", ""),
        ]
    ):
        OldVolunteer.objects.create(
            name=f"志愿{n}",
            community_id=community.pk,
            place_path=community.path,
            organization=kind,
            organization_name=name,
            consent_at=timezone.now(),
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert set(Organisation.objects.values_list("name", "kind")) == {
        ("ＡＢＣ物业", "work_unit"),
        ("南明区总工会", "trade_union"),
    }
    union = Organisation.objects.get(kind="trade_union")
    assert union.place == taian.parent
    assert Volunteer.objects.filter(organisation=union).count() == 2
    assert Volunteer.objects.filter(organisation=None).count() == 1
