from django.db import models
from django.utils.translation import gettext_lazy as _


class TestingAudit(models.TextChoices):
    """What the testing app writes to the audit log.
    Registered with core.audit in apps.py; values are stored, never change one."""

    ROUND_CREATED = "test_round_created", _("Testing round planned")
    ROUND_STATUS = "test_round_status", _("Testing round opened or closed")
    RESULTS_IMPORTED = "test_results_imported", _("Test results imported")
    RESULT_VIEWED = "test_result_viewed", _("Test result viewed")
    EXEMPTED = "test_exempted", _("Exempted from a testing round")
    RESULTS_PURGED = "test_results_purged", _("Test results purged after the retention period")
