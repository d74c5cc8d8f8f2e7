"""Menus show only what the user may open: every link in every menu (the main menu and each
section's tabs) of every demo persona answers 200."""

import re

import pytest
from django.urls import reverse

from tongzhou.checkpoints.services import gate_create
from tongzhou.demo import USERS

NAV = re.compile(r"<nav\b.*?</nav>", re.S)
HREF = re.compile(r'href="(/[^"#]*)"')
NOT_PAGES = ("/static/", "/i18n/")


def menu_links(html: str) -> set[str]:
    return {
        href.replace("&amp;", "&")
        for block in NAV.findall(html)
        for href in HREF.findall(block)
        if not href.startswith(NOT_PAGES)
    }


PERSONAS = [pytest.param(username, id=username) for username in USERS]


@pytest.mark.parametrize("username", PERSONAS)
def test_every_menu_link_answers(demo, client_as, username):
    gate_create(actor=demo.taian_staff, compound=demo.places["taian_compound"], name="东门")
    client = client_as(username)
    start = client.get("/", follow=True)
    assert start.status_code == 200
    seen: dict[str, int] = {}
    to_visit = menu_links(start.content.decode())
    assert to_visit, "no menu at all"
    while to_visit:
        url = to_visit.pop()
        response = client.get(url, follow=True)  # "/" and /places/ lead on to a page
        seen[url] = response.status_code
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            to_visit |= menu_links(response.content.decode()) - set(seen)
    assert {url: code for url, code in seen.items() if code != 200} == {}


def test_the_health_officer_sees_no_gate_tabs(demo, client_as):
    html = client_as("health_officer").get(reverse("checkpoints:levels")).content.decode()
    assert reverse("checkpoints:gates") not in html
    assert reverse("checkpoints:passages") not in html
    assert reverse("checkpoints:gates") in client_as("taian_staff").get(reverse("checkpoints:levels")).content.decode()
