"""Hand-outs: a day's kit to a gate's worker is issued entries in one batch carrying their lots;
the worker confirms on their phone and sees only their own."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tongzhou.supplies.models import Entry, EntryKind, HandOut
from tongzhou.supplies.services.handouts import handout_confirm, handout_issue


def login(user):
    client = Client()
    client.force_login(user)
    return client


def kit(supplies, recipient):
    return handout_issue(
        actor=supplies.taian_keeper,
        store=supplies.store_taian,
        recipient=recipient,
        lines=[(supplies.item_mask, 20), (supplies.item_sanitizer, 2)],
    )


def test_a_days_kit_is_issued_in_one_batch_with_its_lots(supplies, demo):
    handout = kit(supplies, demo.volunteer)
    entries = list(Entry.objects.filter(batch=handout.batch).select_related("lot", "item"))
    assert sorted((e.item.name, e.quantity, e.kind) for e in entries) == [
        ("免洗洗手液", -2, EntryKind.ISSUED),
        ("医用外科口罩", -20, EntryKind.ISSUED),
    ]
    assert all(e.lot_id for e in entries)


def test_a_bad_row_writes_nothing(supplies, demo):
    before = (HandOut.objects.count(), Entry.objects.count())
    with pytest.raises(ValidationError) as error:
        handout_issue(
            actor=supplies.taian_keeper,
            store=supplies.store_taian,
            recipient=demo.volunteer,
            lines=[(supplies.item_mask, 20), (supplies.item_sanitizer, 100000)],
        )
    assert error.value.message_dict["lines"][0].startswith("Row 2")
    assert (HandOut.objects.count(), Entry.objects.count()) == before


def test_the_volunteer_confirms_and_sees_only_their_own(supplies, demo):
    mine = kit(supplies, demo.volunteer)
    theirs = kit(supplies, demo.guard)
    client = login(demo.volunteer)
    page = client.get(reverse("supplies:mine"))
    assert page.status_code == 200
    assert [h.pk for h, _lines in page.context["rows"]] == [mine.pk]
    assert client.post(reverse("supplies:confirm", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("supplies:confirm", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.confirmed_by, theirs.confirmed_at) == (demo.volunteer, None)
    with pytest.raises(ValidationError):
        handout_confirm(actor=demo.volunteer, handout=mine)


def test_another_keeper_cannot_confirm_or_issue(supplies, demo):
    handout = kit(supplies, demo.guard)
    with pytest.raises(PermissionDenied):
        handout_confirm(actor=supplies.songhua_keeper, handout=handout)
    with pytest.raises(PermissionDenied):
        handout_issue(
            actor=supplies.songhua_keeper,
            store=supplies.store_taian,
            recipient=demo.guard,
            lines=[(supplies.item_mask, 1)],
        )
    handout_confirm(actor=supplies.taian_keeper, handout=handout)


def test_a_days_kit_through_the_keepers_page_then_the_volunteers_phone(supplies, demo):
    keeper = login(supplies.taian_keeper)
    data = {
        "handout-recipient": demo.volunteer.pk,
        "handout-item1": supplies.item_mask.pk,
        "handout-quantity1": "20",
        "handout-item2": supplies.item_sanitizer.pk,
        "handout-quantity2": "2",
    }
    assert keeper.post(reverse("supplies:handout", args=[supplies.store_taian.pk]), data).status_code == 302
    handout = HandOut.objects.get(recipient=demo.volunteer)
    assert login(demo.volunteer).post(reverse("supplies:confirm", args=[handout.pk])).status_code == 302
    public = Client().get(reverse("supplies:public_ledger", args=["520102029"])).content.decode()
    assert "泰安巷社区储藏室: 20" in public
    for user in (demo.volunteer, demo.guard):
        assert user.display_name not in public
    # 松花巷's keeper cannot hand out from 泰安巷's store; a bad row is a form error.
    assert (
        login(supplies.songhua_keeper)
        .post(reverse("supplies:handout", args=[supplies.store_taian.pk]), data)
        .status_code
        == 404
    )
    data["handout-quantity1"] = "2.5"
    response = keeper.post(reverse("supplies:handout", args=[supplies.store_taian.pk]), data)
    assert response.status_code == 400 and HandOut.objects.count() == 1
