"""The register export takes the list's filters, has the import template's columns (an export
with real values imports again as it is) and, pseudonymised, keeps only the birth year."""

import datetime
import io

import openpyxl
from django.urls import reverse
from django.utils import timezone

from tongzhou.core.audit import CoreAudit
from tongzhou.core.models import AuditEvent
from tongzhou.people.importers import HEADERS, check_rows
from tongzhou.people.models import Person


def _xlsx(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_list_links_its_filters_to_the_export(demo, client_as):
    compound = demo.places["taian_compound"]
    html = client_as("taian_staff").get(reverse("people:register"), {"place": compound.pk, "tag": "veteran"}).content
    assert f'href="/residents/export/?place={compound.pk}&amp;tag=veteran"' in html.decode()


def test_a_real_export_of_a_filtered_list_imports_again(demo, client_as):
    compound = demo.places["taian_compound"]
    staff = client_as("taian_staff")
    url = reverse("people:export") + f"?place={compound.pk}"
    data = _xlsx(staff.post(url, {"real_values": "on", "purpose": "重新导入核对"}))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    in_compound = Person.objects.filter(
        place_path__startswith=compound.path, moved_out_on__isnull=True, merged_into__isnull=True
    )
    assert 0 < len(rows) - 1 == in_compound.count() < Person.objects.count()
    assert {r[HEADERS.index("小区")] for r in rows[1:]} == {compound.name}
    event = AuditEvent.objects.get(action=CoreAudit.EXPORTED)
    assert event.details["place"] == compound.pk and event.details["rows"] == len(rows) - 1

    # The same people, moved out, come back from the file: every row is good.
    in_compound.update(moved_out_on=timezone.localdate())
    checked = check_rows(data, "export.xlsx", demo.places["taian"])
    assert checked.errors == [] and len(checked.good) == len(rows) - 1


def test_the_pseudonymised_export_keeps_the_birth_year_only(demo, client_as):
    response = client_as("taian_staff").post(reverse("people:export"), {})
    sheet = openpyxl.load_workbook(io.BytesIO(_xlsx(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (*HEADERS, "出生年份", "性别")
    person = Person.objects.filter(birth_date__isnull=False).order_by("pk").first()
    years = {r[-2] for r in rows[1:]}
    assert person.birth_date.year in years
    cells = [cell for r in rows[1:] for cell in r]
    assert not any(isinstance(cell, datetime.date) and cell == person.birth_date for cell in cells)
    assert not any(str(person.birth_date) in str(cell) for cell in cells)
