"""Celery application. Without REDIS_URL tasks run in-process (CELERY_TASK_ALWAYS_EAGER).

Queues, acknowledgement and the visibility timeout are set in settings (CELERY_*) and described in
docs/deploy.md, "Celery workers and queues"."""

import os
from datetime import datetime
from typing import Any

from celery import Celery
from celery.signals import before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzhou.settings")

app = Celery("tongzhou")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The import framework's and the outbox's tasks.
app.autodiscover_tasks(["tongzhou.core.imports", "tongzhou.core.outbox"])


class DelayTooLong(ValueError):
    """A task published with a countdown or ETA beyond the broker's visibility timeout."""


def delay_limit() -> int:
    """The longest countdown a task may be published with, in seconds: the visibility timeout."""
    return int(app.conf.broker_transport_options.get("visibility_timeout", 3600))


@before_task_publish.connect
def refuse_long_delays(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """A worker takes a delayed task at once and holds it unacknowledged until its time: on Redis,
    past the visibility timeout the task is handed to a second worker and runs twice. Delayed work
    is kept in the database and released by beat instead (the outbox's next_attempt_at)."""
    eta = (headers or {}).get("eta")
    if not eta:
        return
    when = datetime.fromisoformat(eta) if isinstance(eta, str) else eta
    now = datetime.now(when.tzinfo) if when.tzinfo else datetime.now()
    if (when - now).total_seconds() > delay_limit():
        raise DelayTooLong(
            f"{headers and headers.get('task')}: ETA {eta} is beyond the broker's visibility timeout "
            f"({delay_limit()} s); keep the work in the database and let beat release it."
        )
