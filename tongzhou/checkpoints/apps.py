from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tongzhou.checkpoints.audit import CheckpointsAudit
from tongzhou.core import audit


class CheckpointsConfig(AppConfig):
    name = "tongzhou.checkpoints"
    label = "checkpoints"
    verbose_name = _("Closed management and gates")

    def ready(self) -> None:
        audit.register(CheckpointsAudit)
        from tongzhou.checkpoints.alert_kinds import register_kinds

        register_kinds()
        from tongzhou.checkpoints import approval_kinds

        approval_kinds.register_kinds()
