"""The sampling page: a building's list for door-to-door sampling, a scanned pass or a typed ID
number finds the resident, the offline worker is served for the testing pages, and other places
answer 404."""

from django.urls import reverse

from tongzhou.checkpoints.models import Pass
from tongzhou.checkpoints.services import pass_token, passes_issue
from tongzhou.testing.selectors import untested_by_building


def test_a_buildings_list_shows_who_is_not_yet_sampled(demo, client_as, make_round, residents):
    test_round = make_round()
    building = next(b for b in untested_by_building(test_round) if b.is_building)
    url = reverse("testing:sample", args=[test_round.pk])
    response = client_as("volunteer").get(url, {"place": building.place_id})
    assert response.status_code == 200
    assert len(response.context["matches"]) == building.untested
    assert b"sample-config" in response.content and b"/samples/batch" in response.content
    assert client_as("songhua_staff").get(url, {"place": building.place_id}).status_code == 404
    assert client_as("volunteer").get(url, {"place": demo.places["songhua"].pk}).status_code == 404


def test_a_typed_id_number_or_a_scanned_pass_finds_the_resident(demo, client_as, make_round, residents):
    test_round = make_round()
    url = reverse("testing:sample", args=[test_round.pk])
    person = next(p for p in residents if p.id_number)
    found = client_as("volunteer").get(url, {"q": person.id_number}).context["matches"]
    assert [m.person_id for m in found] == [person.pk]
    passes_issue(actor=demo.taian_staff, place=demo.places["taian_compound"])
    card = Pass.objects.get(household=person.household, status="active")
    found = client_as("volunteer").get(url, {"q": pass_token(card)}).context["matches"]
    assert person.pk in [m.person_id for m in found]
    assert client_as("volunteer").get(url, {"q": "TZP1.forged:code"}).context["matches"] == []


def test_the_offline_worker_is_served_for_the_testing_pages(client):
    worker = client.get(reverse("testing:sw"))
    assert worker.status_code == 200 and worker["Service-Worker-Allowed"] == "/testing/"
