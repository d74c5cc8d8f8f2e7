from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from tongzhou.assistance.audit import AssistanceAudit
from tongzhou.core import audit


class AssistanceConfig(AppConfig):
    name = "tongzhou.assistance"
    label = "assistance"
    verbose_name = _("Help requests")

    def ready(self) -> None:
        audit.register(AssistanceAudit)
        checks.register(check_sla_setting)


def check_sla_setting(**kwargs: Any) -> list[checks.CheckMessage]:
    from django.conf import settings

    from tongzhou.assistance.models import Category

    unknown = sorted(set(settings.TONGZHOU_HELP_SLA_HOURS) - set(Category.values))
    if not unknown:
        return []
    return [
        checks.Error(
            f"TONGZHOU_HELP_SLA_HOURS names unknown categories: {', '.join(unknown)}",
            hint=f"Known: {', '.join(Category.values)}",
            id="tongzhou.E001",
        )
    ]
