"""The notices sent to the resident's household, through their personal link: those in effect,
"superseded" when a newer version replaced one, and "We have read it" acknowledging for the
household."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzhou.notices.models import Reach
from tongzhou.notices.services import NoticeDraft, notice_create, notice_send
from tongzhou.people.services import personal_link_token


def sent(demo, place, title, **changes):
    data = {
        "place": place,
        "title": title,
        "body": "请于明日8时到楼下核酸检测。",
        "valid_from": timezone.localdate(),
        "valid_to": None,
        "audience": "residents",
        **changes,
    }
    staff = demo.taian_staff
    return notice_send(actor=staff, notice=notice_create(actor=staff, draft=NoticeDraft(**data)))


def test_the_resident_reads_the_notices_in_effect_and_acknowledges_one_for_the_household(demo, taian_person):
    community = demo.places["taian"]
    old = sent(demo, community, "核酸检测通知")
    staff = demo.taian_staff
    newer = notice_send(
        actor=staff,
        notice=notice_create(
            actor=staff,
            supersedes=old,
            draft=NoticeDraft(
                place=community,
                title="核酸检测改期通知",
                body="改到后天。",
                valid_from=timezone.localdate(),
                valid_to=None,
                audience="residents",
            ),
        ),
    )
    ended = sent(demo, community, "已过期的通知", valid_from=timezone.localdate() - timedelta(days=3))
    ended.valid_to = timezone.localdate() - timedelta(days=1)
    ended.save(update_fields=["valid_to"])
    songhua = notice_send(
        actor=demo.songhua_staff,
        notice=notice_create(
            actor=demo.songhua_staff,
            draft=NoticeDraft(
                place=demo.places["songhua"],
                title="松花巷的通知",
                body="x",
                valid_from=timezone.localdate(),
                valid_to=None,
                audience="residents",
            ),
        ),
    )
    url = reverse("portal:notices", args=[personal_link_token(taian_person)])
    html = Client().get(url).content.decode()
    assert "核酸检测改期通知" in html and f'id="superseded-{old.pk}"' in html
    assert f'id="superseded-{newer.pk}"' not in html and f'id="ack-{old.pk}"' not in html
    assert "已过期的通知" not in html and songhua.title not in html

    Client().post(url, {"notice": newer.pk})
    reach = Reach.objects.get(notice=newer, household=taian_person.household)
    assert reach.acknowledged_at is not None
    assert f'id="read-{newer.pk}"' in Client().get(url).content.decode()
    # A notice not sent to the household, or junk, is a 404 and records nothing.
    assert Client().post(url, {"notice": songhua.pk}).status_code == 404
    assert Client().post(url, {"notice": "abc"}).status_code == 404
    assert not Reach.objects.filter(notice=songhua, acknowledged_at__isnull=False).exists()
    assert Client().get(reverse("portal:notices", args=["not-a-token-at-all-xx"])).status_code == 404
