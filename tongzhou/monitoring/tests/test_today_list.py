"""Today's list says what it counts: "not due yet" (not "done"), isolation apart from home health
monitoring, a fever marker after a feverish check, and an unanswered phone call recorded as such
(the check stays due). The check and order forms on a phone."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tongzhou.monitoring.models import CheckMethod, HealthCheck, OrderKind
from tongzhou.monitoring.services import CheckData, check_record

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def _no_language_leak() -> Iterator[None]:
    """The requests here activate zh-hans in this thread: give the next test its language back."""
    with translation.override(translation.get_language()):
        yield


def _row(html: str, order_pk: int) -> str:
    start = html.index(f'data-order="{order_pk}"')
    return html[start : html.index("</div>\n  </div>", start)]


def test_the_counts_say_what_they_count(demo, client_as, make_order, taian_person):
    from tongzhou.people.models import Person

    make_order()
    other = Person.objects.filter(place_path__startswith=demo.places["taian"].path).exclude(pk=taian_person.pk).first()
    make_order(person=other, kind=OrderKind.HOME_MONITORING)
    html = client_as("taian_staff").get(reverse("monitoring:today"), **ZH).content.decode()
    assert "已完成" not in html and "未到检查时间" in html
    assert 'id="count-isolated">隔离中 1 人<' in html
    assert 'id="count-monitored">居家健康监测 1 人<' in html


def test_a_fever_leaves_a_marker_on_the_list(demo, client_as, make_order):
    hot, cool = make_order(), None
    check_record(
        actor=demo.taian_staff, order=hot, data=CheckData(temperature="37.8", symptoms=["cough"]), method="phone"
    )
    from tongzhou.people.models import Person

    person = Person.objects.filter(place_path__startswith=demo.places["taian"].path).exclude(
        pk=hot.key_person.person_id
    )[0]
    cool = make_order(person=person)
    check_record(actor=demo.taian_staff, order=cool, data=CheckData(temperature="36.5"), method="phone")
    html = client_as("taian_staff").get(reverse("monitoring:today"), **ZH).content.decode()
    assert "data-fever" in _row(html, hot.pk) and "发热 37.8 °C<" in _row(html, hot.pk)
    assert "data-fever" not in _row(html, cool.pk)


def test_a_phone_call_not_answered_is_recorded_and_the_check_stays_due(demo, client_as, make_order):
    order = make_order()
    order.next_due_at = timezone.now() - timedelta(minutes=5)
    order.save(update_fields=["next_due_at"])
    client = client_as("taian_staff")
    url = reverse("monitoring:check_new", args=[order.pk])
    response = client.post(url, {"method": "phone"})  # reached: the temperature is needed
    assert "temperature" in response.context["form"].errors
    assert not HealthCheck.objects.exists()
    response = client.post(url, {"method": "not_reached", "notes": "响铃无人接"})
    assert response.status_code == 302
    check = HealthCheck.objects.get()
    assert (check.reached, check.temperature, check.method, check.abnormal) == (False, None, CheckMethod.PHONE, False)
    order.refresh_from_db()
    assert order.last_check_at is None and order.next_due_at < timezone.now()  # still due
    html = client.get(reverse("monitoring:today"), **ZH).content.decode()
    assert "data-not-reached" in _row(html, order.pk) and "电话未接通" in html
    page = client.get(reverse("monitoring:order", args=[order.pk]), **ZH).content.decode()
    assert "data-not-reached" in page and "响铃无人接" in page
    assert client_as("volunteer").post(url, {"method": "not_reached"}).status_code == 404
    assert HealthCheck.objects.count() == 1


def test_the_forms_on_a_phone(demo, client_as, make_order):
    order = make_order()
    client = client_as("taian_staff")
    html = client.get(reverse("monitoring:check_new", args=[order.pk]), **ZH).content.decode()
    assert 'name="household_unwell" id="id_household_unwell_1" value="yes"' in html  # a button, not a tick box
    assert 'type="checkbox" name="household_unwell"' not in html
    response = client.post(
        reverse("monitoring:check_new", args=[order.pk]),
        {"method": "phone", "temperature": "36.6", "household_unwell": "yes"},
    )
    assert response.status_code == 302 and HealthCheck.objects.get().household_unwell is True
    form = client_as("health_officer").get(reverse("monitoring:order_new", args=[order.key_person_id])).context["form"]
    assert form["starts_on"].value() == timezone.localdate()
