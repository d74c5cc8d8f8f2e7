"""Every write of the welfare app, by sub-domain: plans and enrollments (by a unit, from a file,
gifted after a second approval), claims along their transitions, condolence campaigns and visits,
member units' accounts and invoices.

The budget is held by one conditional UPDATE (`plans._take_places`): it adds to `places_taken` only
while the sum stays within `places_total`, so two officers enrolling the last places at the same
moment cannot both succeed, whatever the database (the check constraint `plan_budget` backs it).

The public names are re-exported here: views call them as `services.<name>`.
"""

from tongzhou.welfare.services.campaigns import (
    Gift,
    campaign_create,
    visit_gift_issue,
    visit_record,
)
from tongzhou.welfare.services.claims import (
    ClaimData,
    claim_file,
    claim_move,
)
from tongzhou.welfare.services.plans import (
    MemberData,
    PlanData,
    certificate_from_token,
    certificate_token,
    clean_member,
    enrollments_create,
    gift_request_create,
    gift_request_decide,
    plan_create,
)
from tongzhou.welfare.services.units import (
    invoice_from_token,
    invoice_issue,
    invoice_mark_paid,
    invoice_token,
    unit_contact_create,
    unit_enroll,
    unit_may_enroll,
)

__all__ = [
    "ClaimData",
    "Gift",
    "MemberData",
    "PlanData",
    "campaign_create",
    "certificate_from_token",
    "certificate_token",
    "claim_file",
    "claim_move",
    "clean_member",
    "enrollments_create",
    "gift_request_create",
    "gift_request_decide",
    "invoice_from_token",
    "invoice_issue",
    "invoice_mark_paid",
    "invoice_token",
    "plan_create",
    "unit_contact_create",
    "unit_enroll",
    "unit_may_enroll",
    "visit_gift_issue",
    "visit_record",
]
