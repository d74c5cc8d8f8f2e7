"""Condolence campaigns: targets from the gate duty of the last days, visits recorded, the list of
those not yet visited, the thank-you message; the dashboard figures."""

from django.urls import reverse

from tongzhou.core.outbox.models import OutboxMessage
from tongzhou.welfare.models import Campaign, Visit


def test_a_campaign_targets_gate_guards_and_records_visits(
    client_as, demo, officers, union, make_worker, django_capture_on_commit_callbacks
):
    guards = [make_worker(f"守门{n}", hours=24) for n in range(2)]
    make_worker("送货员", hours=24, duty="delivery")
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    response = client.post(
        reverse("welfare:campaigns"),
        {
            "name": "春节慰问门岗志愿者",
            "organisation": union.pk,
            "place": demo.places["taian"].pk,
            "days": "7",
            "thanks_text": "感谢您坚守门岗！",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert sorted(v.volunteer.name for v in campaign.visits.all()) == ["守门0", "守门1"]
    visit = Visit.objects.get(volunteer=guards[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("welfare:campaign", args=[campaign.pk]),
            {"visit": visit.pk, "visited_by": "工会王主席", "given": "米一袋、油一桶", "note": ""},
        )
    visit.refresh_from_db()
    assert visit.visited_at and visit.given == "米一袋、油一桶"
    assert OutboxMessage.objects.filter(kind="welfare", text_masked__contains="感谢").count() == 1
    page = client.get(reverse("welfare:campaign", args=[campaign.pk]))
    assert [v.volunteer.name for v in page.context["due"]] == ["守门1"]
    figures = client.get(reverse("welfare:plans")).context["figures"]
    assert (figures["visits_done"], figures["visits_due"]) == (1, 1)


def test_campaigns_are_the_officers(client_as, officers):
    for persona in ("guard", "volunteer", "taian_staff"):
        assert client_as(persona).get(reverse("welfare:campaigns")).status_code == 404
