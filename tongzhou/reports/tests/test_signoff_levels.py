"""Every level signs its own daily report with the same code: the district by its own deadline
(TONGZHOU_REPORT_DISTRICT_DEADLINE), seeing which of its streets have not signed and reminding
their administrators through the message pipeline. Street staff cannot sign the district; an
auditor of the district reads it and cannot sign."""

from datetime import datetime, time
from typing import Any

from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant
from tongzhou.core.models import AuditEvent
from tongzhou.core.outbox.models import OutboxMessage
from tongzhou.core.permissions import Role
from tongzhou.reports.models import DailyReport
from tongzhou.reports.services import deadline, report_sign


def _url(place: Any, suffix: str = "") -> str:
    return f"/dashboard/daily/{place.code}/{timezone.localdate().isoformat()}/{suffix}"


def _user(name: str, role: Role, place: Any) -> User:
    user = User.objects.create_user(name, password="district-password-1", display_name=name, phone="13900000001")
    role_grant(actor=None, user=user, role=role, place=place)
    return user


def test_the_district_signs_by_its_own_deadline(demo: Any, client: Any, settings: Any) -> None:
    settings.TONGZHOU_REPORT_DISTRICT_DEADLINE = "18:30"
    district = demo.places["er_ge"].parent
    day = timezone.localdate()
    assert deadline(district, day).time() == time(18, 30)
    assert deadline(demo.places["er_ge"], day).time() == time(17, 0)
    client.force_login(_user("district_head", Role.DISTRICT_ADMIN, district))
    page = client.get(_url(district)).content.decode()
    assert 'id="sign-button"' in page and "18:30" in page
    assert "child-unsigned" in page  # 二戈寨 has not signed
    assert client.post(_url(district, "sign/")).status_code == 302
    report = DailyReport.objects.get(place=district, day=day)
    assert report.is_signed and report.signed_by.username == "district_head"
    late = timezone.make_aware(datetime.combine(day, time(19, 0)))
    assert report_sign(actor=report.signed_by, place=district, day=day, now=late).signed_late


def test_the_district_sees_which_streets_signed_and_reminds_the_others(demo: Any, client: Any) -> None:
    district, street = demo.places["er_ge"].parent, demo.places["er_ge"]
    client.force_login(_user("district_head", Role.DISTRICT_ADMIN, district))
    page = client.get(_url(district)).content.decode()
    assert f'id="child-{street.code}"' in page and "remind-button" in page
    assert client.post(_url(district, "remind/")).status_code == 302
    # The street's administrators (the demo has two) are reminded, their street has not signed; no
    # community staff are.
    reminded = OutboxMessage.objects.filter(kind="daily_report_reminder")
    admins = [demo.users["street_admin"], demo.users["street_deputy"]]
    assert sorted(m.to for m in reminded) == sorted(u.phone for u in admins)
    assert AuditEvent.objects.get(action="report_reminder_sent").details["communities"] >= 1
    report_sign(actor=demo.street_admin, place=street, day=timezone.localdate())
    page = client.get(_url(district)).content.decode()
    assert "remind-button" not in page and "child-signed" in page


def test_street_staff_cannot_sign_the_district(demo: Any, client_as: Any) -> None:
    district = demo.places["er_ge"].parent
    client = client_as("street_admin")
    assert client.post(_url(district, "sign/")).status_code == 404
    assert client.post(_url(district, "remind/")).status_code == 404
    assert (
        client.post(_url(district, "adjust/"), {"figure": "residents", "delta": "1", "reason": "x"}).status_code == 404
    )
    # …and still signs its own street.
    assert client.post(_url(demo.places["er_ge"], "sign/")).status_code == 302
    assert not DailyReport.objects.filter(place=district).exists()


def test_community_staff_cannot_sign_the_street_or_the_district(demo: Any, client_as: Any) -> None:
    client = client_as("taian_staff")
    for place in (demo.places["er_ge"], demo.places["er_ge"].parent):
        assert client.post(_url(place, "sign/")).status_code == 404
    assert not DailyReport.objects.exists()


def test_an_auditor_of_the_district_reads_it_and_cannot_sign(demo: Any, client: Any) -> None:
    district = demo.places["er_ge"].parent
    client.force_login(_user("district_auditor", Role.AUDITOR, district))
    page = client.get(_url(district))
    assert page.status_code == 200 and 'id="sign-button"' not in page.content.decode()
    assert client.get(_url(district, "figure/residents/")).status_code == 200
    assert client.post(_url(district, "sign/")).status_code == 404
    assert client.post(_url(district, "remind/")).status_code == 404
    assert not DailyReport.objects.exists()
