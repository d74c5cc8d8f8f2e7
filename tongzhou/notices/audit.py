from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticesAudit(models.TextChoices):
    """What the notices app writes to the audit log.
    Registered with core.audit in apps.py; values are stored, never change one."""

    NOTICE_SENT = "notice_sent", _("Notice sent")
    NOTICE_APPROVAL = "notice_approval", _("Notice approval decided")
    NOTICE_VISITED = "notice_visited", _("Household visited with a notice")
    STORY_SUBMITTED = "story_submitted", _("Story submitted for publication")
    STORY_APPROVAL = "story_approval", _("Story approval decided")
    STORY_REPLACED = "story_replaced", _("Name or number replaced in a story")
    NAMING_CONSENT = "naming_consent", _("Consent to be named recorded")
    NOTICE_ATTACHED = "notice_attached", _("File attached to a notice")
    NOTICE_ATTACHMENT_REMOVED = "notice_attachment_removed", _("File removed from a notice")
    NAMING_CONSENT_WITHDRAWN = "naming_consent_withdrawn", _("Consent to be named withdrawn")
