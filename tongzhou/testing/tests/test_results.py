"""A lab's result file through the import framework: row errors for bad files, nothing written
under all-or-nothing, a positive pooled tube recalls exactly its members, a negative retest clears
the recall, a positive single tube proposes a key person."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from tongzhou.alerts.models import Alert
from tongzhou.core.imports import base
from tongzhou.core.messaging import ConsoleBackend
from tongzhou.testing.alert_kinds import Kind
from tongzhou.testing.importers import ResultImporter
from tongzhou.testing.models import Recall, RecallStatus, Result, Tube
from tongzhou.testing.services import sample_take


def workbook(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["管码", "结果", "Ct值", "检测时间"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(demo, place, rows, *, all_or_nothing=False):
    importer = ResultImporter(place_path=place.path, actor=demo.taian_staff)
    checked = base.check(importer, workbook(rows), "results.xlsx")
    written = base.write(importer, checked, all_or_nothing=all_or_nothing)
    return checked, written


@pytest.fixture
def sampled(demo, make_round, residents):
    """Three tubes of 5: TZ-A (residents 0–4), TZ-B (5–9), TZ-C (10–14)."""
    test_round = make_round(pool_size=5)
    for i, person in enumerate(residents[:15]):
        sample_take(actor=demo.volunteer, test_round=test_round, person=person, barcode=f"TZ-{'ABC'[i // 5]}")
    return test_round


def test_a_positive_pooled_tube_recalls_exactly_its_members(
    demo, sampled, residents, django_capture_on_commit_callbacks
):
    ConsoleBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        checked, written = run(
            demo, demo.places["taian_compound"], [("TZ-A", "阴性"), ("tz-b", "阳性", "31.5"), ("TZ-C", "阴性")]
        )
    assert checked.errors == [] and written == 3
    recalled = set(Recall.objects.filter(status=RecallStatus.OPEN).values_list("person_id", flat=True))
    assert recalled == {p.pk for p in residents[5:10]}
    assert Tube.objects.get(barcode="TZ-B").result == Result.POSITIVE
    alert = Alert.objects.get(kind=Kind.POOL_RECALL)
    assert alert.subject_id == sampled.pk and alert.details["members"] == 5
    phones = {p.phone for p in residents[5:10] if p.phone}
    assert phones and phones <= {m.to for m in ConsoleBackend.outbox}


def test_the_same_file_twice_changes_nothing(demo, sampled):
    rows = [("TZ-A", "阴性"), ("TZ-B", "阳性")]
    run(demo, demo.places["taian_compound"], rows)
    checked, written = run(demo, demo.places["taian_compound"], rows)
    assert checked.errors == [] and written == 0
    assert Recall.objects.count() == 5 and Alert.objects.filter(kind=Kind.POOL_RECALL).count() == 1


def test_a_negative_retest_clears_the_recall_and_a_positive_one_proposes_a_key_person(demo, sampled, residents):
    run(demo, demo.places["taian_compound"], [("TZ-B", "无效")])
    assert Recall.objects.filter(status=RecallStatus.OPEN).count() == 5
    first, second = residents[5], residents[6]
    sample_take(actor=demo.volunteer, test_round=sampled, person=first, barcode="TZ-R1")
    sample_take(actor=demo.volunteer, test_round=sampled, person=second, barcode="TZ-R2")
    with pytest.raises(ValidationError):
        sample_take(actor=demo.volunteer, test_round=sampled, person=residents[0], barcode="TZ-R3")  # not recalled
    run(demo, demo.places["taian_compound"], [("TZ-R1", "阴性"), ("TZ-R2", "阳性")])
    assert Recall.objects.get(person=first).status == RecallStatus.CLEARED
    assert Recall.objects.get(person=second).status == RecallStatus.OPEN
    positive = Alert.objects.get(kind=Kind.SINGLE_POSITIVE)
    assert positive.subject_label != second.name and positive.subject_label.startswith(second.name[0])


def test_bad_rows_are_named_and_all_or_nothing_writes_nothing(demo, sampled):
    rows = [
        ("TZ-A", "阴性"),
        ("TZ-NOPE", "阴性"),  # unknown barcode
        ("TZ-B", "弱阳"),  # not a result word
        ("TZ-A", "阴性"),  # the same tube twice
        ("TZ-C", "阴性", "abc"),  # Ct not a number
    ]
    checked, written = run(demo, demo.places["taian_compound"], rows, all_or_nothing=True)
    assert written == 0
    assert [(e.row, e.column) for e in checked.errors] == [(3, "管码"), (4, "结果"), (5, "管码"), (6, "Ct值")]
    assert not Tube.objects.exclude(result=Result.PENDING).exists()
    assert not Recall.objects.exists()


def test_tubes_of_another_area_are_unknown_there(demo, sampled):
    checked, written = run(demo, demo.places["songhua_compound"], [("TZ-A", "阳性")])
    assert written == 0 and checked.errors[0].column == "管码"
    assert Tube.objects.get(barcode="TZ-A").result == Result.PENDING
