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


def _on_hand(store, item):
    from django.db.models import Sum

    from tongzhou.supplies.models import Balance

    return Balance.objects.filter(store=store, item=item, in_transit=False).aggregate(s=Sum("quantity"))["s"] or 0


def test_a_gift_at_a_visit_is_issued_from_the_store_through_the_ledger(client_as, demo, officers, union, make_worker):
    from faker import Faker

    from tongzhou.supplies.demo import _supplies
    from tongzhou.supplies.models import Entry, EntryKind

    supplies = _supplies(fake=Faker("zh_CN"), log=lambda message: None)

    guard = make_worker("守门甲", hours=24)
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    client.post(
        reverse("welfare:campaigns"),
        {"name": "慰问门岗", "organisation": union.pk, "place": demo.places["taian"].pk, "days": "7"},
    )
    campaign = Campaign.objects.get()
    visit = Visit.objects.get(volunteer=guard)
    store, item = supplies["store_taian"], supplies["item_sanitizer"]
    before = _on_hand(store, item)
    assert before >= 2
    url = reverse("welfare:campaign", args=[campaign.pk])
    page = client.get(url)
    assert store in page.context["stores"] and supplies["store_warehouse"] not in page.context["stores"]

    # The street's warehouse lies outside a community officer's places: nothing is issued.
    form = {"visit": visit.pk, "visited_by": "工会王主席", "store": supplies["store_warehouse"].pk, "item": item.pk}
    client.post(url, {**form, "quantity": "2"})
    # Half a bottle of a counted item is refused, and nothing is written.
    client.post(url, {**form, "store": store.pk, "quantity": "0.5"})
    visit.refresh_from_db()
    assert visit.visited_at is None and visit.gift_batch is None
    assert _on_hand(store, item) == before

    client.post(url, {**form, "store": store.pk, "quantity": "2", "given": "慰问信"})
    visit.refresh_from_db()
    assert visit.visited_at and visit.gift_batch and item.name in visit.given and "慰问信" in visit.given
    assert _on_hand(store, item) == before - 2
    issued = Entry.objects.filter(batch=visit.gift_batch)
    assert [(e.kind, e.quantity, e.store_id) for e in issued] == [(EntryKind.ISSUED, -2, store.pk)]
