"""Personal links are opaque and revocable: a new link replaces the old one, staff can revoke them,
and the resident's record shows the links that still work."""

import base64

from django.test import Client
from django.urls import reverse

from tongzhou.core.models import AuditEvent
from tongzhou.people.audit import PeopleAudit
from tongzhou.people.models import PersonalLink
from tongzhou.people.services import person_from_link, personal_link_token


def _opens(token: str) -> bool:
    return Client().get(reverse("portal:record", args=[token])).status_code == 200


def test_a_link_says_nothing_about_whose_it_is_and_is_not_stored(taian_person):
    token = personal_link_token(taian_person)
    padded = token + "=" * (-len(token) % 4)
    decoded = base64.urlsafe_b64decode(padded)
    # 32 random bytes, not a signed value carrying the id (those read "<payload>:<timestamp>:<sig>").
    assert b"person" not in decoded and len(decoded) == 32 and ":" not in token
    assert not PersonalLink.objects.filter(token_hash=token).exists()
    assert PersonalLink.objects.filter(person=taian_person).count() == 1
    assert person_from_link(token) == taian_person
    assert person_from_link(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_a_new_link_replaces_the_one_sent_before(taian_person):
    first = personal_link_token(taian_person)
    assert _opens(first)
    second = personal_link_token(taian_person)
    assert not _opens(first)
    assert _opens(second)


def test_staff_revoke_the_links_and_the_record_shows_those_that_still_work(demo, client_as, taian_person):
    token = personal_link_token(taian_person)
    staff = client_as("taian_staff")
    page = staff.get(reverse("people:detail", args=[taian_person.pk])).content.decode()
    assert 'id="revoke-links"' in page

    response = staff.post(reverse("people:revoke_links", args=[taian_person.pk]))
    assert response.status_code == 302
    assert not _opens(token)
    event = AuditEvent.objects.get(action=PeopleAudit.PERSON_LINK_REVOKED, object_id=str(taian_person.pk))
    assert event.details == {"revoked": 1}
    page = staff.get(reverse("people:detail", args=[taian_person.pk])).content.decode()
    assert 'id="revoke-links"' not in page


def test_only_staff_of_the_place_revoke(demo, client_as, taian_person):
    token = personal_link_token(taian_person)
    for persona in ("songhua_staff", "volunteer", "guard"):
        response = client_as(persona).post(reverse("people:revoke_links", args=[taian_person.pk]))
        assert response.status_code in (403, 404), persona
    assert _opens(token)
