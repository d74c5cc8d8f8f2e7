from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tongzhou.core import audit


class CoreConfig(AppConfig):
    name = "tongzhou.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        audit.register(audit.CoreAudit)
