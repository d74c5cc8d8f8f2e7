"""Monitoring pages by persona: health data only for those who may read it, 404 outside one's
street, forms that name the bad field, the resident's own page and the printable notice."""

import pytest
from django.test import Client
from django.urls import reverse

from tongzhou.monitoring.models import HealthCheck, KeyPerson, OrderStatus, Override
from tongzhou.monitoring.services import CheckData, check_record


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("outsider", False),
        ("volunteer", False),
        ("guard", False),
        ("building_lead", False),
        ("auditor", False),
        ("taian_staff", True),
        ("health_officer", True),
    ],
)
def test_who_reads_health_data(demo, client_as, make_order, username, allowed):
    order = make_order()
    check_record(actor=demo.health_officer, order=order, data=CheckData(temperature="38.2"), method="phone")
    client = client_as(username)
    urls = [
        reverse("monitoring:today"),
        reverse("alerts:inbox"),
        reverse("monitoring:overrides"),
        reverse("monitoring:key_persons"),
        reverse("monitoring:order", args=[order.pk]),
        reverse("monitoring:key_person", args=[order.key_person_id]),
        reverse("monitoring:notice", args=[order.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == (200 if allowed else 404), (url, response.status_code)
        if not allowed:
            assert b"38.2" not in response.content


def test_a_health_officer_of_another_street_gets_404(demo, make_order, other_street_officer):
    order = make_order()
    client = Client()
    client.force_login(other_street_officer)
    assert client.get(reverse("monitoring:today")).status_code == 200  # their own (empty) street
    for name in ("order", "notice", "check_new"):
        assert client.get(reverse(f"monitoring:{name}", args=[order.pk])).status_code == 404, name
    assert client.get(reverse("monitoring:key_person", args=[order.key_person_id])).status_code == 404
    response = client.post(
        reverse("monitoring:order_change", args=[order.pk]), {"action": "released", "reason": "x", "evidence": "y"}
    )
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    assert f'data-order="{order.pk}"' not in client.get(reverse("monitoring:today")).content.decode()


def test_todays_list_shows_the_area_and_the_counts(demo, client_as, make_order):
    order = make_order()
    html = client_as("taian_staff").get(reverse("monitoring:today")).content.decode()
    assert f'data-order="{order.pk}"' in html and order.key_person.person.name in html
    assert 'id="count-overdue">0<' in html
    assert client_as("songhua_staff").get(reverse("monitoring:today")).content.decode().count("data-order=") == 0


def test_todays_list_query_count_is_constant(demo, client_as, make_order, django_assert_max_num_queries, taian_person):
    from tongzhou.people.models import Person

    for person in Person.objects.filter(place_path__startswith=demo.places["taian"].path)[:12]:
        make_order(person=person)
    client = client_as("health_officer")
    with django_assert_max_num_queries(10):
        client.get(reverse("monitoring:today"))


def test_staff_record_a_check_with_named_errors(demo, client_as, make_order):
    order = make_order()
    client = client_as("taian_staff")
    url = reverse("monitoring:check_new", args=[order.pk])
    response = client.post(url, {"method": "phone", "temperature": "45.0"})
    assert "temperature" in response.context["form"].errors
    assert not HealthCheck.objects.exists()
    response = client.post(
        url, {"method": "visit", "temperature": "36.7", "symptoms": ["cough"], "needs": ["medicine"]}
    )
    assert response.status_code == 302
    check = HealthCheck.objects.get()
    assert (check.method, check.abnormal, check.checked_by) == ("visit", True, demo.taian_staff)


def test_staff_cannot_order_or_change_orders(demo, client_as, make_order):
    order = make_order()
    client = client_as("taian_staff")
    assert client.get(reverse("monitoring:order_new", args=[order.key_person_id])).status_code == 404
    client.post(reverse("monitoring:order_change", args=[order.pk]), {"action": "released", "reason": "x"})
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE


def test_register_and_order_through_the_pages(demo, client_as, taian_person):
    client = client_as("health_officer")
    response = client.post(
        reverse("monitoring:key_person_new", args=[taian_person.pk]),
        {"reason": "risk_area", "risk_area": "", "risk_level": "high"},
    )
    assert "risk_area" in response.context["form"].errors
    response = client.post(
        reverse("monitoring:key_person_new", args=[taian_person.pk]),
        {"reason": "risk_area", "risk_area": "武汉", "risk_level": "high", "arrived_on": "2026-01-20"},
    )
    key_person = KeyPerson.objects.get(person=taian_person)
    response = client.post(
        reverse("monitoring:order_new", args=[key_person.pk]),
        {"kind": "home_isolation", "check_times": "8点"},
    )
    assert "check_times" in response.context["form"].errors
    response = client.post(
        reverse("monitoring:order_new", args=[key_person.pk]), {"kind": "home_isolation", "check_times": "09:00, 21:00"}
    )
    assert response.status_code == 302
    assert key_person.orders.get().check_times == ["09:00", "21:00"]


def test_override_through_the_pages_needs_someone_else(demo, client_as, make_order):
    order = make_order()
    officer = client_as("health_officer")
    officer.post(
        reverse("monitoring:order_change", args=[order.pk]),
        {"action": "released", "reason": "阴性", "evidence": "报告"},
    )
    override = Override.objects.get()
    officer.post(reverse("monitoring:override_decide", args=[override.pk]), {"decision": "approve"})
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    client_as("street_admin").post(reverse("monitoring:override_decide", args=[override.pk]), {"decision": "approve"})
    order.refresh_from_db()
    assert order.status == OrderStatus.RELEASED


def test_the_notice_is_a_pdf_and_reading_is_on_the_residents_record(demo, client_as, make_order):
    from tongzhou.core.models import AuditEvent
    from tongzhou.people.audit import PeopleAudit

    order = make_order()
    client = client_as("health_officer")
    response = client.get(reverse("monitoring:notice", args=[order.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.get(reverse("monitoring:order", args=[order.pk]))
    viewed = AuditEvent.objects.filter(
        action=PeopleAudit.PERSON_VIEWED, actor=demo.health_officer, object_id=str(order.key_person.person_id)
    )
    assert sorted(e.details["viewed"] for e in viewed) == ["notice", "order"]


def test_the_dashboard_counts_for_health_readers_only(demo, client_as, make_order):
    make_order()
    figures = client_as("health_officer").get(reverse("reports:dashboard")).context["health"]
    assert figures["active"] == 1 and figures["new_today"] == 1
    assert client_as("volunteer").get(reverse("reports:dashboard")).context["health"] is None


def test_the_demo_extras_load_twice_without_change(demo):
    from tongzhou.alerts.models import Alert
    from tongzhou.demo import load_demo
    from tongzhou.monitoring.models import IsolationOrder
    from tongzhou.volunteers.models import Roster, Team, Volunteer

    def counts():
        return (
            KeyPerson.objects.count(),
            IsolationOrder.objects.count(),
            HealthCheck.objects.count(),
            Volunteer.objects.filter(user__isnull=False).count(),
            Volunteer.objects.count(),
            Team.objects.count(),
            Alert.objects.count(),
            Roster.objects.count(),
        )

    load_demo(log=lambda message: None)
    first = counts()
    # Two checks (one abnormal), a fever at the gate, the abnormal check and the testing round's
    # positive pool in the inbox, one roster; the demo `volunteer` log-in's own record among the
    # approved volunteers, the three gate guards the welfare demo gifts a protection place, and the
    # two night watchers of 泰安巷45号院 its campaign thanks.
    assert first == (3, 3, 2, 8, 9, 1, 3, 1)
    load_demo(log=lambda message: None)
    assert counts() == first
