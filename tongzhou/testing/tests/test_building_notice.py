"""The printed notice of a building (PDF with its slots and a QR code) and the building page the
code opens: slots for anyone with the paper, no names, and a resident's own link texted again only
to a phone registered in the building."""

import re
from datetime import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from reportlab.pdfgen.canvas import Canvas

from tongzhou.core.messaging import ConsoleBackend
from tongzhou.core.tests.test_pdf_font import needs_the_font_file
from tongzhou.testing import documents
from tongzhou.testing.links import building_token, building_url
from tongzhou.testing.selectors import buildings_to_plan
from tongzhou.testing.services import SiteData, site_create, slots_plan


@pytest.fixture
def planned(demo, make_round):
    test_round = make_round()
    site = site_create(
        actor=demo.taian_staff,
        round_=test_round,
        data=SiteData(demo.places["taian_compound"], "广场采样点", per_hour=120, opens=time(8), closes=time(12)),
    )
    slots_plan(actor=demo.taian_staff, site=site, buildings=buildings_to_plan(test_round))
    building = buildings_to_plan(test_round)[0][0]
    return test_round, building


def test_the_notice_is_a_pdf_with_the_slot_and_the_building_page_code(client_as, planned, monkeypatch, settings):
    test_round, building = planned
    settings.LANGUAGE_CODE = "zh-hans"  # the office's language: the paper is for every resident
    drawn: list[str] = []
    for name in ("drawString", "drawCentredString"):
        original = getattr(Canvas, name)
        monkeypatch.setattr(
            Canvas,
            name,
            lambda self, x, y, text, *a, _o=original, **k: (drawn.append(text), _o(self, x, y, text, *a, **k)),
        )
    codes: list[str] = []
    monkeypatch.setattr(documents, "draw_qr", lambda pdf, text, *args: codes.append(text))
    response = client_as("building_lead").get(reverse("testing:notice", args=[test_round.pk, building.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "\n".join(drawn)
    assert test_round.name in text and "广场采样点" in text and "08:00" in text
    assert "身份证" in text and "请携带" in text  # in Chinese, whatever the printer's language
    assert codes == ["http://testserver" + building_url(test_round, building)]
    assert client_as("building_lead").get(codes[0]).status_code == 200


def test_the_notice_embeds_its_font(client_as, planned):
    needs_the_font_file()
    test_round, building = planned
    response = client_as("taian_staff").get(reverse("testing:notice", args=[test_round.pk, building.pk]))
    assert b"/FontFile2" in response.content and b"STSong-Light" not in response.content


def test_the_round_page_links_each_buildings_notice(client_as, planned):
    test_round, building = planned
    page = client_as("taian_staff").get(reverse("testing:round", args=[test_round.pk])).content.decode()
    assert reverse("testing:notice", args=[test_round.pk, building.pk]) in page


def test_who_may_not_print_a_notice(demo, client, client_as, planned):
    test_round, building = planned
    url = reverse("testing:notice", args=[test_round.pk, building.pk])
    assert client_as("songhua_staff").get(url).status_code == 404
    assert client_as("outsider").get(url).status_code in (403, 404)
    assert client.get(url).status_code == 302  # to the log-in page
    other = reverse("testing:notice", args=[test_round.pk, demo.places["songhua"].pk])
    assert client_as("taian_staff").get(other).status_code == 404


def test_the_building_page_shows_the_slots_and_no_names(client, planned, residents):
    test_round, building = planned
    response = client.get(building_url(test_round, building))
    assert response.status_code == 200
    page = response.content.decode()
    assert "广场采样点" in page and "08:00" in page
    assert not any(p.name in page for p in residents)


def test_a_forged_or_changed_token_is_a_404(client, planned, demo):
    test_round, building = planned
    token = building_token(test_round, building)
    assert client.get(reverse("testing:building", args=[token[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("testing:building", args=["junk"])).status_code == 404


def test_a_resident_gets_their_own_link_again_only_on_their_registered_phone(client, planned, residents):
    test_round, building = planned
    cache.clear()
    resident = next(p for p in residents if p.place_path.startswith(building.path) and p.phone)
    url = building_url(test_round, building)
    ConsoleBackend.outbox.clear()
    unknown = client.post(url, {"phone": "13000000000"})
    known = client.post(url, {"phone": resident.phone})
    # The same answer either way: the page does not tell whether a number is registered.
    assert unknown.status_code == known.status_code == 200
    assert "resend-done" in unknown.content.decode() and "resend-done" in known.content.decode()
    assert [m.to for m in ConsoleBackend.outbox] == [resident.phone]
    link = re.search(r"/testing/mine/[^/\s]+/", ConsoleBackend.outbox[0].text)
    assert link and client.get(link.group(0)).status_code == 200
    bad = client.post(url, {"phone": "12"})
    assert bad.status_code == 200 and bad.context["form"].errors["phone"]


def test_the_resend_is_rate_limited(client, planned):
    test_round, building = planned
    cache.clear()
    url = building_url(test_round, building)
    codes = [client.post(url, {"phone": "13000000000"}).status_code for _ in range(11)]
    assert codes[-1] == 429 and codes[0] == 200
