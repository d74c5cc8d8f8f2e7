"""The API's docs page uses our vendored Swagger UI, and every error answer has ErrorOut's shape
(issue #15, item 12)."""

import json
import re

from django.test import Client

from tongzhou.core.schemas import ErrorOut


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_docs_page_loads_only_local_assets(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = _assets(html)
    assert any("swagger-ui-bundle" in a for a in assets) and any("swagger-ui.css" in a for a in assets)
    assert all(a.startswith("/static/") for a in assets), assets
    assert "cdn" not in html.lower() and "<script>" not in html  # no inline script for the CSP to refuse
    for asset in assets:
        assert Client().get(asset).status_code == 200, asset


def test_a_bad_query_parameter_answers_422_as_error_out(demo, client_as):
    response = client_as("taian_staff").get(f"/api/v1/places/id/{demo.places['taian'].pk}/children?limit=abc")
    assert response.status_code == 422
    body = response.json()
    ErrorOut.model_validate(body)
    assert set(body) == {"detail", "errors"} and "query.limit" in body["errors"]
    assert all(isinstance(v, str) for v in body["errors"].values())


def test_a_bad_body_answers_422_as_error_out(demo, client_as):
    # The body is read before the view runs, so any gate id shows the answer's shape.
    response = client_as("taian_staff").post(
        "/api/v1/checkpoints/1/passages/batch", {"items": "not a list"}, content_type="application/json"
    )
    assert response.status_code == 422
    ErrorOut.model_validate(response.json())
    assert any(key.startswith("body.") for key in response.json()["errors"])


def _no_duplicate_keys(pairs):
    keys = [key for key, _value in pairs]
    assert len(keys) == len(set(keys)), keys  # Swagger UI refuses a document with one
    return dict(pairs)


def test_every_operation_documents_its_error_answers(db):
    document = json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=_no_duplicate_keys)
    assert "ErrorOut" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "404", "422"):
                answer = operation["responses"].get(status)
                assert answer is not None, (method, path, status)
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
