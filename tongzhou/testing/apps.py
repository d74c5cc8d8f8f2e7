from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tongzhou.core import audit
from tongzhou.testing.audit import TestingAudit


class TestingConfig(AppConfig):
    name = "tongzhou.testing"
    label = "testing"
    verbose_name = _("Testing rounds")

    def ready(self) -> None:
        audit.register(TestingAudit)
        from tongzhou.core.imports import registry
        from tongzhou.people import outings
        from tongzhou.testing.alert_kinds import register_kinds
        from tongzhou.testing.importers import ResultImporter
        from tongzhou.testing.outings import households_with_recalls

        register_kinds()
        registry.register(ResultImporter)
        outings.register("testing", households_with_recalls)
