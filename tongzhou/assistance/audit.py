from django.db import models
from django.utils.translation import gettext_lazy as _


class AssistanceAudit(models.TextChoices):
    """What the assistance app writes to the audit log.
    Registered with core.audit in apps.py; values are stored, never change one."""

    HELP_REQUEST_CREATED = "help_request_created", _("Help request recorded")
    HELP_REQUEST_TAKEN = "help_request_taken", _("Help request taken: address and phone shown")
