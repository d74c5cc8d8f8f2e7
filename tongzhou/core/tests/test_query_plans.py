"""PostgreSQL plans of the core's hot queries over tables of realistic size: the outbox sweep and
the audit list use indexes (tongzhou.core.query_plans). Each app's own hot queries are checked in
its tests/test_query_plans.py."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongzhou.core.models import AuditEvent
from tongzhou.core.outbox.dispatch import claim
from tongzhou.core.outbox.models import MessageStatus, OutboxMessage
from tongzhou.core.query_plans import assert_no_seq_scan, clone_rows
from tongzhou.core.scope import Scope
from tongzhou.core.selectors import audit_events

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_outbox_sweep_uses_its_index(db: None) -> None:
    """100,000 messages sent and delivered, a few queued: the sweep finds those due by index."""
    now = timezone.now()
    OutboxMessage.objects.create(to="13800000000", text="x", status=MessageStatus.DELIVERED)
    clone_rows(
        "core_outboxmessage",
        100_000,
        key="md5(g::text)",
        status="CASE WHEN g % 5000 = 0 THEN 'queued' ELSE 'delivered' END",
        next_attempt_at="CASE WHEN g % 5000 = 0 THEN now() - interval '1 minute' END",
    )
    assert_no_seq_scan(lambda: claim(ids=None, now=now), "core_outboxmessage")


def test_the_audit_list_uses_indexes(demo: Any) -> None:
    """200,000 audit events over a year across 2,000 places."""
    place = demo.places["taian_compound"]
    AuditEvent.objects.create(action="person.viewed", place_path=place.path, actor_name="x")
    clone_rows(
        "core_auditevent",
        200_000,
        created_at="now() - g * interval '150 seconds'",
        place_path=f"CASE WHEN g % 2000 = 0 THEN '{place.path}' ELSE '/99/' || (g % 2000) || '/' END",
        action="CASE WHEN g % 7 = 0 THEN 'person.viewed' ELSE 'login' END",
    )
    scope = Scope.of([place.path])
    assert_no_seq_scan(lambda: list(audit_events(scope)[:50]), "core_auditevent")
    assert_no_seq_scan(lambda: list(audit_events(scope, action="person.viewed")[:50]), "core_auditevent")
    day = timezone.localdate() - timedelta(days=3)
    assert_no_seq_scan(lambda: list(audit_events(scope, day=day)[:50]), "core_auditevent")
