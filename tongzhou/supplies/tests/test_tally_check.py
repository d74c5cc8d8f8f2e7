"""The nightly check covers the hand-out tallies the public ledger reads ("N to X workers at Y
posts and Z teams"): each tally equals what its hand-outs' entries add up to, reversals included;
a tally tampered with in SQL is caught and raises an alert. Teams are counted on the ledger."""

from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tongzhou.alerts.models import Alert
from tongzhou.supplies.alert_kinds import Kind
from tongzhou.supplies.models import Entry, HandOutTally, TallyBy
from tongzhou.supplies.selectors import public_ledger
from tongzhou.supplies.services import entry_reverse, handout_issue
from tongzhou.supplies.tally_check import tally_check, tally_compare
from tongzhou.volunteers.services.teams import team_create, team_set_members
from tongzhou.volunteers.tests.conftest import make_volunteer  # noqa: F401 (a fixture)


def _teams(supplies, demo, make_volunteer):  # noqa: F811
    first, second, third = make_volunteer("甲"), make_volunteer("乙"), make_volunteer("丙")
    staff = demo.taian_staff
    one = team_create(actor=staff, place=demo.places["taian"], name="泰安巷青年突击队", kind="volunteer_team")
    two = team_create(actor=staff, place=demo.places["taian"], name="泰安巷党员先锋队", kind="volunteer_team")
    team_set_members(actor=staff, team=one, members=[first, second], leader=first)
    team_set_members(actor=staff, team=two, members=[third], leader=third)
    handouts = [
        handout_issue(
            actor=supplies.taian_keeper, store=supplies.store_taian, recipient=v.user, lines=[(supplies.item_mask, 10)]
        )
        for v in (first, second, third)
    ]
    return handouts, (one, two)


def test_teams_are_counted_on_the_public_ledger(supplies, demo, make_volunteer):  # noqa: F811
    handouts, teams = _teams(supplies, demo, make_volunteer)
    assert [h.team_id for h in handouts] == [teams[0].pk, teams[0].pk, teams[1].pk]
    masks = next(r for r in public_ledger(demo.places["er_ge"]) if r.item == supplies.item_mask.name)
    assert masks.teams >= 2 and masks.workers >= 3
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("supplies:public_ledger", args=[demo.places["er_ge"].code]))
    assert f" · {masks.teams} teams</p>" in page.content.decode()


def test_the_check_agrees_after_hand_outs_and_reversals(supplies, demo, make_volunteer):  # noqa: F811
    handouts, _teams_made = _teams(supplies, demo, make_volunteer)
    entry = Entry.objects.filter(batch=handouts[0].batch).first()
    entry_reverse(actor=supplies.taian_keeper, entry=entry, note="发错人")
    report = tally_compare()
    assert report.mismatches == [] and report.tallies > 0
    tally = HandOutTally.objects.get(kind=TallyBy.TEAM, who=handouts[0].team_id, item=supplies.item_mask)
    assert tally.quantity == 10  # 20 to the team, 10 of them reversed


def test_the_check_catches_a_tally_tampered_with_in_sql(supplies, demo, make_volunteer):  # noqa: F811
    handouts, _teams_made = _teams(supplies, demo, make_volunteer)
    assert tally_check().mismatches == []
    tally = HandOutTally.objects.get(kind=TallyBy.WORKER, who=handouts[2].recipient_id, item=supplies.item_mask)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE supplies_handouttally SET quantity = quantity + 5 WHERE id = %s", [tally.pk])
        # A tally with no hand-out behind it at all (a made-up post) is caught too.
        cursor.execute(
            "INSERT INTO supplies_handouttally (store_id, place_path, item_id, kind, who, quantity) "
            "VALUES (%s, %s, %s, 'post', 999999, 7)",
            [supplies.store_taian.pk, supplies.store_taian.place_path, supplies.item_mask.pk],
        )
    out = StringIO()
    call_command("check_stock_ledger", stdout=out)
    assert "2 differ, 2 new alerts" in out.getvalue()
    report = tally_compare()
    assert sorted((m.kind, m.tally, m.handouts) for m in report.mismatches) == [
        ("post", Decimal(7), None),
        ("worker", Decimal(15), Decimal(10)),
    ]
    alerts = Alert.objects.filter(kind=Kind.TALLY_MISMATCH)
    assert alerts.count() == 2 and {a.place_id for a in alerts} == {supplies.store_taian.place_id}
    # Once a day: the next run raises nothing new.
    assert tally_check().alerts == 0
