"""What an importer declares and what the framework does with it.

An importer declares its columns (Chinese headers: the people who fill them in read Chinese), a
row check (the row's cells -> cleaned values, reporting each problem with the column it is in),
optional checks across the file, and a writer for a batch of good rows. The framework reads the
file, refuses formulas and over-long cells, requires the required columns, collects every row
error for the preview, and writes the good rows in batches in one transaction: all of them, or
none when the user asked for all-or-nothing and any row is bad.
"""

import io
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import openpyxl
from django.db import connection, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl.utils import get_column_letter

from tongzhou.core.imports.reading import MAX_CELL, read_table
from tongzhou.core.permissions import Perm


@dataclass(frozen=True)
class Column:
    """One column of an importer's template. `aliases` are other headers accepted for it."""

    header: str
    required: bool = False
    example: Any = ""
    width: int = 12
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class GoodRow:
    row: int
    values: dict[str, Any]


@dataclass
class Checked:
    good: list[GoodRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def reject(self, rows: dict[int, RowError], columns: Sequence[Column]) -> None:
        """Turn good rows into bad ones after a check across the file: `rows` maps a row number
        to its error. Errors stay in row order, then column order."""
        if not rows:
            return
        self.errors.extend(rows[g.row] for g in self.good if g.row in rows)
        order = {c.header: i for i, c in enumerate(columns)}
        self.errors.sort(key=lambda e: (e.row, order.get(e.column, 0)))
        self.good = [g for g in self.good if g.row not in rows]


class Target(Protocol):
    """The place imported into: anything with a materialized path and a name."""

    path: str
    name: str


Progress = Callable[[int, int], object]
Bad = Callable[[str, str], None]


def cell_text(value: Any) -> str:
    """A cell as stripped text; a whole float (a room or phone typed as a number) without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class Importer:
    """Subclass and declare. One instance serves one file: `place_path` is the place imported into
    (the job's), `actor` who imports (None from the command line)."""

    name: ClassVar[str]  # the registry's key, and the command line's IMPORTER
    title: ClassVar[str | Promise]  # "Import residents"
    help_text: ClassVar[str | Promise] = ""  # above the upload form: what one row is
    permission: ClassVar[Perm]  # needed at the place imported into
    place_kinds: ClassVar[tuple[str, ...]]  # kinds of place one may import into
    columns: ClassVar[tuple[Column, ...]]
    sheet_title: ClassVar[str] = "Sheet1"
    template_filename: ClassVar[str] = "tongzhou-import-template.xlsx"
    batch_size: ClassVar[int] = 5000
    # Rows whose unique_key is the same as an earlier row's are bad, in this column.
    unique_column: ClassVar[str | None] = None
    duplicate_message: ClassVar[str | Promise] = gettext_lazy("The same as row %(row)d.")
    command_noun: ClassVar[str] = "rows"  # "imported 12 rows into ..." on the command line
    # Tables to ANALYZE after a large import, so the planner knows they are no longer small.
    analyze_tables: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *, place_path: str, actor: Any = None) -> None:
        self.place_path = place_path
        self.actor = actor

    @classmethod
    def done_message(cls, created: int) -> str:
        """What the job page says once the rows are written."""
        return ngettext("%(n)s row imported.", "%(n)s rows imported.", created) % {"n": created}

    def prepare(self) -> None:
        """Before the rows are checked: load what the checks look up (once, not per row)."""

    def check_row(self, text: dict[str, str], cells: dict[str, Any], bad: Bad) -> dict[str, Any]:
        """The row's cleaned values. `text` holds each cell as stripped text, `cells` the values as
        read (dates stay dates). Call bad(column, reason) for each problem; a row with any is bad
        and its values are dropped. Required columns are already checked."""
        raise NotImplementedError

    def unique_key(self, values: dict[str, Any]) -> Hashable:
        """With `unique_column` set: the value that must not repeat within the file."""
        return None

    def check_file(self, checked: Checked) -> None:
        """After every row: checks across rows or against the database (`checked.reject`)."""

    def write_batch(self, rows: list[GoodRow]) -> int:
        """Write good rows (at most `batch_size`), inside the import's transaction; how many written."""
        raise NotImplementedError

    def write_done(self, checked: Checked, created: int) -> None:
        """After the last batch, still inside the transaction: e.g. the audit event of the import."""


def check(importer: Importer, data: bytes, filename: str, progress: Progress | None = None) -> Checked:
    """Read and check every row; nothing is written. Raises ImportFileError for the file as a whole."""
    importer.prepare()
    checked = Checked()
    columns = importer.columns
    required = [c.header for c in columns if c.required]
    unique_column = importer.unique_column
    seen: dict[Hashable, int] = {}
    for row, cells in read_table(data, filename, columns):
        checked.total += 1
        errors: list[RowError] = []

        def bad(column: str, message: str, row: int = row, errors: list[RowError] = errors) -> None:
            errors.append(RowError(row, column, message))

        for column, value in cells.items():
            if isinstance(value, str) and value.startswith("="):
                bad(column, _("A formula; paste the value instead."))
            elif isinstance(value, str) and len(value) > MAX_CELL:
                bad(column, _("Longer than %(n)d characters.") % {"n": MAX_CELL})
        if not errors:
            text = {column: cell_text(value) for column, value in cells.items()}
            for column in required:
                if not text.get(column):
                    bad(column, _("Required."))
            values = importer.check_row(text, cells, bad)
            if not errors and unique_column is not None:
                key = importer.unique_key(values)
                if key in seen:
                    errors = [RowError(row, unique_column, str(importer.duplicate_message) % {"row": seen[key]})]
                else:
                    seen[key] = row
        if errors:
            checked.errors.extend(errors)
        else:
            checked.good.append(GoodRow(row, values))
        if progress and checked.total % 1000 == 0:
            progress(checked.total, 0)
    importer.check_file(checked)
    return checked


def write(importer: Importer, checked: Checked, *, all_or_nothing: bool, progress: Progress | None = None) -> int:
    """Write the good rows in batches in one transaction; with `all_or_nothing`, none at all when
    any row is bad. Returns how many were written."""
    if all_or_nothing and checked.errors:
        return 0
    created = 0
    good = checked.good
    with transaction.atomic():
        for start in range(0, len(good), importer.batch_size):
            created += importer.write_batch(good[start : start + importer.batch_size])
            if progress:
                progress(created, len(good))
        importer.write_done(checked, created)
    if created > 1000:
        with connection.cursor() as cursor:  # fresh statistics, or the planner guesses the table is empty
            for table in importer.analyze_tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return created


def template_workbook(importer: type[Importer]) -> bytes:
    """The importer's template: its headers and one example row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = importer.sheet_title
    sheet.append([c.header for c in importer.columns])
    sheet.append([c.example for c in importer.columns])
    for i, column in enumerate(importer.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
