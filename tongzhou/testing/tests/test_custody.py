"""The chain of custody: tubes sealed into a box, handed to a courier, received and counted at the
lab; reconciliation catches a missing tube, an extra tube, a result for a tube no lab received and
a result stamped before receipt."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongzhou.alerts.models import Alert
from tongzhou.testing.alert_kinds import Kind
from tongzhou.testing.models import Lab, Result, Tube
from tongzhou.testing.selectors import reconciliation
from tongzhou.testing.services import (
    TubeResult,
    box_hand_over,
    box_receive,
    box_seal,
    results_record,
    sample_take,
)


@pytest.fixture
def lab(demo):
    street = demo.places["er_ge"]
    return Lab.objects.create(name="南明区疾控中心实验室", place=street, place_path=street.path)


@pytest.fixture
def filled(demo, make_round, residents):
    """Three 5-in-1 tubes TZ-A, TZ-B, TZ-C of an open round over 泰安巷3号院."""
    test_round = make_round(pool_size=5)
    for i, person in enumerate(residents[:15]):
        sample_take(actor=demo.volunteer, test_round=test_round, person=person, barcode=f"TZ-{'ABC'[i // 5]}")
    return test_round


def custody_alerts():
    return list(Alert.objects.filter(kind=Kind.CUSTODY).values_list("details__what", flat=True))


def test_a_box_that_arrives_whole_reconciles(demo, filled, lab):
    box = box_seal(actor=demo.volunteer, round_=filled, code="box-1", lab=lab, barcodes=["tz-a", "TZ-B", "TZ-C"])
    assert box.tube_count == 3 and set(Tube.objects.filter(box=box).values_list("barcode", flat=True)) == {
        "TZ-A",
        "TZ-B",
        "TZ-C",
    }
    box_hand_over(actor=demo.volunteer, box=box, courier="王师傅")
    box_receive(actor=demo.taian_staff, box=box, counted=3)
    results_record(actor=None, results=[TubeResult(t, Result.NEGATIVE) for t in Tube.objects.filter(box=box)])
    day = reconciliation(filled).days[0]
    assert (day.lab, day.boxes, day.sealed, day.received, day.resulted) == (lab.name, 1, 3, 3, 3)
    assert day.count_differs == [] and day.stamped_before_receipt == 0 and custody_alerts() == []


@pytest.mark.parametrize("counted", [2, 4])
def test_a_missing_or_an_extra_tube_is_flagged_at_receipt(demo, filled, lab, counted):
    box = box_seal(actor=demo.volunteer, round_=filled, code="BOX-1", lab=lab, barcodes=["TZ-A", "TZ-B", "TZ-C"])
    box_receive(actor=demo.taian_staff, box=box, counted=counted)
    assert reconciliation(filled).days[0].count_differs == ["BOX-1"]
    [what] = custody_alerts()
    assert "BOX-1" in what and "3" in what and str(counted) in what


def test_a_result_stamped_before_receipt_or_for_a_tube_never_received_is_raised(demo, filled, lab):
    received = box_seal(actor=demo.volunteer, round_=filled, code="BOX-1", lab=lab, barcodes=["TZ-A"])
    box_receive(actor=demo.taian_staff, box=received, counted=1)
    box_seal(actor=demo.volunteer, round_=filled, code="BOX-2", lab=lab, barcodes=["TZ-B"])  # still on its way
    early = timezone.now() - timedelta(hours=1)
    results_record(
        actor=None,
        results=[
            TubeResult(Tube.objects.get(barcode="TZ-A"), Result.NEGATIVE, result_at=early),
            TubeResult(Tube.objects.get(barcode="TZ-B"), Result.NEGATIVE),
        ],
    )
    state = reconciliation(filled)
    assert state.days[0].stamped_before_receipt == 1 and state.results_never_received == 1
    [what] = custody_alerts()
    assert "TZ-A" in what and "TZ-B" in what


def test_sealing_refuses_foreign_boxed_and_empty_tubes(demo, filled, lab, make_round):
    with pytest.raises(ValidationError, match="TZ-NOPE"):
        box_seal(actor=demo.volunteer, round_=filled, code="BOX-1", lab=lab, barcodes=["TZ-A", "TZ-NOPE"])
    box_seal(actor=demo.volunteer, round_=filled, code="BOX-1", lab=lab, barcodes=["TZ-A"])
    with pytest.raises(ValidationError, match="TZ-A"):
        box_seal(actor=demo.volunteer, round_=filled, code="BOX-2", lab=lab, barcodes=["TZ-A", "TZ-B"])
    with pytest.raises(ValidationError):
        box_seal(actor=demo.volunteer, round_=filled, code="BOX-1", lab=lab, barcodes=["TZ-C"])
    with pytest.raises(PermissionDenied):
        box_seal(actor=demo.songhua_staff, round_=filled, code="BOX-3", lab=lab, barcodes=["TZ-C"])
    assert Tube.objects.filter(box__isnull=False).count() == 1


def test_without_boxes_results_raise_no_custody_alert(demo, filled):
    results_record(actor=None, results=[TubeResult(Tube.objects.get(barcode="TZ-A"), Result.NEGATIVE)])
    assert custody_alerts() == [] and reconciliation(filled).days == []
