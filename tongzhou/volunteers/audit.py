from django.db import models
from django.utils.translation import gettext_lazy as _


class VolunteersAudit(models.TextChoices):
    """What the volunteers app writes to the audit log.
    Registered with core.audit in apps.py; values are stored, never change one."""

    VOLUNTEER_SIGNED_UP = "volunteer_signed_up", _("Volunteer signed up")
    VOLUNTEER_VETTED = "volunteer_vetted", _("Volunteer application vetted")
    CHANGE_REQUEST_DECIDED = "change_request_decided", _("Shift change request decided")
