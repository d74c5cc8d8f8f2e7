"""Each role lands where its work is, after logging in and at the site's root."""

import pytest
from django.test import Client
from django.urls import reverse

from tongzhou.accounts.demo import DEMO_PASSWORD
from tongzhou.checkpoints.services import gate_create


def land(username):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}, follow=True)
    return client, response


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("street_admin", lambda d: reverse("reports:dashboard")),
        ("taian_staff", lambda d: reverse("reports:dashboard")),
        ("health_officer", lambda d: reverse("monitoring:today")),
        ("auditor", lambda d: reverse("accounts:audit")),
        ("building_lead", lambda d: f"{reverse('people:register')}?place={d.places['taian_compound'].pk}"),
        ("guard", lambda d: reverse("checkpoints:my_gates")),  # no gate yet: the list says so
    ],
)
def test_each_role_lands_on_its_work(demo, username, expected):
    client, response = land(username)
    assert response.redirect_chain[-1][0] == expected(demo)
    assert response.status_code == 200
    # The site's root and the brand in the menu lead to the same page.
    assert client.get("/")["Location"] == expected(demo)


def test_a_guard_with_one_gate_lands_on_its_scan_page_and_with_several_on_the_list(demo):
    compound = demo.places["taian_compound"]
    gate = gate_create(actor=demo.taian_staff, compound=compound, name="东门")
    client, response = land("guard")
    assert response.redirect_chain[-1][0] == reverse("checkpoints:scan", args=[gate.pk])
    assert response.status_code == 200
    gate_create(actor=demo.taian_staff, compound=compound, name="西门")
    assert client.get("/")["Location"] == reverse("checkpoints:my_gates")
    assert client.get(reverse("checkpoints:my_gates")).status_code == 200


def test_a_volunteer_lands_on_their_shifts(demo):
    _client, response = land("volunteer")
    assert response.redirect_chain[-1][0] == reverse("volunteers:me")


def test_a_person_with_several_roles_lands_on_the_broadest(demo):
    from tongzhou.accounts.services import role_grant
    from tongzhou.core.permissions import Role

    role_grant(actor=None, user=demo.guard, role=Role.COMMUNITY_STAFF, place=demo.places["taian"])
    _client, response = land("guard")
    assert response.redirect_chain[-1][0] == reverse("reports:dashboard")


def test_anonymous_at_the_root_goes_to_log_in(db):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_log_in_with_next_goes_there(demo):
    client = Client()
    response = client.post(
        reverse("accounts:login") + "?next=/residents/",
        {"username": "health_officer", "password": DEMO_PASSWORD},
    )
    assert response["Location"] == "/residents/"
