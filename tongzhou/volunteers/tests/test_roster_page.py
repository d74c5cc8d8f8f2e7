"""The roster page: the uncovered shifts in local words, recomputed when someone takes an open
place; the hours per volunteer as a chart with the spread; and sign-up keeping the new rules."""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tongzhou.volunteers.models import Shift
from tongzhou.volunteers.services import (
    assignment_add,
    post_create,
    roster_publish,
    roster_start,
    slot_signup,
    template_create,
)

SH = ZoneInfo("Asia/Shanghai")


def page(user, url, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    with translation.override(language):  # the request activates its language: do not leak it
        return client.get(url).content.decode()


def hours_chart(html):
    data = html.split('id="roster-hours-chart" type="application/json">')[1].split("</script>")[0]
    option = json.loads(data)
    return dict(zip(option["xAxis"]["data"], option["series"][0]["data"], strict=True))


@pytest.fixture
def roster_of_nov_30(demo, make_volunteer, django_capture_on_commit_callbacks):
    """A gate shift and a testing-site shift (needs "medical") on 30 November, 07:00–19:00; one
    volunteer without the skill."""
    make_volunteer("王志愿")
    for name, duty, skills in (("东门", "gate", []), ("核酸点", "testing_order", ["medical"])):
        post = post_create(
            actor=demo.taian_staff, place=demo.places["taian_compound"], name=name, duty=duty, skills=skills
        )
        template_create(
            actor=demo.taian_staff, post=post, starts=time(7), ends=time(19), min_people=1, max_people=1, weekdays=[0]
        )
    with django_capture_on_commit_callbacks(execute=True):
        roster = roster_start(
            actor=demo.taian_staff,
            place=demo.places["taian"],
            starts_on=datetime(2026, 11, 30).date(),
            ends_on=datetime(2026, 11, 30).date(),
        )
    roster.refresh_from_db()
    return roster


@time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=SH), tick=False)
def test_the_uncovered_list_reads_in_local_words_and_shrinks_when_a_place_is_taken(
    demo, make_volunteer, roster_of_nov_30
):
    url = reverse("volunteers:roster", args=[roster_of_nov_30.pk])
    html = page(demo.taian_staff, url)
    assert "Nov 30 07:00–19:00 · 核酸点 · missing 1 · nobody available with the skill" in html
    assert "2026-11-30T07" not in html
    assert hours_chart(html) == {"王志愿": 12}
    roster_publish(actor=demo.taian_staff, roster=roster_of_nov_30)
    nurse = make_volunteer("李护士", skills=["medical"])
    slot_signup(user=nurse.user, shift=Shift.objects.get(post__name="核酸点"))
    html = page(demo.taian_staff, url)
    assert 'id="uncovered"' not in html and 'id="covered"' in html
    assert hours_chart(html) == {"王志愿": 12, "李护士": 12}
    assert "Hours spread: 0.0 h." in html


def test_the_uncovered_list_in_chinese(demo, roster_of_nov_30):
    html = page(demo.taian_staff, reverse("volunteers:roster", args=[roster_of_nov_30.pk]), language="zh-hans")
    assert "11月30日 07:00–19:00 · 核酸点" in html


@time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=SH), tick=False)
def test_sign_up_refuses_a_24_hour_stretch_and_a_short_rest(demo, make_volunteer):
    post = post_create(actor=demo.taian_staff, place=demo.places["taian_compound"], name="楼栋", duty="gate")
    day = datetime(2026, 11, 30, 7, 0, tzinfo=SH)

    def shift(start, hours):
        return Shift.objects.create(
            post=post,
            place_path=post.place_path,
            start=start,
            end=start + timedelta(hours=hours),
            min_people=1,
            max_people=2,
            published=True,
        )

    zhao = make_volunteer("赵志愿")
    assignment_add(actor=demo.taian_staff, shift=shift(day, 12), volunteer=zhao)
    for start, hours in ((day + timedelta(hours=12), 12), (day + timedelta(hours=15), 4)):
        with pytest.raises(ValidationError):
            slot_signup(user=zhao.user, shift=shift(start, hours))
    assert slot_signup(user=zhao.user, shift=shift(day + timedelta(hours=20), 4))  # 8 h of rest: fine
