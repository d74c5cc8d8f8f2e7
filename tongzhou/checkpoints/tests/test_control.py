"""Control levels: sealing and unsealing wait for a second person; the history keeps everything;
the passage log's partitions are made ahead and dropped by retention."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from tongzhou.checkpoints.audit import CheckpointsAudit
from tongzhou.checkpoints.models import ChangeStatus, ControlChange, ControlLevel, Passage, PlaceControl
from tongzhou.checkpoints.partitions import drop_old_passages, ensure_partitions, existing_partitions
from tongzhou.checkpoints.services import control_decide, control_request, effective_levels
from tongzhou.core.models import AuditEvent


def _level(place) -> str:
    return effective_levels([place.path])[place.path]


def test_sealing_without_the_second_approval_changes_nothing(demo):
    compound = demo.places["taian_compound"]
    change = control_request(
        actor=demo.street_admin, place=compound, level="sealed", reason="确诊病例", evidence="流调报告"
    )
    assert change.status == ChangeStatus.PENDING
    assert _level(compound) == ControlLevel.NONE and not PlaceControl.objects.exists()
    with pytest.raises(PermissionDenied):
        control_decide(actor=demo.street_admin, change=change, approve=True)
    for outsider in (demo.taian_staff, demo.guard, demo.auditor):
        with pytest.raises(PermissionDenied):
            control_decide(actor=outsider, change=change, approve=True)
    assert _level(compound) == ControlLevel.NONE
    control_decide(actor=demo.health_officer, change=change, approve=True)
    assert _level(compound) == ControlLevel.SEALED
    building = compound.children.first()
    assert _level(building) == ControlLevel.SEALED  # down the tree
    assert _level(demo.places["songhua_compound"]) == ControlLevel.NONE


def test_unsealing_also_waits_and_a_rejection_keeps_the_seal(demo):
    compound = demo.places["taian_compound"]
    seal = control_request(actor=demo.street_admin, place=compound, level="sealed", reason="确诊")
    control_decide(actor=demo.health_officer, change=seal, approve=True)
    unseal = control_request(actor=demo.street_admin, place=compound, level="precaution", reason="14天无新增")
    assert unseal.status == ChangeStatus.PENDING and _level(compound) == ControlLevel.SEALED
    with pytest.raises(ValidationError):
        control_request(actor=demo.street_admin, place=compound, level="none", reason="再来一次")
    control_decide(actor=demo.health_officer, change=unseal, approve=False, note="等核酸结果")
    assert _level(compound) == ControlLevel.SEALED
    with pytest.raises(ValidationError):
        control_decide(actor=demo.health_officer, change=unseal, approve=True)
    history = list(ControlChange.objects.filter(place=compound).order_by("id").values_list("level", "status"))
    assert history == [("sealed", "approved"), ("precaution", "rejected")]
    assert AuditEvent.objects.filter(action=CheckpointsAudit.CONTROL_CHANGED).count() == 4


def test_milder_levels_apply_at_once_and_the_strictest_above_wins(demo):
    community, compound = demo.places["taian"], demo.places["taian_compound"]
    change = control_request(actor=demo.street_admin, place=community, level="controlled", reason="管控区")
    assert change.status == ChangeStatus.APPROVED and change.decided_by is None
    control_request(actor=demo.street_admin, place=compound, level="precaution", reason="防范")
    assert _level(compound) == ControlLevel.CONTROLLED


def test_only_street_admins_ask_and_only_in_their_places(demo):
    for actor in (demo.taian_staff, demo.health_officer, demo.guard):
        with pytest.raises(PermissionDenied):
            control_request(actor=actor, place=demo.places["taian_compound"], level="controlled", reason="x")
    with pytest.raises(ValidationError) as error:
        control_request(actor=demo.street_admin, place=demo.places["taian_compound"], level="sealed", reason=" ")
    assert "reason" in error.value.message_dict
    assert not ControlChange.objects.exists()


def test_old_passages_go_by_retention(demo, settings):
    from tongzhou.checkpoints.services import gate_create

    gate = gate_create(actor=demo.taian_staff, compound=demo.places["taian_compound"], name="西门")
    now = timezone.now()
    for days in (0, 20, 400):  # 20 days back: this month or the last, whose partitions exist
        Passage.objects.create(
            scanned_at=now - timedelta(days=days),
            received_at=now,
            gate=gate,
            place_path=gate.place_path,
            client_uuid=uuid.uuid4(),
            direction="in",
            allowed=True,
            reason="ok",
        )
    report = drop_old_passages(months=6)
    assert Passage.objects.count() == 2
    if connection.vendor == "postgresql":
        assert report["rows_deleted"] == 1  # the 400-day-old row sat in the default partition
        ensure_partitions(months_ahead=3)
        names = existing_partitions()
        assert "checkpoints_passage_default" in names
        assert f"checkpoints_passage_p{timezone.localdate():%Y%m}" in names
        today = timezone.localdate()
        third = (today.year * 12 + today.month - 1) + 3  # months_ahead=3: through the third month from now
        assert f"checkpoints_passage_p{third // 12}{third % 12 + 1:02d}" in names
        # A device far ahead wrote into the default partition; making that month moves the row.
        far = now + timedelta(days=160)
        Passage.objects.create(
            scanned_at=far,
            received_at=now,
            gate=gate,
            place_path=gate.place_path,
            client_uuid=uuid.uuid4(),
            direction="in",
            allowed=True,
            reason="ok",
        )
        ensure_partitions(months_ahead=6)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM checkpoints_passage_p{timezone.localtime(far):%Y%m}")  # noqa: S608
            assert cursor.fetchone()[0] == 1
            cursor.execute("SELECT count(*) FROM checkpoints_passage_default")
            assert cursor.fetchone()[0] == 0
        assert Passage.objects.count() == 3
