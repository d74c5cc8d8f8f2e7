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
