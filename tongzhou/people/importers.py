"""The residents' import, on the import framework (tongzhou.core.imports): its columns, its row
checks (document numbers, phones, rooms that exist in the place imported into, tags, dates) and
its writer (bulk insert with encryption, tags, one audit event per resident and one for the file).

`check_rows`, `write_rows` and `template_workbook` are the framework's steps with this importer.
"""

import re
from collections.abc import Hashable
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.models import User
from tongzhou.core import pii
from tongzhou.core.access import scope_of
from tongzhou.core.bulk import insert_many
from tongzhou.core.imports import base
from tongzhou.core.imports.base import Bad, Checked, Column, GoodRow, Importer, Progress, RowError
from tongzhou.core.imports.reading import ImportFileError
from tongzhou.core.permissions import Perm
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


WIDTHS = (10, 10, 22, 14, 14, 8, 8, 8, 10, 16, 12, 20)
PLACE_KINDS = (PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND)


class ResidentImporter(Importer):
    name = "residents"
    title = gettext_lazy("Import residents")
    help_text = gettext_lazy(
        "Fill in the template (one row per resident; the compound, building, unit and room must already exist), "
        "then upload it. You will see every bad row before anything is imported."
    )
    permission = Perm.PEOPLE_MANAGE
    place_kinds = tuple(str(k) for k in PLACE_KINDS)
    columns = tuple(
        Column(header, required=header in REQUIRED, example=example, width=width)
        for header, example, width in zip(HEADERS, EXAMPLE_ROW, WIDTHS, strict=True)
    )
    sheet_title = "居民登记"
    template_filename = "tongzhou-residents-template.xlsx"
    unique_column = ID_NUMBER
    duplicate_message = gettext_lazy("The same number as row %(row)d.")
    command_noun = "residents"
    analyze_tables = ("people_person",)

    def __init__(self, *, place_path: str, actor: User | None = None, scope: Scope | None = None) -> None:
        """`scope` bounds "already registered": by default where `actor` may see the register, and
        everywhere without an actor (the command line), so an import cannot be used to learn who
        lives outside one's places."""
        super().__init__(place_path=place_path, actor=actor)
        self.scope = scope if scope is not None or actor is None else scope_of(actor, Perm.PEOPLE_VIEW)

    @classmethod
    def done_message(cls, created: int) -> str:
        return _("%(n)s residents imported.") % {"n": created}

    @cached_property
    def place(self) -> Place:
        return Place.objects.get(path=self.place_path)

    def prepare(self) -> None:
        self.households = _HouseholdIndex(self.place)
        self.today = timezone.localdate()

    def check_row(self, text: dict[str, str], cells: dict[str, Any], bad: Bad) -> dict[str, Any]:
        today = self.today
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
        values["tags"] = [TAG_LABELS[t] for t in tags if t in TAG_LABELS]
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
            household = self.households.get(text[COMPOUND], text[BUILDING], text.get(UNIT, ""), text[ROOM])
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
        return values

    def unique_key(self, values: dict[str, Any]) -> Hashable:
        return values["id_number"]

    def check_file(self, checked: Checked) -> None:
        """Rows whose document number is already registered (and not moved out) become errors."""
        candidates: dict[str, GoodRow] = {}
        for good in checked.good:
            for index in pii.blind_index_candidates(good.values["id_number"]):
                candidates[index] = good
        keys = list(candidates)
        taken: dict[int, RowError] = {}
        living = Person.objects.filter(moved_out_on__isnull=True, merged_into__isnull=True)
        if self.scope is not None:
            living = living.filter(self.scope.q("place_path"))
        for start in range(0, len(keys), 5000):
            for index in living.filter(id_index__in=keys[start : start + 5000]).values_list("id_index", flat=True):
                row = candidates[index].row
                taken[row] = RowError(row, ID_NUMBER, _("Already registered."))
        checked.reject(taken, self.columns)

    def write_batch(self, rows: list[GoodRow]) -> int:
        """Residents, their tags and one audit event each; encrypted and indexed as save() would."""
        people = []
        tags = []
        for good in rows:
            values = dict(good.values)
            household = values.pop("household")
            tags.append(values.pop("tags", ()))
            people.append(Person(household=household, place_path=household.place.path, **values))
        insert_many(people)  # fills the blind indexes and encrypts, as save() would
        PersonTag.objects.bulk_create(
            PersonTag(person=person, tag=tag)
            for person, person_tags in zip(people, tags, strict=True)
            for tag in person_tags
        )
        audit_log_many(
            action=PeopleAudit.PERSON_CREATED,
            actor=self.actor,
            details={"import": True},
            targets=(AuditTarget("people.person", str(p.pk), p.name, p.place_path) for p in people),
        )
        return len(people)

    def write_done(self, checked: Checked, created: int) -> None:
        audit_log(
            action=PeopleAudit.PEOPLE_IMPORTED,
            actor=self.actor,
            obj=self.place,
            place_path=self.place.path,
            details={"created": created, "bad_rows": len(checked.bad_rows), "rows": checked.total},
        )


def check_rows(
    data: bytes, filename: str, place: Place, progress: Progress | None = None, *, scope: Scope | None = None
) -> Checked:
    """Read and check every row into `place`; nothing is written. Raises ImportFileError for the file
    as a whole. "Already registered" looks only within `scope` (the uploader's register; None:
    everywhere)."""
    importer = ResidentImporter(place_path=place.path, scope=scope)
    importer.place = place
    return base.check(importer, data, filename, progress)


def write_rows(
    *, actor: User | None, place: Place, checked: Checked, all_or_nothing: bool, progress: Progress | None = None
) -> int:
    """Create the good rows' residents in one transaction; with `all_or_nothing`, none at all when
    any row is bad. Returns how many were created. One audit event per resident and one for the
    import."""
    importer = ResidentImporter(place_path=place.path, actor=actor)
    importer.place = place
    return base.write(importer, checked, all_or_nothing=all_or_nothing, progress=progress)


def template_workbook() -> bytes:
    """The import template: the headers and one example row."""
    return base.template_workbook(ResidentImporter)


__all__ = [
    "HEADERS",
    "Checked",
    "GoodRow",
    "ImportFileError",
    "ResidentImporter",
    "RowError",
    "check_rows",
    "write_rows",
]
