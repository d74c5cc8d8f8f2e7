from django.db import models
from django.utils.translation import gettext_lazy as _


class PeopleAudit(models.TextChoices):
    """What the people app writes to the audit log.
    Registered with core.audit in apps.py; values are stored, never change one."""

    PERSON_CREATED = "person_created", _("Resident registered")
    PERSON_CHANGED = "person_changed", _("Resident changed")
    PERSON_VIEWED = "person_viewed", _("Resident record viewed")
    PERSON_MOVED = "person_moved", _("Resident moved")
    PERSON_MERGED = "person_merged", _("Resident records merged")
    PEOPLE_IMPORTED = "people_imported", _("Residents imported")
    PERSON_LINK_SENT = "person_link_sent", _("Personal link sent")
    PERSON_LINK_REVOKED = "person_link_revoked", _("Personal links revoked")
    ORGANISATION_CREATED = "organisation_created", _("Organisation recorded")
