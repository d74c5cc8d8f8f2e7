"""The coordinator's pages in Chinese say things in words: skills and organizations through their
labels, a phone masked and the time slots on a vetting card, head counts with their unit, a post's
place with its compound; the attendance page's title is a title."""

import re
from collections.abc import Iterator
from datetime import time

import pytest
from django.urls import reverse
from django.utils import translation

from tongzhou.people.idnumbers import check_digit
from tongzhou.volunteers.services import SignupData, post_create, template_create, volunteer_signup

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def _no_language_leak() -> Iterator[None]:
    """The requests here activate zh-hans in this thread: give the next test its language back."""
    with translation.override(translation.get_language()):
        yield


def test_a_vetting_card_in_words(demo, client_as):
    first17 = "52010219900101777"
    volunteer_signup(
        data=SignupData(
            name="卡片甲",
            phone="13900007777",
            id_number=first17 + check_digit(first17),
            community_id=demo.places["taian"].pk,
            skills=["lifting", "driving"],
            slots=[(0, "day"), (5, "night")],
            consent=True,
        )
    )
    html = client_as("taian_staff").get(reverse("volunteers:applications"), **ZH).content.decode()
    card = html[html.index("卡片甲") :]
    card = card[: card.index("</form>")]
    for code in ("lifting", "driving", "无 ·", "None"):
        assert code not in card, code
    assert "搬运" in card and "驾驶" in card
    assert "139****7777" in card and "13900007777" not in card
    assert "周一 07:00–19:00" in card and "周六 19:00–07:00" in card


def test_posts_places_and_head_counts(demo, client_as):
    client = client_as("taian_staff")
    html = client.get(reverse("volunteers:posts"), **ZH).content.decode()
    assert "泰安巷3号院 1栋" in html and "泰安巷17号院 1栋" in html and "泰安巷45号院 1栋" in html
    post = post_create(
        actor=demo.taian_staff, place=demo.places["taian_compound"], name="东门", duty="gate", skills=["lifting"]
    )
    for url in (reverse("volunteers:posts"), reverse("volunteers:post", args=[post.pk])):
        page = client.get(url, **ZH).content.decode()
        assert "搬运" in page and not re.search(r">[^<]*lifting", page)  # as text (a form value may say it)
    template_create(
        actor=demo.taian_staff, post=post, starts=time(7), ends=time(19), min_people=1, max_people=2, weekdays=[0]
    )
    assert "1–2 人" in client.get(reverse("volunteers:post", args=[post.pk]), **ZH).content.decode()


def test_the_attendance_title_is_only_a_title(demo, client_as):
    html = client_as("taian_staff").get(reverse("volunteers:attendance"), **ZH).content.decode()
    title = html[html.index("<title>") : html.index("</title>")]
    assert "<" not in title[1:] and "csrf" not in title


def test_the_sign_up_form_asks_for_a_full_name(db, client):
    html = client.get(reverse("volunteers:join"), **ZH).content.decode()
    assert "姓名" in html and ">名称<" not in html
