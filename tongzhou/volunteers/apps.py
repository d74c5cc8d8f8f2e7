from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tongzhou.core import audit
from tongzhou.volunteers.audit import VolunteersAudit


class VolunteersConfig(AppConfig):
    name = "tongzhou.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        audit.register(VolunteersAudit)
        from tongzhou.volunteers import approval_kinds

        approval_kinds.register_kinds()
