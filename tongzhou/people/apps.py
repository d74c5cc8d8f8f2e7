from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tongzhou.core import audit
from tongzhou.people.audit import PeopleAudit


class PeopleConfig(AppConfig):
    name = "tongzhou.people"
    label = "people"
    verbose_name = _("Residents")

    def ready(self) -> None:
        audit.register(PeopleAudit)
        from tongzhou.core.imports.registry import register
        from tongzhou.people.importers import ResidentImporter

        register(ResidentImporter)
