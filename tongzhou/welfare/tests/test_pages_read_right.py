"""The newest welfare pages as a reader sees them: an invoice is 已开具 (issued), not 发放 (handed
out, the stores' word); the claim page's buttons say what they do (Approve, not "Approved"); a
campaign says what its number is ("at least 5 nights", not "(5)"); the enrollment tables keep
their dates and links on one line; why a campaign chose each person reads in the reader's
language."""

import re

from django.test import Client
from django.urls import reverse

from tongzhou.accounts.models import User
from tongzhou.demo import load_demo
from tongzhou.welfare.models import Campaign, CampaignTarget, Claim, ClaimStatus, Invoice, InvoiceStatus


def _client(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=username))
    return client


def test_an_invoice_is_issued_not_handed_out(demo):
    load_demo(log=lambda message: None)
    invoice = Invoice.objects.get()
    assert invoice.status == InvoiceStatus.ISSUED
    for username in ("unit_contact", "welfare_officer"):
        text = _client(username, "zh-hans").get(reverse("welfare:invoice", args=[invoice.pk])).content.decode()
        assert '<span id="invoice-status">已开具</span>' in text and "开具时间" in text and "发放" not in text
    unit = _client("unit_contact", "zh-hans").get(reverse("welfare:unit", args=[invoice.organisation_id]))
    assert "<strong>已开具</strong>" in unit.content.decode()
    english = _client("unit_contact").get(reverse("welfare:invoice", args=[invoice.pk])).content.decode()
    assert '<span id="invoice-status">Issued</span>' in english


def test_the_claim_buttons_say_what_they_do(demo):
    load_demo(log=lambda message: None)
    claim = Claim.objects.get()
    assert claim.status == ClaimStatus.CHECKED
    url = reverse("welfare:claim", args=[claim.pk])
    english = _client("welfare_officer").get(url).content.decode()
    assert 'id="move-approved">Approve</button>' in english and 'id="move-rejected">Reject</button>' in english
    chinese = _client("welfare_officer", "zh-hans").get(url).content.decode()
    assert 'id="move-approved">批准</button>' in chinese and 'id="move-rejected">驳回</button>' in chinese


def test_a_campaign_says_what_its_number_counts(demo):
    load_demo(log=lambda message: None)
    campaign = Campaign.objects.get()
    assert campaign.target == CampaignTarget.NIGHTS_IN_A_ROW and campaign.target_number == 5
    url = reverse("welfare:campaign", args=[campaign.pk])
    assert '<span id="campaign-number">at least 5 nights</span>' in _client("welfare_officer").get(url).content.decode()
    chinese = _client("welfare_officer", "zh-hans").get(url).content.decode()
    assert '<span id="campaign-number">至少连续 5 晚</span>' in chinese and "(5)" not in chinese


def test_why_each_person_was_chosen_reads_in_the_readers_language(demo):
    """The demo's campaign was made in Chinese; an English reader still reads why in English."""
    load_demo(log=lambda message: None)
    campaign = Campaign.objects.get()
    url = reverse("welfare:campaign", args=[campaign.pk])
    counts = sorted(campaign.visits.filter(visited_at=None).values_list("why_count", flat=True))
    assert counts and all(count >= 5 for count in counts)
    english = _client("welfare_officer").get(url).content.decode()
    chinese = _client("welfare_officer", "zh-hans").get(url).content.decode()
    assert f"{counts[0]} overnight watches in a row" in english and "夜班" not in english
    assert f"连续 {counts[0]} 个夜班值守" in chinese and "overnight" not in chinese


def test_enrollment_dates_and_certificate_links_stay_on_one_line(demo):
    load_demo(log=lambda message: None)
    invoice = Invoice.objects.get()
    unit = _client("unit_contact", "zh-hans").get(reverse("welfare:unit", args=[invoice.organisation_id]))
    text = unit.content.decode()
    assert '<td class="text-nowrap"><a href="/welfare/enrollments/' in text
    assert len(re.findall(r'<td class="text-nowrap">\d{4}-\d{2}-\d{2}</td>', text)) == 9
    plan = _client("welfare_officer", "zh-hans").get(reverse("welfare:plan", args=[invoice.plan_id])).content.decode()
    assert len(re.findall(r'<td class="text-nowrap">\d{4}-\d{2}-\d{2}</td>', plan)) == 9
