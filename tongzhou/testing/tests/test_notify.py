"""Telling every household: a message with the building's slot and the resident's own page, ticks
at the door, and the untested list split into "told" and "not reached"."""

from datetime import time

from django.urls import reverse

from tongzhou.core.messaging import ConsoleBackend
from tongzhou.core.outbox.models import OutboxMessage
from tongzhou.core.pii import blind_index_candidates
from tongzhou.testing.models import DoorAnswer, Notification
from tongzhou.testing.selectors import buildings_to_plan, untested_by_building
from tongzhou.testing.services import SiteData, round_notify, sample_take, site_create, slots_plan


def test_a_message_tells_each_resident_their_slot_and_counts_the_household_told(demo, make_round, residents):
    test_round = make_round()
    site = site_create(
        actor=demo.taian_staff,
        round_=test_round,
        data=SiteData(demo.places["taian_compound"], "广场采样点", per_hour=120, opens=time(8), closes=time(12)),
    )
    slots_plan(actor=demo.taian_staff, site=site, buildings=buildings_to_plan(test_round))
    sample_take(actor=demo.volunteer, test_round=test_round, person=residents[0], barcode="TZ-N1")
    ConsoleBackend.outbox.clear()

    sent = round_notify(actor=demo.taian_staff, round_=test_round, site_url="https://tz.example")
    with_phone = [p for p in residents[1:] if p.phone]
    assert sent == len(with_phone) and sent > 0
    texts = {m.to: m.text for m in ConsoleBackend.outbox}
    assert residents[0].phone not in texts  # sampled already
    text = texts[with_phone[0].phone]
    assert "广场采样点" in text and "08:" in text and "https://tz.example/testing/mine/" in text
    token = text.split("/testing/mine/")[1].strip("/").split("/")[0]
    logged = OutboxMessage.objects.filter(to_index__in=blind_index_candidates(with_phone[0].phone))
    assert logged and all(m.kind == "testing" and m.scope_path for m in logged)
    assert all(token not in m.text_masked and "/testing/mine/****" in m.text_masked for m in logged)
    assert Notification.objects.filter(round=test_round, messaged_at__isnull=False).count() == len(
        {p.household_id for p in with_phone}
    )
    rows = untested_by_building(test_round)
    assert sum(r.notified for r in rows) > 0
    assert sum(r.notified + r.not_reached for r in rows) == sum(r.untested for r in rows)


def test_door_ticks_and_who_may_tick(demo, make_round, client_as, residents):
    test_round = make_round()
    rows = untested_by_building(test_round)
    building = rows[0]
    url = f"{reverse('testing:untested', args=[test_round.pk])}?place={building.place_id}"
    person = next(p for p in residents if p.place_path.startswith(building.path))
    lead = client_as("building_lead")
    assert (
        lead.post(url, {"action": "door", "household": person.household_id, "answer": "no_answer"}).status_code == 302
    )
    assert Notification.objects.get(household=person.household).door == DoorAnswer.NO_ANSWER
    assert untested_by_building(test_round)[0].notified == 0  # nobody answered: not told
    lead.post(url, {"action": "door", "household": person.household_id, "answer": "notified"})
    told = untested_by_building(test_round)[0]
    assert told.notified == sum(1 for p in residents if p.household_id == person.household_id)
    page = lead.get(url).content.decode()
    assert f'data-household="{person.household_id}"' in page

    junk = lead.post(url, {"action": "door", "household": "abc", "answer": "notified"})
    assert junk.status_code == 404
    songhua = demo.places["songhua_household"]
    assert lead.post(url, {"action": "door", "household": songhua.pk, "answer": "notified"}).status_code == 404
    assert not Notification.objects.filter(household=songhua).exists()


def test_only_planners_of_the_place_send_the_messages(demo, make_round, client_as):
    test_round = make_round()
    url = reverse("testing:notify", args=[test_round.pk])
    for persona in ("volunteer", "building_lead", "songhua_staff"):
        assert client_as(persona).post(url).status_code == 404, persona
    assert not Notification.objects.exists()
    assert client_as("taian_staff").post(url).status_code == 302
    assert Notification.objects.filter(round=test_round).exists()
