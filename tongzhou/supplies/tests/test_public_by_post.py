"""The public ledger says how much went to how many workers at how many posts, counted in SQL,
and never names a worker or shows a phone."""

import re

from django.test import Client
from django.urls import reverse

from tongzhou.accounts.models import User
from tongzhou.supplies.models import Entry
from tongzhou.supplies.services import entry_reverse, handout_issue
from tongzhou.volunteers.services.posts import post_create


def kit(supplies, recipient, post, masks=20):
    return handout_issue(
        actor=supplies.taian_keeper,
        store=supplies.store_taian,
        recipient=recipient,
        post=post,
        lines=[(supplies.item_mask, masks)],
    )


def test_masks_to_workers_at_posts_without_a_name(supplies, demo):
    staff = demo.users["taian_staff"]
    east = post_create(actor=staff, place=demo.places["taian_compound"], name="东门卡点", duty="gate")
    west = post_create(actor=staff, place=demo.places["taian_compound"], name="西门卡点", duty="gate")
    kit(supplies, demo.volunteer, east)
    kit(supplies, demo.volunteer, east)
    kit(supplies, demo.guard, west, masks=30)
    mistake = kit(supplies, demo.users["building_lead"], west, masks=5)
    entry_reverse(actor=supplies.taian_keeper, entry=Entry.objects.filter(batch=mistake.batch).first(), note="记错")
    page = Client().get(reverse("supplies:public_ledger", args=["520102029"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "70 只 handed out to 2 workers · 2 posts" in text
    csv = Client().get(reverse("supplies:public_ledger_csv", args=["520102029"])).content.decode()
    # …, handed to workers, workers, posts, teams
    assert re.search(r",70(\.0+)?,2,2,\d+\r\n", csv)
    for user in User.objects.exclude(display_name=""):
        assert user.display_name not in text and user.display_name not in csv
        if user.phone:
            assert user.phone not in text and user.phone not in csv
