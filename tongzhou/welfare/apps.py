from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WelfareConfig(AppConfig):
    name = "tongzhou.welfare"
    label = "welfare"
    verbose_name = _("Care for front-line workers")

    def ready(self) -> None:
        from tongzhou.core import audit
        from tongzhou.core.imports import registry
        from tongzhou.welfare.approval_kinds import register_kinds
        from tongzhou.welfare.audit import WelfareAudit
        from tongzhou.welfare.importers import EnrollmentImporter, UnitEnrollmentImporter

        audit.register(WelfareAudit)
        register_kinds()
        registry.register(EnrollmentImporter)
        registry.register(UnitEnrollmentImporter)
