"""Pages with personal data tell browsers and proxies to keep no copy (issue #15, item 10)."""

import pytest
from django.test import Client
from django.urls import reverse

from tongzhou.people.models import Person
from tongzhou.people.services import personal_link_token


@pytest.fixture
def person(demo):
    people = Person.objects.filter(place_path__startswith=demo.places["taian"].path).order_by("pk")
    return next(p for p in people if p.phone)


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("name", ["people:detail", "people:edit"])
def test_the_resident_record_and_its_edit_page_are_not_stored(demo, client_as, person, name):
    response = client_as("taian_staff").get(reverse(name, args=[person.pk]))
    assert response.status_code == 200 and _no_store(response)


@pytest.mark.parametrize("field", ["id_number", "phone"])
def test_the_reveal_answer_is_not_stored(demo, client_as, person, field):
    client = client_as("taian_staff")
    response = client.post(reverse("people:reveal", args=[person.pk, field]), {"purpose": "call about a test"})
    assert response.status_code == 200 and getattr(person, field) in response.content.decode()
    assert _no_store(response)


def test_a_staff_phone_reveal_is_not_stored(demo, client_as):
    response = client_as("taian_staff").post(
        reverse("accounts:phone_reveal", args=[demo.volunteer.pk]), {"purpose": "arrange a shift"}
    )
    assert response.status_code == 200 and demo.volunteer.phone in response.content.decode()
    assert _no_store(response)


@pytest.mark.parametrize("name", ["portal:record", "portal:isolation", "portal:help", "portal:testing"])
def test_the_personal_link_pages_are_not_stored(demo, person, name):
    response = Client().get(reverse(name, args=[personal_link_token(person)]))
    assert response.status_code == 200 and _no_store(response)


def test_a_resident_own_help_request_is_not_stored(demo, person):
    from tongzhou.assistance.models import HelpRequest

    client = Client()
    token = personal_link_token(person)
    client.post(reverse("portal:help", args=[token]), {"category": "medicine", "urgency": "urgent", "summary": "药"})
    help_request = HelpRequest.objects.filter(person=person).latest("pk")
    response = client.get(reverse("portal:help_request", args=[token, help_request.pk]))
    assert response.status_code == 200 and _no_store(response)
