import io
from dataclasses import dataclass
from itertools import islice

import openpyxl
from django.db import transaction
from django.http import HttpRequest

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import scope_for
from tongzhou.core import pii
from tongzhou.core.audit import CoreAudit
from tongzhou.core.exports import spreadsheet_row
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_id_number, mask_phone
from tongzhou.core.scope import Scope
from tongzhou.core.services import audit_log
from tongzhou.people.importers import HEADERS as IMPORT_HEADERS
from tongzhou.people.importers import ID_TYPES, RESIDENCIES, TAG_LABELS
from tongzhou.people.selectors import register
from tongzhou.places.models import Place, PlaceKind
from tongzhou.places.selectors import address_parts

# The import template's columns, so a real-values export can be imported again as it is. The
# pseudonymised one (masked names and numbers: it cannot be) adds the birth year and sex, the year
# only (the masked ID number hides the birth date).
HEADERS = IMPORT_HEADERS
PSEUDONYMISED_EXTRA = ("出生年份", "性别")
CHUNK = 2000

# The words the import reads, per code (the first of each: 身份证, 常住, ...).
_ID_TYPE_WORDS: dict[str, str] = {str(code): word for word, code in reversed(ID_TYPES.items()) if word}
_RESIDENCY_WORDS: dict[str, str] = {str(code): word for word, code in reversed(RESIDENCIES.items()) if word}
_TAG_WORDS: dict[str, str] = {str(code): word for word, code in TAG_LABELS.items()}


@dataclass(frozen=True)
class RegisterFilters:
    """The register list's filters, applied to the export the same way."""

    text: str = ""
    place: Place | None = None
    residency: str = ""
    tag: str = ""

    def as_details(self) -> dict[str, object]:
        return {
            key: value
            for key, value in (
                ("q", self.text),
                ("place", self.place.pk if self.place else None),
                ("residency", self.residency),
                ("tag", self.tag),
            )
            if value
        }


pseudonym = pii.mask_name


def register_workbook(
    *,
    actor: User,
    scope: Scope,
    real_values: bool,
    purpose: str = "",
    filters: RegisterFilters | None = None,
    request: HttpRequest | None = None,
) -> tuple[bytes, int]:
    """The register of `scope` (narrowed by the list's `filters`) as xlsx bytes and its row count,
    in the import template's columns. Names, ID and phone numbers are pseudonymized unless
    `real_values`, which the caller allows only with a purpose to a user who may unmask; even then
    rows outside the user's unmasking scope stay masked. The export is audited with its filters."""
    filters = filters or RegisterFilters()
    reveal = scope_for(actor, Perm.PII_REVEAL) if real_values else Scope(())
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("居民")
    sheet.append(HEADERS if real_values else (*HEADERS, *PSEUDONYMISED_EXTRA))
    count = 0
    people = register(
        scope, text=filters.text, place=filters.place, residency=filters.residency, tag=filters.tag
    ).iterator(chunk_size=CHUNK)
    while chunk := list(islice(people, CHUNK)):
        parts = address_parts(p.place_path for p in chunk)
        for person in chunk:
            real = reveal.contains(person.place_path)
            where = parts[person.place_path]
            row: tuple[object, ...] = (
                person.name if real else pseudonym(person.name),
                _ID_TYPE_WORDS.get(person.id_type, person.get_id_type_display()),
                person.id_number if real else mask_id_number(person.id_number),
                (person.phone if real else mask_phone(person.phone)) if person.phone else "",
                where.get(PlaceKind.COMPOUND, ""),
                where.get(PlaceKind.BUILDING, ""),
                where.get(PlaceKind.UNIT, ""),
                person.household.room,
                _RESIDENCY_WORDS.get(person.residency_type, person.get_residency_type_display()),
                "、".join(_TAG_WORDS.get(t.tag, t.get_tag_display()) for t in person.tags.all()),
                person.moved_in_on,
                person.notes if real else "",
            )
            if not real_values:
                row = (*row, person.birth_date.year if person.birth_date else "", person.get_sex_display())
            sheet.append(spreadsheet_row(row))
            count += 1
    out = io.BytesIO()
    workbook.save(out)
    with transaction.atomic():
        audit_log(
            action=CoreAudit.EXPORTED,
            actor=actor,
            place_path=scope.roots[0] if scope.roots else "",
            request=request,
            purpose=purpose,
            details={
                "what": "residents",
                "rows": count,
                "real_values": real_values,
                "format": "xlsx",
                **filters.as_details(),
            },
        )
    return out.getvalue(), count
