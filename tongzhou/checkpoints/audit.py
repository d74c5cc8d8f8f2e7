from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckpointsAudit(models.TextChoices):
    """What the checkpoints app writes to the audit log.
    Registered with core.audit in apps.py; values are stored, never change one."""

    CONTROL_CHANGED = "control_changed", _("Control level asked for or decided")
    PASSES_ISSUED = "passes_issued", _("Passes issued")
    PASS_REVOKED = "pass_revoked", _("Pass revoked")
    GATE_DEVICE_CREATED = "gate_device_created", _("Gate device token created")
