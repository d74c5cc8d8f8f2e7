"""The log-in page lists every demo user; the language switch names each language in itself; in
demo mode with DEBUG on, a missing page is the product's 404 page, not Django's technical one."""

import pytest
from django.test import Client
from django.urls import reverse

from tongzhou.demo import USERS


def test_the_log_in_page_lists_every_demo_user(db, settings):
    settings.TONGZHOU_DEMO = True
    html = Client().get(reverse("accounts:login")).content.decode()
    listed = html[html.index('id="demo-logins"') :]
    assert [u for u in USERS if f"<code>{u}</code>" not in listed] == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_language_is_named_in_itself(db, language):
    html = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("accounts:login")).content.decode()
    assert 'lang="zh-hans" data-language="zh-hans">简体中文</button>' in html
    assert 'lang="en" data-language="en">English</button>' in html
    assert "英语" not in html


@pytest.mark.parametrize("path", ["/no-such-page/", "/residents/999999/"])
def test_the_demo_answers_a_missing_page_with_the_products_page(demo, client_as, settings, path):
    settings.DEBUG = True
    settings.TONGZHOU_DEMO = True
    response = client_as("taian_staff").get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert 'id="not-found"' in html and "URLconf" not in html
    settings.TONGZHOU_DEMO = False  # outside the demo, a developer keeps Django's technical page
    assert "URLconf" in client_as("taian_staff").get("/no-such-page/").content.decode()


def test_a_page_with_its_own_404_keeps_it(db, settings):
    settings.DEBUG = True
    settings.TONGZHOU_DEMO = True
    response = Client().get(reverse("volunteers:verify", args=["not-a-token"]))
    assert response.status_code == 404
    assert 'id="not-found"' not in response.content.decode()


def test_without_debug_a_missing_page_is_the_products_page(demo, client_as):
    response = client_as("taian_staff").get("/no-such-page/")
    assert response.status_code == 404 and 'id="not-found"' in response.content.decode()
