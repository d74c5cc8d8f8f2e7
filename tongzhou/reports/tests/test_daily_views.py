"""The daily report page, its drill-downs, words, adjustments and sign-off, tried by the personas
who may and may not reach them."""

import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.utils import timezone

from tongzhou.core.models import AuditEvent
from tongzhou.reports.models import Adjustment, DailyReport
from tongzhou.reports.services import adjustment_add, report_sign, snapshot_day


def _url(place: Any, suffix: str = "") -> str:
    return f"/dashboard/daily/{place.code}/{timezone.localdate().isoformat()}/{suffix}"


def test_community_staff_read_and_sign_their_own_report(demo: Any, client_as: Any) -> None:
    snapshot_day(day=timezone.localdate())
    client = client_as("taian_staff")
    page = client.get(_url(demo.places["taian"]))
    assert page.status_code == 200
    assert "line-residents" in page.content.decode()
    assert client.post(_url(demo.places["taian"], "sign/")).status_code == 302
    assert DailyReport.objects.get(place=demo.places["taian"]).is_signed


def test_songhua_staff_can_neither_read_nor_sign_taians_report(demo: Any, client_as: Any) -> None:
    client = client_as("songhua_staff")
    taian = demo.places["taian"]
    assert client.get(_url(taian)).status_code == 404
    assert client.get(_url(taian, "figure/residents/")).status_code == 404
    assert client.get(_url(taian, "report.xlsx")).status_code == 404
    assert client.post(_url(taian, "sign/")).status_code == 404
    assert client.post(_url(taian, "adjust/"), {"figure": "residents", "delta": "1", "reason": "x"}).status_code == 404
    assert not DailyReport.objects.exists()


def test_an_auditor_reads_and_cannot_sign(demo: Any, client_as: Any) -> None:
    client = client_as("auditor")
    assert client.get(_url(demo.places["er_ge"])).status_code == 200
    assert client.get(_url(demo.places["taian"])).status_code == 200
    assert client.post(_url(demo.places["taian"], "sign/")).status_code == 404
    assert client.post(_url(demo.places["er_ge"], "sign/")).status_code == 404
    assert not DailyReport.objects.exists()


def test_a_volunteer_sees_no_report(demo: Any, client_as: Any) -> None:
    client = client_as("volunteer")
    assert client.get("/dashboard/daily/").status_code == 404
    assert client.get(_url(demo.places["taian"])).status_code == 404
    assert client.get(_url(demo.places["taian"], "figure/residents/")).status_code == 404


def test_anonymous_is_sent_to_log_in(demo: Any, client: Any) -> None:
    assert client.get(_url(demo.places["taian"])).status_code == 302


def test_an_adjustment_after_sign_off_makes_a_new_version_and_keeps_the_old(demo: Any) -> None:
    taian, staff, day = demo.places["taian"], demo.taian_staff, timezone.localdate()
    adjustment_add(actor=staff, place=taian, day=day, figure_key="residents", delta=Decimal(2), reason="两户未登记")
    first = report_sign(actor=staff, place=taian, day=day)
    adjustment_add(actor=staff, place=taian, day=day, figure_key="fevers", delta=Decimal(1), reason="手写登记")
    versions = list(DailyReport.objects.filter(place=taian, day=day).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    first.refresh_from_db()
    assert first.is_signed and [a.reason for a in first.adjustments.all()] == ["两户未登记"]
    assert not versions[1].is_signed
    assert [a.reason for a in versions[1].adjustments.all()] == ["两户未登记", "手写登记"]
    assert Adjustment.objects.count() == 3


def test_a_bad_adjustment_names_the_field_and_writes_nothing(demo: Any, client_as: Any) -> None:
    client = client_as("taian_staff")
    response = client.post(
        _url(demo.places["taian"], "adjust/"), {"figure": "residents", "delta": "x", "reason": ""}, follow=True
    )
    assert response.status_code == 200
    assert not Adjustment.objects.exists()


def test_a_drill_down_is_masked_scoped_and_audited(demo: Any, client_as: Any) -> None:
    snapshot_day(day=timezone.localdate())
    client = client_as("street_admin")
    page = client.get(_url(demo.places["taian"], "figure/residents/"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "*" in text  # names masked
    assert AuditEvent.objects.filter(action="report_figure_drilled").count() == 1


def test_the_xlsx_has_a_row_per_community_and_the_totals(demo: Any, client_as: Any) -> None:
    snapshot_day(day=timezone.localdate())
    client = client_as("street_admin")
    response = client.get(_url(demo.places["er_ge"], "report.xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    names = [r[0] for r in rows[2:]]
    assert "泰安巷社区" in " ".join(str(n) for n in names) or any("泰安" in str(n) for n in names)
    residents = rows[1].index(next(h for h in rows[1] if h in ("Residents", "居民", "常住居民")))
    assert rows[-1][residents] == sum(r[residents] for r in rows[2:-1])
    assert client.get(_url(demo.places["er_ge"], "report.pdf")).status_code == 200


def test_the_street_sends_reminders_to_who_has_not_signed(demo: Any, client_as: Any) -> None:
    report_sign(actor=demo.taian_staff, place=demo.places["taian"], day=timezone.localdate())
    client = client_as("street_admin")
    page = client.get(_url(demo.places["er_ge"]))
    assert "child-unsigned" in page.content.decode()
    assert client.post(_url(demo.places["er_ge"], "remind/")).status_code == 302
    event = AuditEvent.objects.get(action="report_reminder_sent")
    assert event.details["communities"] >= 2


def test_the_report_page_runs_a_constant_number_of_queries(
    demo: Any, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    snapshot_day(day=timezone.localdate())
    client = client_as("street_admin")
    with django_assert_max_num_queries(30):
        assert client.get(_url(demo.places["er_ge"])).status_code == 200


def test_the_street_sees_a_communitys_adjustment_as_its_own_line(demo: Any, client_as: Any) -> None:
    snapshot_day(day=timezone.localdate())
    adjustment_add(
        actor=demo.taian_staff,
        place=demo.places["taian"],
        day=timezone.localdate(),
        figure_key="help_done",
        delta=Decimal(3),
        reason="线下办结未录入",
    )
    text = client_as("street_admin").get(_url(demo.places["er_ge"])).content.decode()
    assert "线下办结未录入" in text
