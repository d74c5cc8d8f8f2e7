"""The demo's welfare: the mutual-aid center's plan, unit enrollments, gifted gate guards, a claim
in review; loading twice changes nothing."""

from django.test import Client
from django.urls import reverse

from tongzhou.welfare.models import (
    Campaign,
    CampaignTarget,
    Claim,
    ClaimStatus,
    Enrollment,
    EnrollmentSource,
    Invoice,
    InvoiceStatus,
    Plan,
)


def test_the_demo_welfare_loads_once(demo):
    from tongzhou.accounts.models import User
    from tongzhou.demo import load_demo

    def counts():
        return (Plan.objects.count(), Enrollment.objects.count(), Claim.objects.count())

    load_demo(log=lambda message: None)
    first = counts()
    assert first == (1, 9, 1)
    assert Enrollment.objects.filter(source=EnrollmentSource.GIFT).count() == 3
    load_demo(log=lambda message: None)
    assert counts() == first
    claim = Claim.objects.get()
    assert claim.status == ClaimStatus.CHECKED and claim.assignment is not None
    officer = Client()
    officer.force_login(User.objects.get(username="welfare_officer"))
    assert officer.get(reverse("welfare:claim", args=[claim.pk])).status_code == 200
    assert officer.get(reverse("welfare:plans")).status_code == 200
    guard = Client()
    guard.force_login(claim.enrollment.user)
    assert guard.get(reverse("welfare:mine")).status_code == 200
    # The district union's own account: its nine members (three gate guards gifted a place, not
    # billed), its invoice (6 × 30.00), no claim.
    bill = Invoice.objects.get()
    assert (bill.members, bill.total, bill.status) == (6, 180, InvoiceStatus.ISSUED)
    contact = Client()
    contact.force_login(User.objects.get(username="unit_contact"))
    page = contact.get(reverse("welfare:units"), follow=True)
    assert page.status_code == 200 and len(page.context["enrollments"]) == 9
    assert contact.get(reverse("welfare:invoice", args=[bill.pk])).status_code == 200
    assert contact.get(reverse("welfare:claim", args=[claim.pk])).status_code == 404
    # The union's thanks for five overnight watches in a row: one of the two watchers qualifies.
    campaign = Campaign.objects.get(target=CampaignTarget.NIGHTS_IN_A_ROW)
    assert campaign.target_number == 5 and campaign.visits.count() == 1
    page = officer.get(reverse("welfare:campaign", args=[campaign.pk]))
    assert page.status_code == 200 and "6" in campaign.visits.get().why
