from django.db import models
from django.utils.translation import gettext_lazy as _


class WelfareAudit(models.TextChoices):
    """What the welfare app writes to the audit log.
    Registered with core.audit in apps.py; values are stored, never change one."""

    PLAN_CREATED = "welfare_plan_created", _("Protection plan created")
    ENROLLED = "welfare_enrolled", _("Enrolled in a protection plan")
    ENROLLMENTS_IMPORTED = "welfare_enrollments_imported", _("Enrollments imported")
    GIFT_REQUESTED = "welfare_gift_requested", _("Gifted enrollment proposed")
    GIFT_DECIDED = "welfare_gift_decided", _("Gifted enrollment decided")
    CLAIM_FILED = "welfare_claim_filed", _("Claim filed")
    CLAIM_MOVED = "welfare_claim_moved", _("Claim moved")
    CAMPAIGN_CREATED = "welfare_campaign_created", _("Condolence campaign created")
    VISIT_RECORDED = "welfare_visit_recorded", _("Condolence visit recorded")
    UNIT_CONTACT_ADDED = "welfare_unit_contact_added", _("Member unit contact added")
    INVOICE_ISSUED = "welfare_invoice_issued", _("Invoice issued to a member unit")
    INVOICE_PAID = "welfare_invoice_paid", _("Invoice marked paid")
