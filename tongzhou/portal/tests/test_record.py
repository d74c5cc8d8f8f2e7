"""The resident's own record through their personal link, and who viewed it."""

from django.urls import reverse


def test_personal_link_shows_own_record_and_who_looked(demo, client_as, taian_person):
    from django.test import Client

    from tongzhou.core.messaging import ConsoleBackend

    staff = client_as("taian_staff")
    staff.get(reverse("people:detail", args=[taian_person.pk]))  # a view to be listed
    ConsoleBackend.outbox.clear()
    assert staff.post(reverse("people:send_link", args=[taian_person.pk])).status_code == 302
    message = ConsoleBackend.outbox[-1]
    assert message.to == taian_person.phone
    path = message.text[message.text.index("/residents/mine/") :].strip()
    page = Client().get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200 and taian_person.name in html
    assert taian_person.id_number not in html
    # Who viewed it: the role and the committee, not the staff member's log-in name.
    assert "社区工作人员 · 泰安巷社区居民委员会" in html
    assert "taian_staff" not in html
    assert Client().get(path[:-3] + "abc/").status_code == 404


def test_personal_link_expires(demo, client_as, taian_person, settings):
    from django.test import Client

    from tongzhou.people.services import personal_link_token

    token = personal_link_token(taian_person)
    settings.TONGZHOU_PERSONAL_LINK_DAYS = -1
    assert Client().get(reverse("portal:record", args=[token])).status_code == 404


def test_links_already_sent_keep_their_addresses(taian_person):
    from tongzhou.people.services import personal_link_token

    token = personal_link_token(taian_person)
    assert reverse("portal:record", args=[token]) == f"/residents/mine/{token}/"
    assert reverse("portal:isolation", args=[token]) == f"/monitoring/mine/{token}/"
    assert reverse("portal:help", args=[token]) == f"/help/mine/{token}/"
    assert reverse("portal:help_request", args=[token, 7]) == f"/help/mine/{token}/7/"


def test_the_record_links_to_the_isolation_page_of_a_key_person_only(demo, taian_person, make_order):
    from django.test import Client

    from tongzhou.people.services import personal_link_token

    # One token: a link made a second later carries another timestamp.
    token = personal_link_token(taian_person)
    url = reverse("portal:record", args=[token])
    assert 'id="my-isolation"' not in Client().get(url).content.decode()
    make_order()
    html = Client().get(url).content.decode()
    assert 'id="my-isolation"' in html
    assert reverse("portal:isolation", args=[token]) in html
