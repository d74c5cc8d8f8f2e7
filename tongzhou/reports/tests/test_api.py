"""GET /api/v1/reports/daily/{place}/{date}: token or session, scoped like the page."""

from typing import Any

from django.test import Client
from django.utils import timezone

from tongzhou.accounts.services import api_token_create
from tongzhou.reports.services import snapshot_day


def test_a_district_system_pulls_the_street_report_with_a_token(demo: Any) -> None:
    snapshot_day(day=timezone.localdate())
    _, token = api_token_create(user=demo.street_admin, name="district")
    response = Client().get(
        f"/api/v1/reports/daily/{demo.places['er_ge'].code}/{timezone.localdate().isoformat()}",
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["figures"]["residents"] == sum(c["figures"].get("residents", 0) for c in body["children"])
    assert body["as_of"]


def test_other_communities_and_volunteers_get_404(demo: Any, client_as: Any) -> None:
    day = timezone.localdate().isoformat()
    taian = demo.places["taian"].code
    assert client_as("songhua_staff").get(f"/api/v1/reports/daily/{taian}/{day}").status_code == 404
    assert client_as("volunteer").get(f"/api/v1/reports/daily/{taian}/{day}").status_code == 404
    assert client_as("taian_staff").get(f"/api/v1/reports/daily/{taian}/not-a-day").status_code == 422
