"""The import framework with a tiny importer declared here (no domain): names and counts in, a
list out. What it must do for every importer: name the row and column of each bad row, write
nothing or only the good rows as asked, refuse unsafe files with a clear error, read the CSV
that Excel writes in China (GB18030), and run a job from upload to done."""

import csv
import io
import zipfile
from types import SimpleNamespace
from typing import Any, ClassVar

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import Http404

from tongzhou.core.imports import registry
from tongzhou.core.imports.base import Bad, Checked, Column, GoodRow, Importer, check, template_workbook, write
from tongzhou.core.imports.models import ImportJob
from tongzhou.core.imports.reading import MAX_FILE_BYTES, ImportFileError
from tongzhou.core.imports.responses import errors_csv_response
from tongzhou.core.imports.selectors import get_import_job_for_user
from tongzhou.core.imports.services import import_job_confirm, import_job_start
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope

pytestmark = pytest.mark.django_db

HERE = "/1/2/"


class CountImporter(Importer):
    """名称 (required, unique), 数量 (required, a whole number ≥ 0), 备注 (optional; alias 说明)."""

    name = "test-counts"
    title = "Import counts"
    permission = Perm.PLACES_MANAGE
    place_kinds = ("community",)
    columns = (
        Column("名称", required=True, example="口罩"),
        Column("数量", required=True, example=10),
        Column("备注", aliases=("说明",)),
    )
    unique_column = "名称"
    batch_size = 2
    written: ClassVar[list[dict[str, Any]]] = []

    def check_row(self, text: dict[str, str], cells: dict[str, Any], bad: Bad) -> dict[str, Any]:
        values: dict[str, Any] = {"name": text.get("名称", ""), "note": text.get("备注", "")}
        try:
            values["count"] = int(text.get("数量", ""))
            if values["count"] < 0:
                bad("数量", "Not below zero.")
        except ValueError:
            if text.get("数量"):
                bad("数量", "Not a whole number.")
        return values

    def unique_key(self, values: dict[str, Any]) -> Any:
        return values["name"]

    def write_batch(self, rows: list[GoodRow]) -> int:
        self.written.extend(good.values for good in rows)
        return len(rows)


@pytest.fixture(autouse=True)
def counts():
    CountImporter.written = []
    registry.register(CountImporter)
    yield CountImporter
    registry.unregister(CountImporter.name)


def sheet(rows: list[list[Any]], headers: tuple[str, ...] = ("名称", "数量", "备注")) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(list(headers))
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(data: bytes, filename: str = "c.xlsx") -> Checked:
    return check(CountImporter(place_path=HERE), data, filename)


def test_a_bad_row_names_its_row_number_and_column():
    checked = run(sheet([["口罩", 10, ""], ["手套", "十", ""], ["", 3, ""], ["口罩", 1, ""]]))
    assert [(e.row, e.column, e.message) for e in checked.errors] == [
        (3, "数量", "Not a whole number."),
        (4, "名称", "Required."),
        (5, "名称", "The same as row 2."),
    ]
    assert checked.total == 4 and [g.row for g in checked.good] == [2] and checked.bad_rows == [3, 4, 5]


def test_all_or_nothing_writes_nothing_when_one_row_is_bad():
    checked = run(sheet([["口罩", 10, ""], ["手套", -1, ""], ["酒精", 5, ""]]))
    assert write(CountImporter(place_path=HERE), checked, all_or_nothing=True) == 0
    assert CountImporter.written == []


def test_good_rows_writes_only_the_good_rows_in_batches():
    checked = run(sheet([["口罩", 10, ""], ["手套", -1, ""], ["酒精", 5, ""], ["棉签", 0, "x"]]))
    progress: list[tuple[int, int]] = []
    created = write(
        CountImporter(place_path=HERE), checked, all_or_nothing=False, progress=lambda d, t: progress.append((d, t))
    )
    assert created == 3
    assert [v["name"] for v in CountImporter.written] == ["口罩", "酒精", "棉签"]
    assert progress == [(2, 3), (3, 3)]  # batches of two


def test_a_formula_and_a_long_cell_are_row_errors_never_evaluated_or_cut():
    checked = run(sheet([['=HYPERLINK("http://x")', 1, ""], ["口罩", 1, "x" * 501], ["手套", 2, "x" * 500]]))
    by_row = {e.row: (e.column, e.message) for e in checked.errors}
    assert by_row[2] == ("名称", "A formula; paste the value instead.")
    assert by_row[3] == ("备注", "Longer than 500 characters.")
    assert [g.row for g in checked.good] == [4]


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"PK\x03\x04" + bytes(MAX_FILE_BYTES), "c.xlsx", "larger than 60 MB"),
        (zip_bomb(), "c.xlsx", "zip bomb"),
        (b"", "c.csv", "The file is empty."),
        (b"%PDF-1.4", "c.xlsx", "not a spreadsheet"),
        (sheet([], headers=("名称",)), "c.xlsx", "missing column(s): 数量"),
        (sheet([["a", 1, "", 2]], headers=("名称", "数量", "备注", "价格")), "c.xlsx", "unknown column(s): 价格"),
        (sheet([]), "c.xlsx", "headers but no rows"),
    ],
)
def test_unsafe_or_wrong_files_are_refused_whole_with_a_clear_error(data, filename, message):
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(data, filename)
    assert CountImporter.written == []


