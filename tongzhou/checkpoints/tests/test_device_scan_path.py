"""A device's scan on the shorter way through the stack (checkpoints.middleware) answers as the
API's operation does, everything else still reaches the operation, and the operation stays
documented (issue #22)."""

import json
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from tongzhou.checkpoints.middleware import SCAN, DeviceScanMiddleware
from tongzhou.checkpoints.models import Passage
from tongzhou.checkpoints.tests.conftest import item

pytestmark = pytest.mark.django_db(transaction=False)


def _send(auth: str, gate: Any, data: Any, language: str = "zh-hans") -> Any:
    return Client(HTTP_AUTHORIZATION=auth).post(
        f"/api/v1/checkpoints/{gate.pk}/passages",
        data,
        content_type="application/json",
        headers={"accept-language": language},
    )


def _counted() -> Any:
    return mock.patch.object(DeviceScanMiddleware, "scan", autospec=True, side_effect=DeviceScanMiddleware.scan)


@pytest.mark.parametrize(
    ("change", "language"),
    [
        ({}, "zh-hans"),
        ({"direction": "in"}, "en"),
        ({"temperature": 38.6}, "zh-hans"),  # fever: refused, alert raised
        ({"pass_token": "forged"}, "en"),
        ({"temperature": None, "offline_allowed": True}, "en"),
    ],
)
def test_a_devices_scan_answers_on_the_shorter_way_as_the_operation_does(device, gate, token, change, language):
    auth = device.defaults["HTTP_AUTHORIZATION"]
    with _counted() as scan:
        short = _send(auth, gate, item(token) | change, language)
    assert scan.call_count == 1
    with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != SCAN]):
        whole = _send(auth, gate, item(token) | change, language)
    assert short.status_code == whole.status_code == 200
    body, expected = short.json(), whole.json()
    for answer in (body, expected):
        assert Passage.objects.filter(pk=answer.pop("passage_id"), client_uuid=answer.pop("client_uuid")).exists()
    assert body == expected
    assert list(json.loads(short.content)) == list(json.loads(whole.content))  # same keys, same order
    # Every header the same (security headers, CSP, language), but "Vary: Cookie": the whole stack
    # looks at the (absent) session on the way, the shorter way does not, and the answer to a
    # device's token does not depend on a cookie.
    headers, other = dict(short.headers), dict(whole.headers)
    vary, other_vary = headers.pop("Vary"), other.pop("Vary")
    assert int(headers.pop("Content-Length")) == len(short.content)  # the ids' digits may differ
    assert int(other.pop("Content-Length")) == len(whole.content)
    assert headers == other
    assert vary == "Accept-Language" and other_vary.split(", ") in (["Accept-Language"], ["Accept-Language", "Cookie"])


def test_everything_else_goes_on_to_the_operation(device, gate, songhua_gate, token):
    auth = device.defaults["HTTP_AUTHORIZATION"]
    with _counted() as scan:
        no_direction = item(token)
        del no_direction["direction"]
        assert "body.payload.direction" in _send(auth, gate, no_direction).json()["errors"]
        assert "temperature" in _send(auth, gate, item(token, temperature=55)).json()["errors"]
        assert _send(auth, gate, ["not", "an", "object"]).status_code == 422
        assert (
            Client(HTTP_AUTHORIZATION=auth)
            .post(f"/api/v1/checkpoints/{gate.pk}/passages", b"{not json", content_type="application/json")
            .status_code
            == 400
        )
        assert _send(auth, songhua_gate, item(token)).status_code == 404  # not its gate
        assert _send("Bearer gd_made_up", gate, item(token)).status_code == 401
        assert Client().post(f"/api/v1/checkpoints/{gate.pk}/passages", item(token)).status_code == 401
        assert _send(auth, gate, item(token), "en").status_code == 200  # the one it takes
    assert scan.call_count == 1
    assert Passage.objects.count() == 1


def test_a_person_scanning_with_a_session_still_goes_through_the_operation(client_as, gate, token):
    with _counted() as scan:
        response = client_as("guard").post(
            f"/api/v1/checkpoints/{gate.pk}/passages", item(token), content_type="application/json"
        )
    assert response.status_code == 200 and response.json()["reason"] == "ok"
    assert scan.call_count == 0


def test_a_replay_on_the_shorter_way_answers_as_the_operations_replay(device, gate, token):
    auth = device.defaults["HTTP_AUTHORIZATION"]
    data = item(token)
    first = _send(auth, gate, data).json()
    again = _send(auth, gate, data).json()
    with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != SCAN]):
        through_the_operation = _send(auth, gate, data).json()
    assert again == through_the_operation and again["replayed"] is True
    assert again["passage_id"] == first["passage_id"] and Passage.objects.count() == 1


def test_a_middleware_after_it_with_a_view_hook_must_be_named_skipped_or_go_before_it():
    # The shorter way resolves no view, so it would leave a process_view hook out without a word.
    with (
        override_settings(MIDDLEWARE=[SCAN, "django.contrib.admindocs.middleware.XViewMiddleware"]),
        pytest.raises(ImproperlyConfigured, match="XViewMiddleware has process_view"),
    ):
        DeviceScanMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]


def test_the_scan_stays_documented_as_the_apis_operation(db):
    document = Client().get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/checkpoints/{gate_id}/passages"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PassageIn"
    }
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PassageOut"
    }
    assert {"BearerToken", "DeviceOrUserToken"} & {key for entry in operation["security"] for key in entry}
