"""The welfare API: a plan's counts for the welfare officer of its place (松花巷's officer gets 404
for 泰安巷's plan), each person's own enrollments and claims only, junk parameters refused (422,
the API's answer to bad input, naming the parameter), never a 500."""

import pytest
from django.test import Client

from tongzhou.welfare.services.claims import claim_file
from tongzhou.welfare.services.units import unit_contact_create, unit_enroll

from .test_claims import data, enrolled  # noqa: F401  (`enrolled` is a fixture)
from .test_units import _member

API = "/api/v1/welfare"


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_plan_counts_for_the_officer_of_the_place_only(client_as, enrolled, officers, demo, union):  # noqa: F811
    plan = enrolled.plan
    contact = unit_contact_create(
        actor=officers["taian_welfare"],
        place=demo.places["taian"],
        organisation=union,
        username="union_contact",
        password="Unit-contact-password-1",
    )
    unit_enroll(actor=contact.user, organisation=union, plan=plan, members=[_member(n) for n in (1, 2)])
    response = _client(officers["taian_welfare"]).get(f"{API}/plans/{plan.pk}/counts")
    assert response.status_code == 200
    body = response.json()
    assert (body["places_total"], body["places_taken"], body["places_left"], body["enrolled"]) == (10, 3, 7, 3)
    assert body["by_source"] == {"unit": 2, "file": 0, "gift": 1}
    assert body["by_organisation"] == [{"organisation": union.name, "enrolled": 2}]
    for user in (officers["songhua_welfare"], contact.user, enrolled.user, demo.taian_staff, demo.volunteer):
        assert _client(user).get(f"{API}/plans/{plan.pk}/counts").status_code == 404
    assert Client().get(f"{API}/plans/{plan.pk}/counts").status_code == 401


def test_a_volunteer_sees_only_their_own_enrollments_and_claims(enrolled, make_worker, officers):  # noqa: F811
    claim = claim_file(actor=enrolled.user, enrollment=enrolled, data=data())
    own = _client(enrolled.user)
    enrollments = own.get(f"{API}/me/enrollments").json()
    assert [e["id"] for e in enrollments["items"]] == [enrolled.pk] and enrollments["count"] == 1
    assert enrollments["items"][0]["source"] == "gift"
    claims = own.get(f"{API}/me/claims").json()["items"]
    assert [(c["id"], c["status"], c["amount"]) for c in claims] == [(claim.pk, "submitted", "800.00")]
    assert "description" not in claims[0]
    assert own.get(f"{API}/me/claims?status=paid").json()["items"] == []
    other = _client(make_worker("别人").user)
    assert other.get(f"{API}/me/enrollments").json()["items"] == []
    assert other.get(f"{API}/me/claims").json()["items"] == []
    # The officer who reviews the claim has no enrollment of their own: their lists are empty too.
    officer = _client(officers["taian_welfare"])
    assert officer.get(f"{API}/me/claims").json()["items"] == []
    for path in ("/me/enrollments", "/me/claims"):
        assert Client().get(API + path).status_code == 401


@pytest.mark.parametrize(
    "query",
    ["status=lost", "status=", "limit=0", "limit=abc", "limit=1e5", "offset=-1", "offset=" + "9" * 30],
)
def test_junk_parameters_are_refused_by_name(enrolled, query):  # noqa: F811
    response = _client(enrolled.user).get(f"{API}/me/claims?{query}")
    assert response.status_code == 422
    assert any(query.split("=")[0] in field for field in response.json()["errors"])


@pytest.mark.parametrize("plan_id", ["abc", "0", "9" * 30, "-1"])
def test_a_junk_plan_id_is_a_4xx(officers, plan_id):
    assert _client(officers["taian_welfare"]).get(f"{API}/plans/{plan_id}/counts").status_code in (404, 422)
