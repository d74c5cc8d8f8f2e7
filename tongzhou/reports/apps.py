from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tongzhou.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from tongzhou.core import audit
        from tongzhou.reports.audit import ReportsAudit

        audit.register(ReportsAudit)
