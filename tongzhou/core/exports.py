"""Cells for the spreadsheets we hand out (.xlsx and .csv).

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
WPS and LibreOffice as a formula: a resident named `=HYPERLINK("http://…","点击")` would become a
live link in the register export (CSV/formula injection, OWASP). Every exporter passes its rows
through `spreadsheet_row`, which puts an apostrophe in front of such text, so the cell shows the
text as typed. Numbers and dates are left alone.
"""

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """`value`, with a leading apostrophe if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    return [spreadsheet_cell(value) for value in values]
