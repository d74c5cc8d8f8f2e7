import io
import zipfile
from datetime import date, timedelta

import pytest

from tongzhou.core.models import AuditEvent
from tongzhou.people.audit import PeopleAudit
from tongzhou.people.importers import ImportFileError, check_rows, template_workbook, write_rows
from tongzhou.people.models import Person, PersonTag
from tongzhou.people.tests.factories import csv_bytes, id_number, row, xlsx


@pytest.fixture
def taian(demo):
    return demo.places["taian"]


def test_template_has_the_headers_and_an_example_that_imports(demo, taian):
    checked = check_rows(template_workbook(), "template.xlsx", taian)
    assert checked.errors == [] and len(checked.good) == 1


def test_good_file_imports_with_tags_and_audit(demo, taian):
    data = xlsx([row(0, 标签="党员、需帮扶"), row(1), row(2, 入住日期=date(2020, 5, 1))])
    checked = check_rows(data, "r.xlsx", taian)
    assert checked.errors == []
    assert write_rows(actor=demo.taian_staff, place=taian, checked=checked, all_or_nothing=True) == 3
    first = Person.objects.get(name="居民0")
    assert first.id_number == id_number(0) and first.birth_date == date(1980, 1, 1)
    assert first.household.room == "101" and first.place_path == first.household.place.path
    assert set(PersonTag.objects.filter(person=first).values_list("tag", flat=True)) == {"party_member", "needs_help"}
    assert Person.objects.get(name="居民2").moved_in_on == date(2020, 5, 1)
    assert AuditEvent.objects.filter(action=PeopleAudit.PERSON_CREATED, actor=demo.taian_staff).count() == 3
    assert AuditEvent.objects.get(action=PeopleAudit.PEOPLE_IMPORTED, actor=demo.taian_staff).details["created"] == 3


def test_preview_lists_exactly_the_bad_rows(demo, taian):
    bad_id = id_number(5)[:-1] + ("0" if id_number(5)[-1] != "0" else "1")
    tomorrow = date.today() + timedelta(days=2)
    rows = [
        row(0),  # row 2 good
        row(1, 证件号码=bad_id),  # row 3 check digit
        row(2, 证件号码=id_number(0)),  # row 4 same as row 2
        row(3, 房号="9999"),  # row 5 unknown room
        row(4, 手机号="12345"),  # row 6 phone format
        row(5, 姓名=""),  # row 7 missing name
        row(6, 入住日期=tomorrow),  # row 8 future date
        row(7, 入住日期="2020年5月1日"),  # row 9 date typed as text
        row(8, 手机号="=A1&B1"),  # row 10 formula
        row(9, 备注="x" * 1_048_576),  # row 11 a cell of 1 MB
        row(10, 居住类型="长住"),  # row 12 unknown residency
        row(11),  # row 13 good
    ]
    checked = check_rows(xlsx(rows), "r.xlsx", taian)
    assert checked.bad_rows == list(range(3, 13))
    assert [g.row for g in checked.good] == [2, 13]
    by_row = {e.row: (e.column, e.message) for e in checked.errors}
    assert by_row[3][0] == "证件号码" and "check digit" in by_row[3][1]
    assert by_row[4] == ("证件号码", "The same number as row 2.")
    assert by_row[5][0] == "房号"
    assert by_row[6][0] == "手机号"
    assert by_row[7] == ("姓名", "Required.")
    assert by_row[8] == ("入住日期", "The date is in the future.")
    assert by_row[9][0] == "入住日期"
    assert by_row[10][0] == "手机号" and "formula" in by_row[10][1]
    assert by_row[11][0] == "备注"
    assert by_row[12][0] == "居住类型"


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(demo, taian):
    checked = check_rows(xlsx([row(0), row(1, 房号="9999")]), "r.xlsx", taian)
    before = Person.objects.count()
    assert write_rows(actor=demo.taian_staff, place=taian, checked=checked, all_or_nothing=True) == 0
    assert Person.objects.count() == before
    assert write_rows(actor=demo.taian_staff, place=taian, checked=checked, all_or_nothing=False) == 1
    assert list(Person.objects.filter(name__startswith="居民").values_list("name", flat=True)) == ["居民0"]


def test_already_registered_is_a_row_error(demo, taian):
    checked = check_rows(xlsx([row(0)]), "r.xlsx", taian)
    write_rows(actor=None, place=taian, checked=checked, all_or_nothing=True)
    again = check_rows(xlsx([row(0, 姓名="别人")]), "r.xlsx", taian)
    assert [(e.row, e.column, e.message) for e in again.errors] == [(2, "证件号码", "Already registered.")]


def test_rooms_outside_the_place_are_unknown(demo):
    songhua = demo.places["songhua"]
    checked = check_rows(xlsx([row(0)]), "r.xlsx", songhua)  # 泰安巷3号院 is not in 松花巷
    assert checked.bad_rows == [2] and checked.errors[0].column == "房号"


def test_csv_in_utf8_and_gb18030(demo, taian):
    assert len(check_rows(csv_bytes([row(0)]), "r.csv", taian).good) == 1
    assert len(check_rows(csv_bytes([row(0)], encoding="gb18030"), "r.csv", taian).good) == 1


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "r.xlsx", "The file is empty."),
        (b"%PDF-1.4 not a sheet", "r.xlsx", "not a spreadsheet"),
        (b"\x00\x01\x02binary", "r.csv", "not a spreadsheet"),
        (b"PK\x03\x04 damaged", "r.xlsx", "not a spreadsheet"),
        (xlsx([], headers=["姓名"]), "r.xlsx", "missing column(s): 证件号码、小区、楼栋、房号"),
        (
            xlsx([], headers=[*["姓名", "证件号码", "小区", "楼栋", "房号"], "年龄"]),
            "r.xlsx",
            "unknown column(s): 年龄",
        ),
        (xlsx([]), "r.xlsx", "headers but no rows"),
        (zip_bomb(), "r.xlsx", "zip bomb"),
    ],
)
def test_bad_files_are_refused_whole(demo, taian, data, name, message):
    before = Person.objects.count()
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_rows(data, name, taian)
    assert Person.objects.count() == before


def test_row_cap(demo, taian, settings):
    settings.TONGZHOU_IMPORT_MAX_ROWS = 2
    with pytest.raises(ImportFileError, match="More than 2 rows"):
        check_rows(xlsx([row(0), row(1), row(2)]), "r.xlsx", taian)
