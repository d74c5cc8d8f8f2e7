"""Resident import from .xlsx or .csv: read safely, check every row, write the good ones (or none).

Problems with the file as a whole (not a spreadsheet, an xlsx zip bomb, wrong headers, empty, too
many rows) raise ImportFileError and nothing is read further. Problems with a row are collected as
RowError(row, column, message), every one of them, so the preview can list them all; the write then
takes the good rows, or nothing at all when the user asked for all-or-nothing.
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core import pii
from tongzhou.core.bulk import insert_many
from tongzhou.core.scope import Scope, subtree_q
from tongzhou.core.services import AuditTarget, audit_log, audit_log_many
from tongzhou.people.audit import PeopleAudit
from tongzhou.people.idnumbers import IdType, id_card_facts, normalize_id_number, normalize_phone
from tongzhou.people.models import Person, PersonTag, ResidencyType, Tag
from tongzhou.places.models import Household, Place, PlaceKind

# The template's columns, in order. Chinese headers: the people who fill them in read Chinese.
NAME, ID_TYPE, ID_NUMBER, PHONE, COMPOUND, BUILDING, UNIT, ROOM, RESIDENCY, TAGS, MOVED_IN, NOTES = (
    "姓名",
    "证件类型",
    "证件号码",
    "手机号",
    "小区",
    "楼栋",
    "单元",
    "房号",
    "居住类型",
    "标签",
    "入住日期",
    "备注",
)
HEADERS = (NAME, ID_TYPE, ID_NUMBER, PHONE, COMPOUND, BUILDING, UNIT, ROOM, RESIDENCY, TAGS, MOVED_IN, NOTES)
REQUIRED = (NAME, ID_NUMBER, COMPOUND, BUILDING, ROOM)
EXAMPLE_ROW = (
    "张三",
    "身份证",
    "52010219900101123X",
    "13800001234",
    "泰安巷3号院",
    "1栋",
    "1单元",
    "701",
    "常住",
    "党员、需帮扶",
    "2020-05-01",
    "",
)

ID_TYPES = {
    "": IdType.ID_CARD,
    "身份证": IdType.ID_CARD,
    "居民身份证": IdType.ID_CARD,
    "居住证": IdType.ID_CARD,
    "护照": IdType.PASSPORT,
    "港澳通行证": IdType.HK_MACAO_PERMIT,
    "港澳居民来往内地通行证": IdType.HK_MACAO_PERMIT,
    "台湾通行证": IdType.TAIWAN_PERMIT,
    "台胞证": IdType.TAIWAN_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
    "其他": IdType.OTHER,
}
RESIDENCIES = {
    "": ResidencyType.PERMANENT,
    "户籍": ResidencyType.REGISTERED,
    "常住": ResidencyType.PERMANENT,
    "租户": ResidencyType.TENANT,
    "流动": ResidencyType.FLOATING,
}
TAG_LABELS = {
    "独居老人": Tag.ELDERLY_ALONE,
    "残疾": Tag.DISABLED,
    "孕产妇": Tag.PREGNANT,
    "慢性病": Tag.CHRONIC,
    "低保": Tag.LOW_INCOME,
    "退役军人": Tag.VETERAN,
    "党员": Tag.PARTY_MEMBER,
    "需帮扶": Tag.NEEDS_HELP,
}

MAX_CELL = 500  # characters; a longer cell is an error, never truncated
MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_UNCOMPRESSED = 600 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, per zip member larger than 1 MB


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class GoodRow:
    row: int
    values: dict[str, Any]
    tags: list[str]


@dataclass
class Checked:
    good: list[GoodRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})


Progress = Callable[[int, int], object]


def _max_rows() -> int:
    return int(getattr(settings, "TONGZHOU_IMPORT_MAX_ROWS", 200_000))


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


def read_table(data: bytes, filename: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number as the user sees it, {header: value}) for each non-empty row after the header."""
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than %(mb)d MB; split it.") % {"mb": MAX_FILE_BYTES // 2**20})
    is_xlsx = data[:4] == b"PK\x03\x04"
    if filename.lower().endswith(".xlsx") and not is_xlsx:
        raise ImportFileError(_("The file is not a spreadsheet (.xlsx) or is damaged."))
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    header = next(rows, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    names = [str(h).strip() if h is not None else "" for h in header]
    missing = [h for h in REQUIRED if h not in names]
    unknown = [h for h in names if h and h not in HEADERS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing column(s): %(cols)s") % {"cols": "、".join(missing)})
        if unknown:
            parts.append(_("unknown column(s): %(cols)s") % {"cols": "、".join(unknown)})
        raise ImportFileError(_("Row 1 (headers): %(problems)s. Use the template.") % {"problems": "; ".join(parts)})
    count = 0
    for number, row in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in row):
            continue
        count += 1
        if count > _max_rows():
            raise ImportFileError(_("More than %(n)d rows; split the file.") % {"n": _max_rows()})
        yield number, {name: (row[i] if i < len(row) else None) for i, name in enumerate(names) if name}
    if count == 0:
        raise ImportFileError(_("The file has headers but no rows."))


class _HouseholdIndex:
    """(compound, building, unit, room) -> household, for the place imported into. One query each
    for the places and the households of its subtree."""

    def __init__(self, place: Place) -> None:
        places = {
            p.path: p
            for p in Place.objects.filter(
                subtree_q(place.path), kind__in=[PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT]
            )
        }
        self.index: dict[tuple[str, str, str, str], Household] = {}
        for household in Household.objects.filter(subtree_q(place.path, "place__path")).select_related("place"):
            holder = household.place
            unit = holder.name if holder.kind == PlaceKind.UNIT else ""
            building = places.get(holder.path.rsplit("/", 2)[0] + "/") if unit else holder
            compound = places.get(building.path.rsplit("/", 2)[0] + "/") if building else None
            if building and compound:
                self.index[(compound.name, building.name, unit, household.room)] = household

    def get(self, compound: str, building: str, unit: str, room: str) -> Household | None:
        return self.index.get((compound, building, unit, room))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a room or phone typed as a number
    return str(value).strip()


def _check_row(
    row: int, cells: dict[str, Any], households: _HouseholdIndex, today: date
) -> tuple[GoodRow | None, list[RowError]]:
    errors: list[RowError] = []

    def bad(column: str, message: str) -> None:
        errors.append(RowError(row, column, message))

    for column, value in cells.items():
        if isinstance(value, str) and value.startswith("="):
            bad(column, _("A formula; paste the value instead."))
        elif isinstance(value, str) and len(value) > MAX_CELL:
            bad(column, _("Longer than %(n)d characters.") % {"n": MAX_CELL})
    if errors:
        return None, errors
    text = {column: _text(value) for column, value in cells.items()}
    for column in REQUIRED:
        if not text.get(column):
            bad(column, _("Required."))
    values: dict[str, Any] = {"name": text.get(NAME, "")}
    if len(values["name"]) > 50:
        bad(NAME, _("At most 50 characters."))
    id_type = ID_TYPES.get(text.get(ID_TYPE, ""))
    if id_type is None:
        bad(ID_TYPE, _("Unknown document type %(value)s.") % {"value": text[ID_TYPE]})
    elif text.get(ID_NUMBER):
        try:
            values["id_number"] = normalize_id_number(id_type, text[ID_NUMBER])
            values["id_type"] = id_type
            if id_type == IdType.ID_CARD:
                facts = id_card_facts(values["id_number"], today=today)
                values.update(birth_date=facts.birth_date, sex=facts.sex)
        except ValidationError as error:
            bad(ID_NUMBER, error.messages[0])
    if text.get(PHONE):
        try:
            values["phone"] = normalize_phone(text[PHONE])
            values["phone_last4"] = values["phone"][-4:]
        except ValidationError as error:
            bad(PHONE, error.messages[0])
    residency = RESIDENCIES.get(text.get(RESIDENCY, ""))
    if residency is None:
        bad(RESIDENCY, _("Use 户籍, 常住, 租户 or 流动."))
    values["residency_type"] = residency
    tags = [t for t in re.split(r"[、,，;；\s]+", text.get(TAGS, "")) if t]
    unknown = [t for t in tags if t not in TAG_LABELS]
    if unknown:
        bad(TAGS, _("Unknown tag(s): %(tags)s") % {"tags": "、".join(unknown)})
    moved_in = cells.get(MOVED_IN)
    if isinstance(moved_in, datetime):
        moved_in = moved_in.date()
    if isinstance(moved_in, str) and moved_in.strip():
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", moved_in.strip()):
            try:
                moved_in = date.fromisoformat(moved_in.strip())
            except ValueError:
                bad(MOVED_IN, _("No such date."))
                moved_in = None
        else:
            bad(MOVED_IN, _("A date typed as text; use a date cell or YYYY-MM-DD."))
            moved_in = None
    if isinstance(moved_in, date):
        if moved_in > today:
            bad(MOVED_IN, _("The date is in the future."))
        values["moved_in_on"] = moved_in
    if all(text.get(c) for c in (COMPOUND, BUILDING, ROOM)):
        household = households.get(text[COMPOUND], text[BUILDING], text.get(UNIT, ""), text[ROOM])
        if household is None:
            bad(
                ROOM,
                _("No room %(room)s in %(where)s.")
                % {
                    "room": text[ROOM],
                    "where": " ".join(filter(None, (text[COMPOUND], text[BUILDING], text.get(UNIT)))),
                },
            )
        values["household"] = household
    values["notes"] = text.get(NOTES, "")
    if errors:
        return None, errors
    return GoodRow(row, values, [TAG_LABELS[t] for t in tags]), []


def check_rows(
    data: bytes, filename: str, place: Place, progress: Progress | None = None, *, scope: Scope | None = None
) -> Checked:
    """Read and check every row; nothing is written. Raises ImportFileError for the file as a whole.
    "Already registered" looks only within `scope` (the uploader's register; None: everywhere), so
    an import cannot be used to learn who lives outside one's places."""
    households = _HouseholdIndex(place)
    today = timezone.localdate()
    checked = Checked()
    seen: dict[str, int] = {}
    for row, cells in read_table(data, filename):
        checked.total += 1
        good, errors = _check_row(row, cells, households, today)
        if good is not None:
            number = good.values["id_number"]
            if number in seen:
                errors = [RowError(row, ID_NUMBER, _("The same number as row %(row)d.") % {"row": seen[number]})]
                good = None
            else:
                seen[number] = row
        checked.errors.extend(errors)
        if good is not None:
            checked.good.append(good)
        if progress and checked.total % 1000 == 0:
            progress(checked.total, 0)
    _mark_registered(checked, scope)
    return checked


def _mark_registered(checked: Checked, scope: Scope | None) -> None:
    """Rows whose document number is already registered (and not moved out) become errors."""
    candidates: dict[str, GoodRow] = {}
    for good in checked.good:
        for index in pii.blind_index_candidates(good.values["id_number"]):
            candidates[index] = good
    keys = list(candidates)
    taken: set[int] = set()
    living = Person.objects.filter(moved_out_on__isnull=True, merged_into__isnull=True)
    if scope is not None:
        living = living.filter(scope.q("place_path"))
    for start in range(0, len(keys), 5000):
        for index in living.filter(id_index__in=keys[start : start + 5000]).values_list("id_index", flat=True):
            taken.add(candidates[index].row)
    if taken:
        checked.errors.extend(
            RowError(g.row, ID_NUMBER, _("Already registered.")) for g in checked.good if g.row in taken
        )
        checked.errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else 0))
        checked.good = [g for g in checked.good if g.row not in taken]


