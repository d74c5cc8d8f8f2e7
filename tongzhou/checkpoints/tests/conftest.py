import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tongzhou.checkpoints.models import Gate, Pass
from tongzhou.checkpoints.services import device_create, gate_create, pass_token, passes_issue


@pytest.fixture
def gate(demo: Any) -> Gate:
    return gate_create(actor=demo.taian_staff, compound=demo.places["taian_compound"], name="泰安巷3号院东门")


@pytest.fixture
def songhua_gate(demo: Any) -> Gate:
    return gate_create(actor=demo.songhua_staff, compound=demo.places["songhua_compound"], name="松花巷8号院北门")


@pytest.fixture
def passes(demo: Any, gate: Gate) -> list[Pass]:
    return passes_issue(actor=demo.taian_staff, place=demo.places["taian_compound"])


@pytest.fixture
def token(passes: list[Pass]) -> str:
    return pass_token(passes[0])


@pytest.fixture
def device(demo: Any, gate: Gate) -> Client:
    """A gate device's HTTP client, its token bound to the 泰安巷3号院 gate."""
    _device, raw = device_create(actor=demo.taian_staff, name="东门扫码枪", gates=[gate])
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def item(token: str | None, direction: str = "out", temperature: float | None = 36.5, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "pass_token": token,
        "direction": direction,
        "temperature": temperature,
        "client_uuid": str(uuid.uuid4()),
        "scanned_at": timezone.now().isoformat(),
    }
    data.update(extra)
    return data


@pytest.fixture
def post() -> Callable[..., Any]:
    def send(client: Client, gate: Gate, data: dict[str, Any], *, batch: bool = False) -> Any:
        url = f"/api/v1/checkpoints/{gate.pk}/passages" + ("/batch" if batch else "")
        return client.post(url, data, content_type="application/json")

    return send


def at(moment: datetime) -> str:
    return moment.isoformat()
