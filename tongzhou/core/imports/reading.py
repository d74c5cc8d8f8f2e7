"""Reading an uploaded .xlsx or .csv safely: refuse what is not a spreadsheet, a zip bomb, a file
too large or with too many rows, and headers that are not the importer's columns. Cell contents
(formulas, long cells) are checked per row in `base`, so they become row errors, not file errors.
"""

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from tongzhou.core.imports.base import Column

MAX_CELL = 500  # characters; a longer cell is an error, never truncated
MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_UNCOMPRESSED = 600 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, per zip member larger than 1 MB


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why."""


def max_rows() -> int:
    return int(getattr(settings, "TONGZHOU_IMPORT_MAX_ROWS", 200_000))


def too_large_message() -> str:
    return _("The file is larger than %(mb)d MB; split it.") % {"mb": MAX_FILE_BYTES // 2**20}


def _xlsx_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFileError(_("The file is not a spreadsheet (.xlsx) or is damaged.")) from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportFileError(_("The file unpacks to far more than its size (a zip bomb?); it was not opened."))
    if total > MAX_UNCOMPRESSED:
        raise ImportFileError(
            _("The file unpacks to more than %(mb)d MB; split it.") % {"mb": MAX_UNCOMPRESSED // 2**20}
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The file is not a spreadsheet (.xlsx) or is damaged.")) from None
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    if b"\x00" in data[:4096]:
        raise ImportFileError(_("The file is not a spreadsheet (.xlsx) or a CSV text file."))
    for encoding in ("utf-8-sig", "gb18030"):  # Excel saves Chinese CSV as GB18030
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))
    yield from (tuple(row) for row in csv.reader(io.StringIO(text, newline="")))


def _header_names(header: tuple[Any, ...], columns: Sequence["Column"]) -> list[str]:
    """The header row as column names (an alias becomes its column's header); refuses a missing
    required column or an unknown one."""
    by_name = {c.header: c.header for c in columns}
    by_name.update({alias: c.header for c in columns for alias in c.aliases})
    cells = [str(h).strip() if h is not None else "" for h in header]
    names = [by_name.get(cell, cell) for cell in cells]
    missing = [c.header for c in columns if c.required and c.header not in names]
    unknown = [cell for cell in cells if cell and cell not in by_name]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing column(s): %(cols)s") % {"cols": "、".join(missing)})
        if unknown:
            parts.append(_("unknown column(s): %(cols)s") % {"cols": "、".join(unknown)})
        raise ImportFileError(_("Row 1 (headers): %(problems)s. Use the template.") % {"problems": "; ".join(parts)})
    return names


def read_table(data: bytes, filename: str, columns: Sequence["Column"]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number as the user sees it, {header: value}) for each non-empty row after the header.
    Raises ImportFileError for the file as a whole, before or while the rows are read."""
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(too_large_message())
    is_xlsx = data[:4] == b"PK\x03\x04"
    if filename.lower().endswith(".xlsx") and not is_xlsx:
        raise ImportFileError(_("The file is not a spreadsheet (.xlsx) or is damaged."))
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    header = next(rows, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    names = _header_names(header, columns)
    limit = max_rows()
    count = 0
    for number, row in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in row):
            continue
        count += 1
        if count > limit:
            raise ImportFileError(_("More than %(n)d rows; split the file.") % {"n": limit})
        yield number, {name: (row[i] if i < len(row) else None) for i, name in enumerate(names) if name}
    if count == 0:
        raise ImportFileError(_("The file has headers but no rows."))
