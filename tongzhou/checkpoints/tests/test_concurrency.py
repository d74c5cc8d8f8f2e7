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


def race_single_and_batch(gate: Gate, actor: Any, data: dict[str, Any], later: dict[str, Any]) -> list[PassageResult]:
    from tongzhou.checkpoints.services import passage_record_one

    barrier = threading.Barrier(2)
    answers: list[PassageResult] = []

    def send(batch: bool) -> None:
        try:
            barrier.wait(timeout=10)
            if batch:
                answers.append(passages_record(gate=gate, items=[parse_item(later)], actor=actor)[0])
            else:
                answers.append(passage_record_one(gate=gate, item=parse_item(data), actor=actor))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(batch,)) for batch in (False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_a_scan_sent_twice_at_once_with_other_times_single_and_batch_is_stored_once(demo, gate, token):
    from datetime import timedelta

    from django.utils import timezone

    for _ in range(ROUNDS):
        data = item(token, direction="out", temperature=38.5)
        later = {**data, "scanned_at": (timezone.now() + timedelta(seconds=5)).isoformat()}
        answers = race_single_and_batch(gate, demo.guard, data, later)
        assert len(answers) == 2, connection.vendor
        assert answers[0].passage_id == answers[1].passage_id
        assert sorted(a.replayed for a in answers) == [False, True]
        assert Passage.objects.filter(client_uuid=data["client_uuid"]).count() == 1
        assert Alert.objects.filter(kind="fever", details__passage=answers[0].passage_id).count() == 1
