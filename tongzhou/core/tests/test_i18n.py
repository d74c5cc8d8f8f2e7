from django.test import Client
from django.urls import reverse
from django.utils import translation

from tongzhou import settings as real_settings


def test_chinese_is_the_default_and_english_is_offered():
    assert real_settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in real_settings.LANGUAGES] == ["zh-hans", "en"]


def test_catalogue_is_compiled():
    with translation.override("zh-hans"):
        assert translation.gettext("Places") == "地点"
        assert translation.gettext("The check digit should be %(digit)s: the number has a typo.") != (
            "The check digit should be %(digit)s: the number has a typo."
        )


def test_browser_language_picks_the_page_language(db):
    zh = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    en = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in zh and "Log in" in en
