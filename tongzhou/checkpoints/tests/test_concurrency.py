"""The same scan sent twice at the same moment (a device retrying while its first request is still
being answered), each on its own database connection: one passage, one alert, the same answer."""

import threading
from typing import Any

import pytest
from django.db import connection, connections

from tongzhou.alerts.models import Alert
from tongzhou.checkpoints.models import Gate, Passage
from tongzhou.checkpoints.services import PassageResult, parse_item, passages_record
from tongzhou.checkpoints.tests.conftest import item

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5


def race(gate: Gate, actor: Any, data: dict[str, Any]) -> list[PassageResult]:
    barrier = threading.Barrier(2)
    answers: list[PassageResult] = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(passages_record(gate=gate, items=[parse_item(data)], actor=actor)[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_a_scan_sent_twice_at_once_is_stored_once(demo, gate, token):
    for _ in range(ROUNDS):
        data = item(token, direction="in", temperature=38.5)
        answers = race(gate, demo.guard, data)
        assert len(answers) == 2, connection.vendor
        assert answers[0].passage_id == answers[1].passage_id
        assert sorted(a.replayed for a in answers) == [False, True]
        assert Passage.objects.filter(client_uuid=data["client_uuid"]).count() == 1
        assert Alert.objects.filter(kind="fever", details__passage=answers[0].passage_id).count() == 1
