"""No export hands out a live formula (issue #15, item 3): text starting with =, +, -, @, a tab or
a carriage return is escaped by `core.exports.spreadsheet_cell`, in real and pseudonymised
exports, .xlsx and .csv alike."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tongzhou.core.exports import FORMULA_STARTS, spreadsheet_cell
from tongzhou.people.models import Person
from tongzhou.places.models import Place

NAME = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_a_spreadsheet_would_run_is_escaped(start):
    assert spreadsheet_cell(f"{start}1+2") == f"'{start}1+2"


def test_other_values_are_left_alone():
    assert [spreadsheet_cell(v) for v in ("张三", "138****5678", 12, -3, None, "")] == [
        "张三",
        "138****5678",
        12,
        -3,
        None,
        "",
    ]


def _cells(response):
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [cell for row in sheet.iter_rows(min_row=2) for cell in row]


@pytest.mark.parametrize("real", [False, True], ids=["pseudonymised", "real"])
def test_a_resident_named_like_a_formula_is_text_in_the_register_export(demo, client_as, real):
    person = Person.objects.filter(place_path__startswith=demo.places["taian"].path).order_by("pk").first()
    Person.objects.filter(pk=person.pk).update(name=NAME, notes="+86 call first")
    form = {"real_values": "on", "purpose": "送检名单"} if real else {}
    cells = _cells(client_as("taian_staff").post(reverse("people:export"), form))
    assert all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not any(text.startswith(FORMULA_STARTS) for text in texts)
    if real:
        assert "'" + NAME in texts and "'+86 call first" in texts
    else:
        assert "'=" + "*" * (len(NAME) - 1) in texts


def test_a_place_named_like_a_formula_is_text_in_the_places_csv(demo, client_as):
    Place.objects.filter(pk=demo.places["taian_compound"].pk).update(name="=1+2")
    response = client_as("taian_staff").get(reverse("places:export", args=[demo.places["taian"].pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    fields = [field for row in rows for field in row]
    assert "'=1+2" in fields
    assert not any(field.startswith(FORMULA_STARTS) for field in fields)


def test_every_module_that_writes_a_spreadsheet_escapes_its_cells():
    from pathlib import Path

    import tongzhou

    root = Path(tongzhou.__file__).parent
    # The import template writes only its fixed headers and example row.
    fixed_content = {root / "core" / "imports" / "base.py"}
    writers = [
        path
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path not in fixed_content
        and any(call in path.read_text() for call in ("csv.writer(", "csv.DictWriter(", "Workbook("))
    ]
    assert writers, "the scan found no exporter at all"
    assert [str(p.relative_to(root)) for p in writers if "spreadsheet_row" not in p.read_text()] == []