def test_csv_in_gb18030_and_utf8_reads_and_an_alias_header_is_its_column():
    text = "名称,数量,说明\r\n口罩,10,捐赠\r\n"
    for encoding in ("gb18030", "utf-8-sig"):
        checked = run(text.encode(encoding), "c.csv")
        assert checked.errors == [] and checked.good[0].values == {"name": "口罩", "count": 10, "note": "捐赠"}


def test_row_cap(settings):
    settings.TONGZHOU_IMPORT_MAX_ROWS = 2
    with pytest.raises(ImportFileError, match="More than 2 rows"):
        run(sheet([["a", 1, ""], ["b", 1, ""], ["c", 1, ""]]))


def test_the_template_has_the_declared_headers_and_example():
    workbook = openpyxl.load_workbook(io.BytesIO(template_workbook(CountImporter)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows == [("名称", "数量", "备注"), ("口罩", 10, None)]


@pytest.fixture
def uploader(db, monkeypatch):
    """A user who holds the importer's permission at HERE (and nothing elsewhere)."""
    user = get_user_model().objects.create_user("importer", password="x-password-123")
    monkeypatch.setattr(
        type(user), "scope_for", lambda self, perm: Scope((HERE,)) if perm == Perm.PLACES_MANAGE else Scope(())
    )
    return user


def test_a_job_checks_previews_then_imports_the_good_rows(uploader, django_capture_on_commit_callbacks):
    here = SimpleNamespace(path=HERE, name="这里")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_start(
            actor=uploader,
            importer=CountImporter.name,
            place=here,
            filename="c.xlsx",
            data=sheet([["口罩", 10, ""], ["手套", "十", ""]]),
            all_or_nothing=False,
        )
    job.refresh_from_db()
    assert (job.status, job.total, job.good, job.bad, job.errors) == (
        "checked",
        2,
        1,
        1,
        [[3, "数量", "Not a whole number."]],
    )
    assert CountImporter.written == []  # the preview writes nothing
    lines = list(csv.reader(io.StringIO(errors_csv_response(job).content.decode("utf-8-sig"))))
    assert lines == [["行 row", "列 column", "原因 reason"], ["3", "数量", "Not a whole number."]]
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(actor=uploader, job=job)
    job.refresh_from_db()
    assert (job.status, job.created, job.processed, job.file) == ("done", 1, 1, b"")
    assert [v["name"] for v in CountImporter.written] == ["口罩"]


def test_a_job_elsewhere_is_refused_and_hidden(uploader):
    elsewhere = SimpleNamespace(path="/1/3/", name="别处")
    with pytest.raises(PermissionDenied):
        import_job_start(
            actor=uploader,
            importer=CountImporter.name,
            place=elsewhere,
            filename="c.xlsx",
            data=sheet([["口罩", 1, ""]]),
            all_or_nothing=False,
        )
    job = ImportJob.objects.create(
        importer=CountImporter.name, place_path="/1/3/", place_name="别处", created_by=uploader, filename="c.xlsx"
    )
    with pytest.raises(Http404):
        get_import_job_for_user(user=uploader, pk=job.pk, importer=CountImporter.name)


def test_all_or_nothing_job_cannot_be_confirmed_with_a_bad_row(uploader, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_start(
            actor=uploader,
            importer=CountImporter.name,
            place=SimpleNamespace(path=HERE, name="这里"),
            filename="c.xlsx",
            data=sheet([["口罩", 10, ""], ["手套", -1, ""]]),
            all_or_nothing=True,
        )
    with pytest.raises(ValidationError, match="all or nothing"):
        import_job_confirm(actor=uploader, job=job)
    assert CountImporter.written == []


@pytest.fixture
def place_lookup():
    saved = list(registry._place_lookup)
    registry.register_place_lookup(lambda code: SimpleNamespace(path=HERE, name="这里") if code == "42" else None)
    yield
    registry._place_lookup[:] = saved


def test_the_command_line_dry_run_and_good_rows(db, tmp_path, capsys, place_lookup):
    path = tmp_path / "c.xlsx"
    path.write_bytes(sheet([["口罩", 10, ""], ["手套", "十", ""]]))
    call_command("import_file", CountImporter.name, str(path), "--place", "42", "--dry-run")
    assert "2 rows: 1 good, 1 bad" in capsys.readouterr().out and CountImporter.written == []
    with open(f"{path}.errors.csv", encoding="utf-8-sig") as errors:
        assert list(csv.reader(errors))[1] == ["3", "数量", "Not a whole number."]
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_file", CountImporter.name, str(path), "--place", "42", "--all-or-nothing")
    call_command("import_file", CountImporter.name, str(path), "--place", "42")
    assert "imported 1 rows into 这里" in capsys.readouterr().out
    assert [v["name"] for v in CountImporter.written] == ["口罩"]
    with pytest.raises(CommandError, match="No importer named nope"):
        call_command("import_file", "nope", str(path), "--place", "42")
    with pytest.raises(CommandError, match="No place with code 7"):
        call_command("import_file", CountImporter.name, str(path), "--place", "7")


def test_two_importers_may_not_share_a_name():
    class Other(CountImporter):
        pass

    with pytest.raises(ValueError, match="two importers named"):
        registry.register(Other)
