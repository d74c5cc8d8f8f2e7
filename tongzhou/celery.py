"""Celery application. Without REDIS_URL tasks run in-process (CELERY_TASK_ALWAYS_EAGER)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzhou.settings")

app = Celery("tongzhou")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The import framework's and the outbox's tasks.
app.autodiscover_tasks(["tongzhou.core.imports", "tongzhou.core.outbox"])
