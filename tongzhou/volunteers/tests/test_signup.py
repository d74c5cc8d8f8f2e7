"""The public volunteer sign-up, vetting by community staff, teams, and who may see what."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tongzhou.accounts.models import RoleAssignment
from tongzhou.core.messaging import ConsoleBackend
from tongzhou.core.models import AuditEvent
from tongzhou.core.permissions import Role
from tongzhou.people.idnumbers import check_digit
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.audit import VolunteersAudit
from tongzhou.volunteers.models import ApplicationStatus, Team, Volunteer
from tongzhou.volunteers.services import team_create, team_set_members, volunteer_vet

FIRST17 = "52010219900307123"
ID_NUMBER = FIRST17 + check_digit(FIRST17)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def form(home, **changes):
    data = {
        "name": "王志愿",
        "phone": "13912345678",
        "id_number": ID_NUMBER,
        "community": home.pk,
        "organisation": "",
        "party_member": "on",
        "skills": ["driving", "lifting"],
        "slots": ["0-night", "5-day"],
        "blackout_dates": "2026-12-24, 2026-12-31",
        "consent": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def sign_up(demo, **changes):
    return Client().post(reverse("volunteers:join"), form(demo.places["taian"], **changes))


def test_a_sign_up_is_stored_encrypted_and_waits_for_vetting(demo):
    response = sign_up(demo)
    assert response.status_code == 200 and b'id="joined"' in response.content
    volunteer = Volunteer.objects.get()
    assert (volunteer.status, volunteer.community, volunteer.phone, volunteer.id_number) == (
        ApplicationStatus.PENDING,
        demo.places["taian"],
        "13912345678",
        ID_NUMBER,
    )
    assert volunteer.availability == [
        {"weekday": 0, "start": "19:00", "end": "07:00"},
        {"weekday": 5, "start": "07:00", "end": "19:00"},
    ]
    assert volunteer.blackout_dates == ["2026-12-24", "2026-12-31"]
    assert volunteer.skills == ["driving", "lifting"] and volunteer.party_member
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM volunteers_volunteer")
        raw = cursor.fetchone()
    assert "13912345678" not in raw[0] and ID_NUMBER not in raw[1]
    assert AuditEvent.objects.filter(action=VolunteersAudit.VOLUNTEER_SIGNED_UP).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": FIRST17 + ("0" if check_digit(FIRST17) != "0" else "1")}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"name": "名" * 10_000}, "name"),
        ({"name": "  "}, "name"),
        ({"community": 999_999_999}, "community"),
        ({"community": None}, "community"),
        ({"consent": None}, "consent"),
        ({"blackout_dates": "next tuesday"}, "blackout_dates"),
        ({"skills": ["flying"]}, "skills"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(demo, changes, field):
    response = sign_up(demo, **changes)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Volunteer.objects.exists()


def test_a_place_that_is_not_a_community_is_refused(demo):
    grid = Place.objects.filter(kind=PlaceKind.GRID).first()
    response = sign_up(demo, community=grid.pk)
    assert "community" in response.context["form"].errors
    assert not Volunteer.objects.exists()


def test_the_community_search_lists_communities_only(demo):
    html = Client().get(reverse("volunteers:communities"), {"q": "泰安巷"}).content.decode()
    assert f'data-community="{demo.places["taian"].code}"' in html
    assert "泰安巷3号院" not in html  # a compound, not a community
    html = Client().get(reverse("volunteers:communities"), {"q": demo.places["songhua"].code}).content.decode()
    assert "松花巷" in html


def test_the_public_form_never_says_someone_signed_up_before(demo):
    first = sign_up(demo)
    second = sign_up(demo, name="另一个名字")
    assert first.content.count(b'id="joined"') == second.content.count(b'id="joined"') == 1
    html = client_for(demo, "taian_staff").get(reverse("volunteers:applications")).content.decode()
    assert html.count("The same ID number signed up before.") == 1


def test_sign_ups_from_one_address_are_limited(demo):
    for n in range(20):
        assert b'id="joined"' in sign_up(demo, phone=f"139{n:08d}").content
    response = sign_up(demo, phone="13900009999")
    assert "Too many sign-ups" in response.content.decode()
    assert Volunteer.objects.count() == 20


def test_refused_attempts_do_not_count_towards_the_address_limit(demo, settings):
    settings.TONGZHOU_SIGNUPS_PER_ADDRESS = 3
    for n in range(5):
        response = sign_up(demo, phone=f"138{n:08d}", id_number="123")  # refused: a bad ID number
        assert "id_number" in response.context["form"].errors
    for n in range(3):
        assert b'id="joined"' in sign_up(demo, phone=f"139{n:08d}").content
    assert "Too many sign-ups" in sign_up(demo, phone="13900009999").content.decode()
    assert Volunteer.objects.count() == 3
    other = Client(REMOTE_ADDR="10.9.8.7").post(reverse("volunteers:join"), form(demo.places["taian"]))
    assert b'id="joined"' in other.content


def test_sign_ups_with_one_phone_number_are_limited_across_addresses(demo, settings):
    settings.TONGZHOU_SIGNUPS_PER_PHONE = 2
    home = demo.places["taian"]
    for n, phone in enumerate(["13912345678", "139 1234 5678"]):
        client = Client(REMOTE_ADDR=f"10.0.0.{n + 1}")
        assert b'id="joined"' in client.post(reverse("volunteers:join"), form(home, phone=phone)).content
    again = Client(REMOTE_ADDR="10.0.0.9").post(reverse("volunteers:join"), form(home, phone="+8613912345678"))
    assert "Too many sign-ups" in again.content.decode()
    assert Volunteer.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9").post(reverse("volunteers:join"), form(home, phone="13912340000"))
    assert b'id="joined"' in other.content


def client_for(demo, username):
    client = Client()
    client.force_login(demo.users[username])
    return client


def test_staff_approve_a_login_with_the_volunteer_role_arrives_by_message(demo, django_capture_on_commit_callbacks):
    sign_up(demo)
    volunteer = Volunteer.objects.get()
    ConsoleBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(demo, "taian_staff").post(
            reverse("volunteers:vet", args=[volunteer.pk]), {"decision": "approve"}
        )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == ApplicationStatus.APPROVED and volunteer.vetted_by == demo.taian_staff
    user = volunteer.user
    assert RoleAssignment.objects.filter(user=user, role=Role.VOLUNTEER, place=demo.places["taian"]).exists()
    message = ConsoleBackend.outbox[-1]
    assert message.to == "13912345678" and user.username in message.text
    password = message.text.split("password ")[1].split(",")[0]
    response = Client().post(reverse("accounts:login"), {"username": user.username, "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("root")  # then where its work is


def test_rejection_needs_a_reason_and_tells_the_applicant(demo, django_capture_on_commit_callbacks):
    sign_up(demo)
    volunteer = Volunteer.objects.get()
    client = client_for(demo, "taian_staff")
    client.post(reverse("volunteers:vet", args=[volunteer.pk]), {"decision": "reject", "reason": ""})
    volunteer.refresh_from_db()
    assert volunteer.status == ApplicationStatus.PENDING
    ConsoleBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteers:vet", args=[volunteer.pk]), {"decision": "reject", "reason": "年龄不符合要求"})
    volunteer.refresh_from_db()
    assert (volunteer.status, volunteer.user) == (ApplicationStatus.REJECTED, None)
    assert "年龄不符合要求" in ConsoleBackend.outbox[-1].text


def test_songhua_staff_cannot_vet_taian_applicants(demo):
    sign_up(demo)
    volunteer = Volunteer.objects.get()
    client = client_for(demo, "songhua_staff")
    assert f'data-volunteer="{volunteer.pk}"' not in client.get(reverse("volunteers:applications")).content.decode()
    response = client.post(reverse("volunteers:vet", args=[volunteer.pk]), {"decision": "approve"})
    assert response.status_code == 404
    volunteer.refresh_from_db()
    assert volunteer.status == ApplicationStatus.PENDING and volunteer.user is None
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        volunteer_vet(actor=demo.songhua_staff, volunteer=volunteer, approve=True)


@pytest.mark.parametrize("username", ["volunteer", "guard", "health_officer", "auditor", "outsider", "building_lead"])
def test_others_do_not_reach_the_vetting_pages(demo, username):
    client = client_for(demo, username)
    for name in ("applications", "teams"):
        assert client.get(reverse(f"volunteers:{name}")).status_code == 404


def test_anonymous_is_sent_to_log_in_but_the_sign_up_is_public(db):
    assert Client().get(reverse("volunteers:join")).status_code == 200
    response = Client().get(reverse("volunteers:applications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def approved(demo, name, phone):
    from tongzhou.volunteers.services import SignupData, volunteer_signup

    volunteer = volunteer_signup(
        data=SignupData(name=name, phone=phone, id_number=ID_NUMBER, community_id=demo.places["taian"].pk, consent=True)
    )
    return volunteer_vet(actor=demo.taian_staff, volunteer=volunteer, approve=True)


def test_teams_and_a_volunteer_sees_only_their_own(demo):
    alice, bob = approved(demo, "甲", "13900000001"), approved(demo, "乙", "13900000002")
    team = team_create(
        actor=demo.taian_staff, place=demo.places["taian"], name="泰安巷志愿服务队", kind="volunteer_team"
    )
    branch = team_create(actor=demo.taian_staff, place=demo.places["taian"], name="临时党支部", kind="party_branch")
    team_set_members(actor=demo.taian_staff, team=team, members=[alice, bob], leader=alice)
    team_set_members(actor=demo.taian_staff, team=branch, members=[bob])
    client = Client()
    client.force_login(alice.user)
    html = client.get(reverse("volunteers:me")).content.decode()
    assert "泰安巷志愿服务队" in html and "临时党支部" not in html
    client.force_login(bob.user)
    html = client.get(reverse("volunteers:me")).content.decode()
    assert "泰安巷志愿服务队" in html and "临时党支部" in html
    # A volunteer account without a sign-up is told what to do (test_demo_volunteer), in no team.
    html = client_for(demo, "volunteer").get(reverse("volunteers:me")).content.decode()
    assert 'id="no-profile"' in html and "泰安巷志愿服务队" not in html


def test_team_rules(demo):
    from django.core.exceptions import PermissionDenied, ValidationError

    alice = approved(demo, "甲", "13900000001")
    team = team_create(actor=demo.taian_staff, place=demo.places["taian"], name="队", kind="volunteer_team")
    with pytest.raises(ValidationError):
        team_set_members(actor=demo.taian_staff, team=team, members=[], leader=alice)
    with pytest.raises(PermissionDenied):
        team_set_members(actor=demo.songhua_staff, team=team, members=[alice])
    with pytest.raises(PermissionDenied):
        team_create(actor=demo.songhua_staff, place=demo.places["taian"], name="越界", kind="volunteer_team")
    with pytest.raises(ValidationError) as error:
        team_create(actor=demo.taian_staff, place=demo.places["taian"], name="", kind="club")
    assert {"name", "kind"} <= set(error.value.message_dict)
    assert Team.objects.count() == 1
    response = client_for(demo, "songhua_staff").get(reverse("volunteers:team", args=[team.pk]))
    assert response.status_code == 404


def test_anyone_logged_in_changes_their_own_password(demo):
    client = client_for(demo, "volunteer")
    url = reverse("accounts:password")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"old_password": "tongzhou-demo", "new_password1": "a-new-pass-2026", "new_password2": "a-new-pass-2026"},
    )
    assert response.status_code == 302
    demo.volunteer.refresh_from_db()
    assert demo.volunteer.check_password("a-new-pass-2026")
    assert Client().get(url).status_code == 302  # anonymous: to the log-in


def test_the_sign_up_page_has_each_field_once(db):
    html = Client().get(reverse("volunteers:join")).content.decode()
    for name in (
        "name",
        "phone",
        "id_number",
        "organisation",
        "party_member",
        "veteran",
        "consent",
    ):
        assert html.count(f'name="{name}"') == 1, name


def test_the_sign_up_picks_an_organisation_and_its_hours_are_one_query(demo, django_assert_num_queries):
    from decimal import Decimal

    from tongzhou.people.services import organisation_get_or_create
    from tongzhou.volunteers.models import HoursEntry
    from tongzhou.volunteers.selectors import organisation_hours

    street = demo.places["taian"].parent
    union = organisation_get_or_create(actor=None, name="南明区总工会", kind="trade_union", place=street)
    assert organisation_get_or_create(actor=None, name=" 南明区 总工会", kind="trade_union", place=street) == union
    html = Client().get(reverse("volunteers:join")).content.decode()
    assert f'value="{union.pk}"' in html and "南明区总工会" in html
    sign_up(demo, organisation=str(union.pk))
    volunteer = Volunteer.objects.get()
    assert volunteer.organisation == union
    HoursEntry.objects.create(volunteer=volunteer, hours=Decimal("12.0"))
    HoursEntry.objects.create(volunteer=volunteer, hours=Decimal("7.5"))
    with django_assert_num_queries(1):
        assert organisation_hours(union) == (1, Decimal("19.5"))


def test_an_unknown_organisation_is_named_in_the_form(demo):
    response = sign_up(demo, organisation="999999")
    assert response.status_code == 200 and not Volunteer.objects.exists()
