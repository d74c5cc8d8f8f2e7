import io

import pytest
from django.core.management import call_command
from django.test import Client

from tongzhou.accounts.models import ApiToken


def token_for(username: str) -> str:
    out = io.StringIO()
    call_command("create_api_token", username, "--name", "test", stdout=out)
    return out.getvalue().strip()


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_token_command_prints_a_working_token_and_stores_only_a_digest(demo):
    token = token_for("taian_staff")
    assert token.startswith("tz_")
    assert not ApiToken.objects.filter(digest=token).exists()
    response = Client().get("/api/v1/places/520102029004", **bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "泰安巷社区居民委员会"
    assert [a["code"] for a in body["ancestors"]] == ["52", "5201", "520102", "520102029"]


def test_api_hides_other_communities(demo):
    token = token_for("taian_staff")
    client = Client()
    assert client.get("/api/v1/places/520102029006", **bearer(token)).status_code == 404
    assert client.get("/api/v1/places/520102029006/children", **bearer(token)).status_code == 404
    assert client.get(f"/api/v1/places/id/{demo.places['songhua_compound'].pk}", **bearer(token)).status_code == 404
    assert client.get("/api/v1/places/999999999999", **bearer(token)).status_code == 404


def test_street_admin_reads_both_communities(demo):
    token = token_for("street_admin")
    for code in ("520102029004", "520102029006"):
        assert Client().get(f"/api/v1/places/{code}", **bearer(token)).status_code == 200


def test_children_are_paginated_and_counted(demo):
    token = token_for("taian_staff")
    body = Client().get("/api/v1/places/520102029004/children?limit=1", **bearer(token)).json()
    assert body["count"] == 2 and len(body["items"]) == 1
    grid = body["items"][0]
    assert grid["kind"] == "grid" and grid["child_count"] >= 1
    compounds = Client().get(f"/api/v1/places/id/{grid['id']}/children", **bearer(token)).json()
    assert "泰安巷3号院" in [c["name"] for c in compounds["items"]]


def test_my_places_lists_the_roots(demo):
    body = Client().get("/api/v1/places/", **bearer(token_for("guard"))).json()
    assert [p["name"] for p in body] == ["泰安巷3号院"]


@pytest.mark.parametrize("header", [{}, {"HTTP_AUTHORIZATION": "Bearer tz_wrong"}, {"HTTP_AUTHORIZATION": "Basic x"}])
def test_unauthenticated_gets_401(demo, header):
    assert Client().get("/api/v1/places/520102029004", **header).status_code == 401


def test_inactive_users_token_stops_working(demo):
    token = token_for("taian_staff")
    demo.taian_staff.is_active = False
    demo.taian_staff.save(update_fields=["is_active"])
    assert Client().get("/api/v1/places/520102029004", **bearer(token)).status_code == 401


def test_user_without_roles_gets_404(demo):
    token = token_for("outsider")
    assert Client().get("/api/v1/places/", **bearer(token)).status_code == 404


def test_session_authentication_works_for_the_sites_pages(demo, client_as):
    assert client_as("taian_staff").get("/api/v1/places/520102029004").status_code == 200


def test_openapi_document_is_served(demo):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/places/{code}" in paths and "/api/v1/places/{code}/children" in paths
    assert "BearerToken" in response.json()["components"]["securitySchemes"]
