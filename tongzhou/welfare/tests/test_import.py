"""A member unit's staff list through the import framework: row errors named, nothing written under
all-or-nothing, a person already enrolled and rows beyond the budget refused."""

import io

import openpyxl
from django.urls import reverse

from tongzhou.core.imports import base
from tongzhou.welfare.importers import EnrollmentImporter
from tongzhou.welfare.models import Enrollment
from tongzhou.welfare.services.plans import MemberData, enrollments_create

from .conftest import id_number


def workbook(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "手机号", "单位", "计划编号"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(officer, plan, rows, *, all_or_nothing=True):
    importer = EnrollmentImporter(place_path=plan.place_path, actor=officer)
    checked = base.check(importer, workbook(rows), "staff.xlsx")
    return checked, base.write(importer, checked, all_or_nothing=all_or_nothing)


def test_bad_rows_are_named_and_all_or_nothing_writes_nothing(make_plan, officers, union):
    plan = make_plan(places=3)
    enrollments_create(
        actor=officers["taian_welfare"],
        plan=plan,
        members=[MemberData(name="已保", id_number=id_number(50), phone="13500000050")],
    )
    rows = [
        ("张一", id_number(1), "13600000001", "贵阳市职工互助保障中心", plan.pk),
        ("张二", "52010219850101002X", "13600000002", "", plan.pk),  # bad check digit
        ("张三", id_number(3), "123", "", plan.pk),  # bad phone
        ("张四", id_number(1), "13600000004", "", plan.pk),  # the same person as row 2
        ("张五", id_number(5), "13600000005", "没有这个单位", plan.pk),  # unknown unit
        ("张六", id_number(6), "13600000006", "", 99999),  # unknown plan
        ("已保", id_number(50), "13500000050", "", plan.pk),  # enrolled already
    ]
    checked, written = run(officers["taian_welfare"], plan, rows)
    assert written == 0
    assert [(e.row, e.column) for e in checked.errors] == [
        (3, "身份证号"),
        (4, "手机号"),
        (5, "身份证号"),
        (6, "单位"),
        (7, "计划编号"),
        (8, "身份证号"),
    ]
    plan.refresh_from_db()
    assert (plan.places_taken, Enrollment.objects.count()) == (1, 1)


def test_good_rows_are_enrolled_up_to_the_budget(make_plan, officers, union):
    plan = make_plan(places=2)
    rows = [(f"李{n}", id_number(n), f"1360000{n:04d}", "贵阳市职工互助保障中心", plan.pk) for n in range(1, 4)]
    checked, written = run(officers["taian_welfare"], plan, rows, all_or_nothing=False)
    assert [(e.row, e.column) for e in checked.errors] == [(4, "计划编号")]
    assert written == 2
    plan.refresh_from_db()
    assert plan.places_taken == 2
    assert set(Enrollment.objects.values_list("organisation", flat=True)) == {union.pk}


def test_the_upload_page_is_the_officers(client_as, make_plan, officers):
    plan = make_plan()
    assert client_as("taian_staff").get(reverse("welfare:upload", args=[plan.pk])).status_code == 404
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    assert client.get(reverse("welfare:upload", args=[plan.pk])).status_code == 200
    assert client.get(reverse("welfare:template")).status_code == 200
