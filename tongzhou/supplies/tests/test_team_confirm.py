"""A volunteer team's leader confirms a hand-out for a member; nobody else's."""

from django.test import Client
from django.urls import reverse

from tongzhou.supplies.models import HandOut
from tongzhou.supplies.services.handouts import handout_issue
from tongzhou.volunteers.services.teams import team_create, team_set_members
from tongzhou.volunteers.tests.conftest import make_volunteer  # noqa: F401 (a fixture)


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_team_leader_confirms_for_a_member_and_no_one_else_can(supplies, demo, make_volunteer):  # noqa: F811
    leader, member, stranger = make_volunteer("队长"), make_volunteer("队员"), make_volunteer("别队")
    staff = demo.taian_staff
    team = team_create(actor=staff, place=demo.places["taian"], name="泰安巷青年突击队", kind="volunteer_team")
    team_set_members(actor=staff, team=team, members=[leader, member], leader=leader)
    handout = handout_issue(
        actor=supplies.taian_keeper,
        store=supplies.store_taian,
        recipient=member.user,
        lines=[(supplies.item_mask, 20)],
    )
    page = login(leader.user).get(reverse("supplies:mine")).content.decode()
    assert f'data-handout="{handout.pk}"' in page
    assert f'data-handout="{handout.pk}"' not in login(stranger.user).get(reverse("supplies:mine")).content.decode()
    assert login(stranger.user).post(reverse("supplies:confirm", args=[handout.pk])).status_code == 404
    assert login(demo.guard).post(reverse("supplies:confirm", args=[handout.pk])).status_code == 404
    handout.refresh_from_db()
    assert handout.confirmed_at is None
    assert login(leader.user).post(reverse("supplies:confirm", args=[handout.pk])).status_code == 302
    handout.refresh_from_db()
    assert handout.confirmed_by == leader.user
    assert HandOut.objects.filter(confirmed_at__isnull=False).count() == 1


def test_volunteers_find_my_supplies_in_the_menu(supplies, demo):
    page = login(demo.volunteer).get(reverse("volunteers:me")).content.decode()
    assert 'id="my-supplies-link"' in page
    assert 'id="my-supplies-link"' not in login(supplies.taian_keeper).get(reverse("supplies:stock")).content.decode()
