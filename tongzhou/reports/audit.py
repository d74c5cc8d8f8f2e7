from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportsAudit(models.TextChoices):
    """What the reports app writes to the audit log.
    Registered with core.audit in apps.py; values are stored, never change one."""

    FIGURE_DRILLED = "report_figure_drilled", _("Daily report figure drilled down")
    REPORT_SIGNED = "report_signed", _("Daily report signed")
    REPORT_CHANGED = "report_changed", _("Daily report words or adjustment changed")
    REPORT_EXPORTED = "report_exported", _("Daily report exported")
    REMINDER_SENT = "report_reminder_sent", _("Daily report reminder sent")
