from django.db import models
from django.utils.translation import gettext_lazy as _


class SuppliesAudit(models.TextChoices):
    """What the supplies app writes to the audit log.
    Registered with core.audit in apps.py; values are stored, never change one."""

    STORE_CREATED = "supplies_store_created", _("Store created")
    ITEM_CREATED = "supplies_item_created", _("Item added to the catalogue")
    MINIMUM_SET = "supplies_minimum_set", _("Minimum stock level set")
    ENTRY_REVERSED = "supplies_entry_reversed", _("Stock entry reversed")
    STOCK_ADJUSTED = "supplies_stock_adjusted", _("Stock adjusted")
    DONATION_RECORDED = "supplies_donation_recorded", _("Donation recorded")
    REQUISITION_DECIDED = "supplies_requisition_decided", _("Requisition approved or rejected")
    REQUISITION_SECOND = "supplies_requisition_second", _("Requisition's second approval decided")
    FUND_CREATED = "supplies_fund_created", _("Fund created")
    FUND_DONATION = "supplies_fund_donation", _("Money donation put into a fund")
    GRANT_APPLIED = "supplies_grant_applied", _("Grant applied for")
    GRANT_ANSWERED = "supplies_grant_answered", _("Grant approved or refused")
    PURCHASE_RECORDED = "supplies_purchase_recorded", _("Purchase recorded")
    PURCHASE_SECOND = "supplies_purchase_second", _("Purchase's second approval decided")


class DistributionAudit(models.TextChoices):
    """Household distributions (supplies.distribution_services)."""

    CREATED = "supplies_distribution_created", _("Household distribution created")
    PACKED = "supplies_distribution_packed", _("Parcels of a building packed out of the store")
    RUNNER = "supplies_distribution_runner", _("Deliverer assigned to a building")
