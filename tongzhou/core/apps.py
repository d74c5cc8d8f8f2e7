from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from tongzhou.core import audit


class CoreConfig(AppConfig):
    name = "tongzhou.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        audit.register(audit.CoreAudit)
        checks.register(check_demo_off, checks.Tags.security, deploy=True)
        checks.register(check_shared_cache, checks.Tags.caches, deploy=True)


def check_demo_off(**kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check --deploy` fails while demo mode is on outside DEBUG: demo mode publishes
    well-known passwords (`load_demo`) and lists the demo users on the log-in page."""
    from django.conf import settings

    if settings.TONGZHOU_DEMO and not settings.DEBUG:
        return [
            checks.Error(
                "TONGZHOU_DEMO is true on a deployment (DEBUG is off).",
                hint="Set TONGZHOU_DEMO=false: demo mode allows load_demo and its published passwords.",
                id="tongzhou.E010",
            )
        ]
    return []


def check_shared_cache(**kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check --deploy` warns while the cache is each process's own memory outside DEBUG:
    the log-in and sign-up rate limits, and the outbox's sending rate, are counted in the cache, so
    with several gunicorn workers or app hosts each would count only its own share. Sessions and
    django-axes' lock-outs are in the database and shared either way."""
    from django.conf import settings

    backend = settings.CACHES["default"]["BACKEND"]
    if not settings.DEBUG and backend == "django.core.cache.backends.locmem.LocMemCache":
        return [
            checks.Warning(
                "The cache is per-process memory (REDIS_URL is empty): rate limits are not shared "
                "between gunicorn workers and app hosts.",
                hint="Set REDIS_URL (redis://host:6379/0) on every app host, unless a single process serves the site.",
                id="tongzhou.W011",
            )
        ]
    return []
