from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tongzhou.core import audit
from tongzhou.supplies.audit import DistributionAudit, SuppliesAudit


class SuppliesConfig(AppConfig):
    name = "tongzhou.supplies"
    label = "supplies"
    verbose_name = _("Supplies")

    def ready(self) -> None:
        audit.register(SuppliesAudit)
        audit.register(DistributionAudit)
        from tongzhou.supplies.alert_kinds import register_kinds

        register_kinds()
        from tongzhou.supplies.approval_kinds import register_kinds as register_approval_kinds

        register_approval_kinds()