def write_rows(
    *, actor: User | None, place: Place, checked: Checked, all_or_nothing: bool, progress: Progress | None = None
) -> int:
    """Create the good rows' residents in one transaction; with `all_or_nothing`, none at all when
    any row is bad. Returns how many were created. One audit event per resident and one for the
    import."""
    if all_or_nothing and checked.errors:
        return 0
    created = 0
    with transaction.atomic():
        batch = 5000
        for start in range(0, len(checked.good), batch):
            rows = checked.good[start : start + batch]
            people = []
            for good in rows:
                values = dict(good.values)
                household = values.pop("household")
                people.append(Person(household=household, place_path=household.place.path, **values))
            insert_many(people)  # fills the blind indexes and encrypts, as save() would
            PersonTag.objects.bulk_create(
                PersonTag(person=person, tag=tag)
                for person, good in zip(people, rows, strict=True)
                for tag in good.tags
            )
            audit_log_many(
                action=PeopleAudit.PERSON_CREATED,
                actor=actor,
                details={"import": True},
                targets=(AuditTarget("people.person", str(p.pk), p.name, p.place_path) for p in people),
            )
            created += len(people)
            if progress:
                progress(created, len(checked.good))
        audit_log(
            action=PeopleAudit.PEOPLE_IMPORTED,
            actor=actor,
            obj=place,
            place_path=place.path,
            details={"created": created, "bad_rows": len(checked.bad_rows), "rows": checked.total},
        )
    if created > 1000:
        with connection.cursor() as cursor:  # fresh statistics, or the planner guesses the register is empty
            cursor.execute("ANALYZE people_person")
    return created


def template_workbook() -> bytes:
    """The import template: the headers and one example row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "居民登记"
    sheet.append(HEADERS)
    sheet.append(EXAMPLE_ROW)
    for column, width in zip("ABCDEFGHIJKL", (10, 10, 22, 14, 14, 8, 8, 8, 10, 16, 12, 20), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
