from django.db import models
from django.utils.translation import gettext_lazy as _


class PlacesAudit(models.TextChoices):
    """What the places app writes to the audit log.
    Registered with core.audit in apps.py; values are stored, never change one."""

    PLACE_CREATED = "place_created", _("Place created")
    PLACE_CHANGED = "place_changed", _("Place changed")
    DIVISIONS_IMPORTED = "divisions_imported", _("Division codes imported")
