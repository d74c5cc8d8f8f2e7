"""Test data: valid fake ID numbers and spreadsheets built in memory."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl

from tongzhou.people.idnumbers import check_digit
from tongzhou.people.importers import HEADERS


def id_number(n: int, *, region: str = "520102", born: str = "19800101") -> str:
    first17 = f"{region}{born}{n % 1000:03d}"
    return first17 + check_digit(first17)


def xlsx(rows: Iterable[Sequence[Any]], headers: Sequence[str] = HEADERS) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: Iterable[Sequence[Any]], headers: Sequence[str] = HEADERS, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def row(n: int, **overrides: Any) -> list[Any]:
    """A good row for the demo's 泰安巷3号院 1栋 1单元, room 101 + n (floors 1-7, rooms 01-02)."""
    floor, room = divmod(n, 2)
    values = {
        "姓名": f"居民{n}",
        "证件类型": "身份证",
        "证件号码": id_number(n),
        "手机号": f"1380000{n:04d}",
        "小区": "泰安巷3号院",
        "楼栋": "1栋",
        "单元": "1单元",
        "房号": f"{floor + 1}0{room + 1}",
        "居住类型": "常住",
        "标签": "",
        "入住日期": "",
        "备注": "",
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]
