from django.db import models
from django.utils.translation import gettext_lazy as _


class MonitoringAudit(models.TextChoices):
    """What the monitoring app writes to the audit log.
    Registered with core.audit in apps.py; values are stored, never change one."""

    KEY_PERSON_REGISTERED = "key_person_registered", _("Registered as a key person")
    ISOLATION_CHANGED = "isolation_changed", _("Isolation order changed")
