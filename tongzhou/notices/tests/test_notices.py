"""Notices: written for a place and a kind of people, counted before sending, approved by a second
person when street-wide, frozen when sent, superseded by a newer version; the reach per building,
the door-to-door list, door notices and their acknowledgement."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tongzhou.core.outbox.models import MessageStatus, OutboxMessage
from tongzhou.core.tests.gateway_standin import gateway_standin
from tongzhou.notices import views
from tongzhou.notices.links import notice_url
from tongzhou.notices.models import Notice, NoticeStatus, Reach, Recipient
from tongzhou.notices.selectors import reach_report
from tongzhou.notices.services import NoticeDraft, notice_approval_decide, notice_attach, notice_create, notice_send
from tongzhou.people.models import Person
from tongzhou.places.models import Household, Place


def client_for(demo, username):
    client = Client()
    client.force_login(demo.users[username])
    return client


def building(demo, name="2栋"):
    return Place.objects.get(parent=demo.places["taian_compound"], name=name)


def draft(place, **changes):
    data = {
        "place": place,
        "title": "核酸检测通知",
        "body": "请于明日8时到楼下核酸检测，带好身份证。",
        "valid_from": timezone.localdate(),
        "valid_to": None,
        "audience": "residents",
    }
    return NoticeDraft(**{**data, **changes})


def form_data(place, **changes):
    data = {
        "place": place.pk,
        "title": "核酸检测通知",
        "body": "请于明日8时到楼下核酸检测。",
        "valid_from": timezone.localdate().isoformat(),
        "audience": "residents",
    }
    return {**data, **changes}


def test_staff_write_a_notice_for_a_building_see_the_count_and_send_it(demo):
    place = building(demo)
    people = Person.objects.filter(place_path__startswith=place.path)
    client = client_for(demo, "taian_staff")
    response = client.post(reverse("notices:create"), form_data(place))
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("notices:detail", args=[notice.pk])
    page = client.get(response["Location"]).content.decode()
    households = Household.objects.filter(place__path__startswith=place.path).count()
    assert (
        f"It would reach {people.count()} people ({people.count()} with a phone number) in {households} households"
        in page
    )
    assert not OutboxMessage.objects.filter(kind="notice").exists()

    client.post(reverse("notices:detail", args=[notice.pk]), {"action": "send"})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and notice.recipient_count == people.count()
    assert notice.issuer_name.startswith("泰安巷")
    sent = OutboxMessage.objects.filter(kind="notice")
    assert sent.count() == people.count() and all(m.status == MessageStatus.SENT for m in sent)
    assert all(m.scope_path.startswith(place.path) for m in sent)
    assert Reach.objects.filter(notice=notice).count() == households
    reached = Household.objects.filter(place__path__startswith=place.path, members__isnull=False).distinct().count()
    report, totals = reach_report(notice)
    assert [b.building for b in report] == [place]
    assert totals == {"delivered": reached, "not_reached": households - reached}
    page = client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert 'id="reach"' in page and f"<td>{reached}</td>" in page


def test_the_recipients_are_frozen_when_sent(demo):
    place = building(demo)
    notice = notice_send(actor=demo.taian_staff, notice=notice_create(actor=demo.taian_staff, draft=draft(place)))
    told = set(Recipient.objects.filter(notice=notice).values_list("name", flat=True))
    moved = Person.objects.filter(place_path__startswith=place.path).first()
    elsewhere = Household.objects.filter(place__path__startswith=building(demo, "1栋").path).first()
    Person.objects.filter(pk=moved.pk).update(household=elsewhere, place_path=elsewhere.place.path)
    assert set(Recipient.objects.filter(notice=notice).values_list("name", flat=True)) == told
    assert Recipient.objects.filter(notice=notice, name=moved.name).exists()


def test_songhua_staff_cannot_write_send_or_see_a_taian_notice(demo):
    place = building(demo)
    notice = notice_create(actor=demo.taian_staff, draft=draft(place))
    songhua = client_for(demo, "songhua_staff")
    response = songhua.post(reverse("notices:create"), form_data(place))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    for url in (reverse("notices:detail", args=[notice.pk]), reverse("notices:door_pdf", args=[notice.pk])):
        assert songhua.get(url).status_code == 404
    assert songhua.post(reverse("notices:detail", args=[notice.pk]), {"action": "send"}).status_code == 404
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT and not OutboxMessage.objects.filter(kind="notice").exists()
    assert str(notice.pk) not in re.findall(
        r'data-notice="(\d+)"', songhua.get(reverse("notices:index")).content.decode()
    )
    with pytest.raises(PermissionDenied):
        notice_send(actor=demo.songhua_staff, notice=notice)
    assert client_for(demo, "volunteer").get(reverse("notices:index")).status_code == 404


def test_a_street_wide_notice_waits_for_a_second_person(demo):
    street = demo.places["er_ge"]
    notice = notice_create(actor=demo.street_admin, draft=draft(street, audience="households"))
    notice = notice_send(actor=demo.street_admin, notice=notice)
    assert notice.status == NoticeStatus.AWAITING and not OutboxMessage.objects.filter(kind="notice").exists()
    approval = notice.approvals.get()
    with pytest.raises(PermissionDenied):  # never one's own
        notice_approval_decide(actor=demo.street_admin, approval=approval, approve=True)
    with pytest.raises(PermissionDenied):  # community staff do not approve for the street
        notice_approval_decide(actor=demo.taian_staff, approval=approval, approve=True)
    page = client_for(demo, "health_officer").get(reverse("notices:index")).content.decode()
    assert f'href="{reverse("notices:detail", args=[notice.pk])}"' in page
    response = client_for(demo, "health_officer").post(
        reverse("notices:detail", args=[notice.pk]), {"action": "approve", "note": "同意"}
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    households = Household.objects.filter(place__path__startswith=street.path, members__isnull=False).distinct()
    assert notice.status == NoticeStatus.SENT
    assert OutboxMessage.objects.filter(kind="notice").count() == households.count() == notice.recipient_count


def test_a_rejected_street_notice_goes_back_to_a_draft(demo):
    notice = notice_send(
        actor=demo.street_admin, notice=notice_create(actor=demo.street_admin, draft=draft(demo.places["er_ge"]))
    )
    notice_approval_decide(actor=demo.health_officer, approval=notice.approvals.get(), approve=False, note="再改改")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT and not OutboxMessage.objects.filter(kind="notice").exists()


def test_a_newer_version_supersedes_the_old_and_both_say_so(demo):
    place = building(demo)
    old = notice_send(actor=demo.taian_staff, notice=notice_create(actor=demo.taian_staff, draft=draft(place)))
    client = client_for(demo, "taian_staff")
    response = client.post(reverse("notices:new_version", args=[old.pk]), form_data(place, title="核酸检测改期通知"))
    new = Notice.objects.get(supersedes=old)
    assert response["Location"] == reverse("notices:detail", args=[new.pk])
    client.post(reverse("notices:detail", args=[new.pk]), {"action": "send"})
    assert 'id="superseded"' in client.get(reverse("notices:detail", args=[old.pk])).content.decode()
    assert "This version supersedes" in client.get(reverse("notices:detail", args=[new.pk])).content.decode()
    old_page = Client().get(notice_url(old, "", place.pk)).content.decode()
    assert 'id="superseded"' in old_page and "核酸检测改期通知" in old_page and 'id="acknowledge"' not in old_page
    new_page = Client().get(notice_url(new, "", place.pk)).content.decode()
    assert 'id="superseded"' not in new_page and "supersedes an earlier one" in new_page
    # Only once: a second newer version of the same notice is refused.
    assert client.get(reverse("notices:new_version", args=[old.pk])).status_code == 404


def test_failed_and_unreached_households_make_the_door_list_ticked_by_the_building_lead(demo):
    place = building(demo)
    empty = Household.objects.create(place=Place.objects.get(parent=place), room="9901")
    refused = Person.objects.filter(place_path__startswith=place.path).exclude(phone_index="").order_by("pk").first()
    with (
        gateway_standin() as standin,
        override_settings(
            TONGZHOU_MESSAGE_BACKEND="tongzhou.core.messaging.HttpSmsGateway", TONGZHOU_SMS_GATEWAY_URL=standin.url
        ),
    ):
        standin.script = {refused.phone: [400]}
        notice = notice_send(actor=demo.taian_staff, notice=notice_create(actor=demo.taian_staff, draft=draft(place)))
    households = Household.objects.filter(place__path__startswith=place.path)
    without_phone = [h for h in households if not h.members.exclude(phone_index="").exists()]
    alone = Person.objects.filter(household=refused.household).count() == 1
    _report, totals = reach_report(notice)
    assert empty in without_phone
    assert totals["not_reached"] == len(without_phone) and totals["failed"] == (1 if alone else 0)

    lead = client_for(demo, "building_lead")
    page = lead.get(reverse("notices:doors", args=[notice.pk])).content.decode()
    empty_reach = Reach.objects.get(notice=notice, household=empty)
    assert f'data-reach="{empty_reach.pk}"' in page and "9901" in page
    lead.post(reverse("notices:doors", args=[notice.pk]), {"reach": empty_reach.pk})
    empty_reach.refresh_from_db()
    assert empty_reach.visited_at is not None and empty_reach.visited_by == demo.building_lead
    _report, totals = reach_report(notice)
    assert totals["not_reached"] == len(without_phone) - 1 and totals["acknowledged"] == 1

    assert client_for(demo, "volunteer").get(reverse("notices:doors", args=[notice.pk])).status_code == 404
    songhua = client_for(demo, "songhua_staff")
    assert songhua.post(reverse("notices:doors", args=[notice.pk]), {"reach": empty_reach.pk}).status_code == 404
    # A junk or foreign reach id is a 404 too.
    assert lead.post(reverse("notices:doors", args=[notice.pk]), {"reach": "abc"}).status_code == 404


def test_the_door_notice_opens_the_signed_page_where_a_household_acknowledges(demo):
    place = building(demo)
    notice = notice_send(actor=demo.taian_staff, notice=notice_create(actor=demo.taian_staff, draft=draft(place)))
    pdf = client_for(demo, "taian_staff").get(reverse("notices:door_pdf", args=[notice.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    url = notice_url(notice, "", place.pk)
    page = Client().get(url).content.decode()
    assert "Genuine notice" in page and notice.issuer_name in page and 'id="superseded"' not in page
    reach = Reach.objects.filter(notice=notice).select_related("household").order_by("pk").first()
    response = Client().post(url, {"household": reach.household_id})
    assert 'id="acknowledged"' in response.content.decode()
    reach.refresh_from_db()
    assert reach.acknowledged_at is not None
    # A household of another building is not among the choices.
    other = Household.objects.filter(place__path__startswith=building(demo, "1栋").path).first()
    assert 'id="acknowledged"' not in Client().post(url, {"household": other.pk}).content.decode()
    # Tampered or junk tokens name no notice.
    assert Client().get(url.replace(url.split("/")[-2][-6:], "AAAAAA")).status_code == 404
    assert Client().get(reverse("notices:public", args=["junk"])).status_code == 404


def test_acknowledgements_are_rate_limited_by_address(demo):
    place = building(demo)
    notice = notice_send(actor=demo.taian_staff, notice=notice_create(actor=demo.taian_staff, draft=draft(place)))
    url = notice_url(notice, "", place.pk)
    client = Client()
    codes = [client.post(url, {"household": "abc"}).status_code for _n in range(views.ACKS_PER_HOUR + 1)]
    assert codes[:-1] == [200] * views.ACKS_PER_HOUR and codes[-1] == 429


def test_key_persons_under_isolation_are_an_audience_monitoring_provides(demo):
    from tongzhou.monitoring.models import OrderKind, Reason
    from tongzhou.monitoring.services import key_person_register, order_create

    place = building(demo)
    people = list(Person.objects.filter(place_path__startswith=place.path).exclude(phone_index="").order_by("pk")[:3])
    for person in people[:2]:
        key_person = key_person_register(
            actor=demo.health_officer, person=person, reason=Reason.RISK_AREA, risk_area="武汉市"
        )
        order_create(actor=demo.health_officer, key_person=key_person, kind=OrderKind.HOME_ISOLATION)
    notice = notice_send(
        actor=demo.taian_staff,
        notice=notice_create(actor=demo.taian_staff, draft=draft(demo.places["taian"], audience="key_persons")),
    )
    told = Recipient.objects.filter(notice=notice)
    assert sorted(told.values_list("name", flat=True)) == sorted(p.name for p in people[:2])
    assert OutboxMessage.objects.filter(kind="notice").count() == 2
    assert Reach.objects.filter(notice=notice).count() == len({p.household_id for p in people[:2]})


def test_a_street_wide_notice_is_in_the_approvals_queue_and_decided_there(demo):
    from tongzhou.core.transitions import waiting_count

    street = demo.places["er_ge"]
    notice = notice_send(
        actor=demo.street_admin,
        notice=notice_create(actor=demo.street_admin, draft=draft(street, audience="households")),
    )
    approval = notice.approvals.get()
    assert waiting_count(demo.health_officer) == 1 and waiting_count(demo.street_admin) == 0
    officer = client_for(demo, "health_officer")
    url = reverse("approvals:detail", args=["notice", approval.pk])
    assert url in officer.get(reverse("approvals:list")).content.decode()
    assert officer.post(url, {"decision": "approve", "note": "同意"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and waiting_count(demo.health_officer) == 0


def test_a_notice_to_a_volunteer_team_reaches_its_members_and_counts_them_first(demo):
    from tongzhou.people.idnumbers import check_digit
    from tongzhou.volunteers.models import ApplicationStatus
    from tongzhou.volunteers.services import SignupData, team_create, team_set_members, volunteer_signup, volunteer_vet

    def volunteer(n, approve):
        first17 = f"52010219900101{n:03d}"
        data = SignupData(
            name=f"志愿者{n}",
            phone=f"1390000{n:04d}",
            id_number=first17 + check_digit(first17),
            community_id=demo.places["taian"].pk,
            skills=[],
            slots=[],
            consent=True,
        )
        signed = volunteer_signup(data=data)
        return volunteer_vet(actor=demo.taian_staff, volunteer=signed, approve=True) if approve else signed

    team = team_create(
        actor=demo.taian_staff, place=demo.places["taian"], name="泰安巷志愿服务队", kind="volunteer_team"
    )
    team_set_members(actor=demo.taian_staff, team=team, members=[volunteer(1, True), volunteer(2, True)])
    volunteer(3, False)  # waiting for vetting: not in the team
    members = team.members.filter(status=ApplicationStatus.APPROVED)
    community = demo.places["taian"]
    client = client_for(demo, "taian_staff")
    page = client.get(reverse("notices:create")).content.decode()
    assert f'value="{team.pk}"' in page and "泰安巷志愿服务队" in page
    response = client.post(reverse("notices:create"), form_data(community, audience="volunteers", team=team.pk))
    notice = Notice.objects.get(audience="volunteers")
    assert response["Location"] == reverse("notices:detail", args=[notice.pk]) and notice.audience_ref == str(team.pk)
    detail = client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "泰安巷志愿服务队" in detail and f"It would reach {members.count()} people" in detail
    sent = notice_send(actor=demo.taian_staff, notice=notice)
    assert sent.recipient_count == members.count() > 0
    assert sorted(Recipient.objects.filter(notice=sent).values_list("name", flat=True)) == sorted(
        members.values_list("name", flat=True)
    )
    # 松花巷 staff see no 泰安巷 team among their choices, and one named by id is refused.
    songhua = client_for(demo, "songhua_staff")
    assert "泰安巷志愿服务队" not in songhua.get(reverse("notices:create")).content.decode()
    response = songhua.post(
        reverse("notices:create"), form_data(demo.places["songhua"], audience="volunteers", team=team.pk)
    )
    assert response.status_code == 200 and Notice.objects.count() == 1
    with pytest.raises(ValidationError):
        notice_create(
            actor=demo.taian_staff,
            draft=draft(building(demo), audience="volunteers", audience_ref=str(team.pk)),
        )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_draft_takes_pdfs_and_images_shown_on_the_notice_its_signed_page_and_door_notices(demo, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongzhou.notices.models import NoticeAttachment
    from tongzhou.notices.services import MAX_ATTACHMENT_BYTES

    settings.MEDIA_ROOT = tmp_path
    place = building(demo)
    notice = notice_create(actor=demo.taian_staff, draft=draft(place))
    client = client_for(demo, "taian_staff")
    url = reverse("notices:detail", args=[notice.pk])
    assert 'id="attach"' in client.get(url).content.decode()
    client.post(url, {"action": "attach", "file": SimpleUploadedFile("采样点地图.pdf", PDF)})
    client.post(url, {"action": "attach", "file": SimpleUploadedFile("map.png", PNG)})
    # Not a PDF or an image whatever its name says, too big, or from another community: refused, nothing stored.
    page = client.post(
        url, {"action": "attach", "file": SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf")}, follow=True
    )
    assert "Attach a PDF or an image" in page.content.decode()
    with pytest.raises(ValidationError) as error:
        notice_attach(actor=demo.taian_staff, notice=notice, name="big.pdf", data=PDF + b"0" * MAX_ATTACHMENT_BYTES)
    assert "file" in error.value.message_dict
    songhua = client_for(demo, "songhua_staff")
    assert songhua.post(url, {"action": "attach", "file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 404
    files = list(NoticeAttachment.objects.filter(notice=notice).order_by("pk"))
    assert [(f.name, f.content_type) for f in files] == [
        ("采样点地图.pdf", "application/pdf"),
        ("map.png", "image/png"),
    ]

    staff_file = client.get(reverse("notices:attachment", args=[notice.pk, files[0].pk]))
    assert staff_file.status_code == 200 and b"".join(staff_file.streaming_content) == PDF
    assert staff_file["Content-Type"] == "application/pdf"
    assert songhua.get(reverse("notices:attachment", args=[notice.pk, files[0].pk])).status_code == 404
    assert (
        client_for(demo, "volunteer").get(reverse("notices:attachment", args=[notice.pk, files[0].pk])).status_code
        == 404
    )

    notice = notice_send(actor=demo.taian_staff, notice=notice)
    with pytest.raises(ValidationError):
        notice_attach(actor=demo.taian_staff, notice=notice, name="late.pdf", data=PDF)
    public = notice_url(notice, "", place.pk)
    html = Client().get(public).content.decode()
    assert "采样点地图.pdf" in html and 'id="attachments"' in html
    token = public.rstrip("/").split("/")[-1]
    shown = Client().get(reverse("notices:public_attachment", args=[token, files[1].pk]))
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == PNG
    # A file of another notice is not reached through this notice's link.
    other = notice_create(actor=demo.taian_staff, draft=draft(place, title="另一个"))
    other_file = notice_attach(actor=demo.taian_staff, notice=other, name="x.pdf", data=PDF)
    assert Client().get(reverse("notices:public_attachment", args=[token, other_file.pk])).status_code == 404
    pdf = client.get(reverse("notices:door_pdf", args=[notice.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_reach_report_heads_its_columns_short_enough_for_a_phone(demo):
    """The last column was "Acknowledged", cut off at 390 px in English: it says "Read" (已确认)."""
    from tongzhou.demo import load_demo

    load_demo(log=lambda message: None)
    notice = Notice.objects.get()
    for language, head in (("en", "<th>Read</th>"), ("zh-hans", "<th>已确认</th>")):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        # Fetched again: loading the demo set the password, so the fixture's copy is stale.
        client.force_login(type(demo.users["taian_staff"]).objects.get(username="taian_staff"))
        response = client.get(reverse("notices:detail", args=[notice.pk]))
        assert response.status_code == 200, response
        page = response.content.decode()
        assert head in page and "Acknowledged" not in page
