import io
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
from tongzhou.people.selectors import addresses, register

HEADERS = ("姓名", "证件类型", "证件号码", "手机号", "地址", "居住类型", "标签", "出生日期", "性别", "备注")
CHUNK = 2000


pseudonym = pii.mask_name


def register_workbook(
    *, actor: User, scope: Scope, real_values: bool, purpose: str = "", request: HttpRequest | None = None
) -> tuple[bytes, int]:
    """The register of `scope` as xlsx bytes and its row count. Names, ID and phone numbers are
    pseudonymized unless `real_values`, which the caller allows only with a purpose to a user who may
    unmask; even then rows outside the user's unmasking scope stay masked. The export is audited."""
    reveal = scope_for(actor, Perm.PII_REVEAL) if real_values else Scope(())
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("居民")
    sheet.append(HEADERS)
    count = 0
    people = register(scope).iterator(chunk_size=CHUNK)
    while chunk := list(islice(people, CHUNK)):
        where = addresses(chunk)
        for person in chunk:
            real = reveal.contains(person.place_path)
            sheet.append(
                spreadsheet_row(
                    (
                        person.name if real else pseudonym(person.name),
                        person.get_id_type_display(),
                        person.id_number if real else mask_id_number(person.id_number),
                        (person.phone if real else mask_phone(person.phone)) if person.phone else "",
                        where[person.pk],
                        person.get_residency_type_display(),
                        "、".join(t.get_tag_display() for t in person.tags.all()),
                        person.birth_date,
                        person.get_sex_display(),
                        person.notes if real else "",
                    )
                )
            )
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
            details={"what": "residents", "rows": count, "real_values": real_values, "format": "xlsx"},
        )
    return out.getvalue(), count
