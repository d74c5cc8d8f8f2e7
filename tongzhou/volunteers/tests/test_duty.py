"""Posts, shifts, generated rosters (checked by the independent checker), publishing, open-slot
sign-up with the last place taken once, QR check-in and out, hours, certificates, and who may
see what."""

import threading
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzhou.core.messaging import ConsoleBackend
from tongzhou.volunteers.models import Assignment, HoursEntry, RosterStatus, Shift
from tongzhou.volunteers.services import (
    ConfirmCheckOut,
    assignment_add,
    change_request_create,
    change_request_decide,
    check_in,
    check_out,
    post_create,
    roster_problem,
    roster_publish,
    roster_start,
    slot_signup,
    template_create,
)
from tongzhou.volunteers.tests.checker import check, shortfall

SH = ZoneInfo("Asia/Shanghai")


def gate(demo, **kwargs):
    post = post_create(
        actor=demo.taian_staff, place=demo.places["taian_compound"], name="3号院东门", duty="gate", **kwargs
    )
    return post


def open_shift(post, start, hours=12, max_people=1, published=True):
    return Shift.objects.create(
        post=post,
        place_path=post.place_path,
        start=start,
        end=start + timedelta(hours=hours),
        min_people=1,
        max_people=max_people,
        published=published,
    )


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_generated_roster_keeps_every_rule(demo, make_volunteer, django_capture_on_commit_callbacks):
    volunteers = [make_volunteer() for _ in range(4)]
    volunteers.append(make_volunteer(slots=[(0, "day")]))  # only Monday days
    make_volunteer(community=demo.places["songhua"])  # another community: never on this roster
    post = gate(demo)
    template_create(
        actor=demo.taian_staff, post=post, starts=time(7), ends=time(19), min_people=1, max_people=2, weekdays=range(7)
    )
    template_create(
        actor=demo.taian_staff, post=post, starts=time(19), ends=time(7), min_people=1, max_people=1, weekdays=range(7)
    )
    with django_capture_on_commit_callbacks(execute=True):
        roster = roster_start(
            actor=demo.taian_staff,
            place=demo.places["taian"],
            starts_on=datetime(2026, 12, 28).date(),
            ends_on=datetime(2027, 1, 3).date(),
        )
    roster.refresh_from_db()
    assert roster.status == RosterStatus.DONE and roster.progress == 100
    assert Shift.objects.filter(post=post).count() == 14
    problem = roster_problem(roster)
    roster_json = {
        "assignments": [
            {"shift": str(a.shift_id), "volunteer": str(a.volunteer_id)}
            for a in Assignment.objects.filter(shift__post=post)
        ]
    }
    assert check(problem, roster_json) == []  # rest after nights across the year end included
    assert shortfall(problem, roster_json) == 0 == len(roster.result["uncovered"])
    assert {a["volunteer"] for a in roster_json["assignments"]} <= {str(v.pk) for v in volunteers}

    ConsoleBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        told = roster_publish(actor=demo.taian_staff, roster=roster)
    assert told == len({a["volunteer"] for a in roster_json["assignments"]})
    assert len(ConsoleBackend.outbox) == told
    assert not Shift.objects.filter(post=post, published=False).exists()


def test_uncovered_slots_say_why(demo, make_volunteer, django_capture_on_commit_callbacks):
    make_volunteer(slots=[(0, "day")])
    post = gate(demo, skills=["medical"])
    template_create(
        actor=demo.taian_staff, post=post, starts=time(8), ends=time(12), min_people=1, max_people=1, weekdays=[0]
    )
    with django_capture_on_commit_callbacks(execute=True):
        roster = roster_start(
            actor=demo.taian_staff,
            place=demo.places["taian"],
            starts_on=datetime(2026, 12, 7).date(),
            ends_on=datetime(2026, 12, 7).date(),
        )
    roster.refresh_from_db()
    assert [u["reason"] for u in roster.result["uncovered"]] == ["nobody_with_skill"]


def test_the_last_place_is_taken_once_even_at_the_same_moment(transactional_db, demo, make_volunteer):
    post = gate(demo)
    shift = open_shift(post, timezone.now() + timedelta(days=2), max_people=2)
    assignment_add(actor=demo.taian_staff, shift=shift, volunteer=make_volunteer())
    people = [make_volunteer(), make_volunteer()]
    barrier = threading.Barrier(2)
    results = {}

    def take(volunteer):
        try:
            barrier.wait(timeout=10)
            slot_signup(user=volunteer.user, shift=shift)
            results[volunteer.pk] = "won"
        except ValidationError:
            results[volunteer.pk] = "lost"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(v,)) for v in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == ["lost", "won"]
    assert Assignment.objects.filter(shift=shift).count() == 2


def test_open_slots_respect_skills_overlaps_and_area(demo, make_volunteer):
    driver = make_volunteer(skills=["driving"])
    walker = make_volunteer()
    post = gate(demo, skills=["driving"])
    plain = gate(demo)
    start = timezone.now() + timedelta(days=1)
    needs_driver = open_shift(post, start)
    with pytest.raises(ValidationError, match="skill"):
        slot_signup(user=walker.user, shift=needs_driver)
    slot_signup(user=driver.user, shift=needs_driver)
    overlapping = open_shift(plain, start + timedelta(hours=2))
    with pytest.raises(ValidationError, match="overlaps"):
        slot_signup(user=driver.user, shift=overlapping)
    unpublished = open_shift(plain, start + timedelta(days=3), published=False)
    with pytest.raises(ValidationError, match="not open"):
        slot_signup(user=walker.user, shift=unpublished)
    songhua_volunteer = make_volunteer(community=demo.places["songhua"])
    with pytest.raises(PermissionDenied):
        slot_signup(user=songhua_volunteer.user, shift=overlapping)


def test_check_in_and_out_by_the_posts_qr_code_logs_hours(demo, make_volunteer):
    volunteer = make_volunteer()
    post = gate(demo)
    start = datetime(2026, 12, 31, 19, 0, tzinfo=SH)
    shift = open_shift(post, start)  # 19:00–07:00 across the year end
    with time_machine.travel(start - timedelta(days=1), tick=False):
        assignment_add(actor=demo.taian_staff, shift=shift, volunteer=volunteer)
    with time_machine.travel(start - timedelta(hours=1), tick=False), pytest.raises(ValidationError, match="no shift"):
        check_in(user=volunteer.user, token=post.check_token)
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert check_in(user=volunteer.user, token=post.check_token).checked_in_at is not None
    with time_machine.travel(start + timedelta(minutes=26), tick=False):
        check_in(user=volunteer.user, token=post.check_token)  # a second scan to check in: still on duty
    assert Assignment.objects.get(shift=shift).checked_out_at is None
    with time_machine.travel(start + timedelta(hours=12, minutes=5), tick=False):
        assert check_out(user=volunteer.user, token=post.check_token).checked_out_at is not None
    entry = HoursEntry.objects.get(volunteer=volunteer)
    assert entry.hours == Decimal("11.7")
    assert (entry.post, entry.shift_start) == (post, shift.start)  # copied for the ledger's index
    other = make_volunteer()
    with time_machine.travel(start + timedelta(hours=1), tick=False), pytest.raises(ValidationError):
        check_in(user=other.user, token=post.check_token)

    html = client_of(demo.taian_staff).get(reverse("volunteers:attendance")).content.decode()
    assert volunteer.name in html  # late by 25 minutes


def test_checking_out_early_or_right_after_checking_in_asks_to_confirm(demo, make_volunteer, settings):
    settings.TONGZHOU_CHECKOUT_CONFIRM_MINUTES = 30
    volunteer = make_volunteer()
    post = gate(demo)
    start = datetime(2026, 12, 1, 7, 0, tzinfo=SH)
    shift = open_shift(post, start)  # 07:00–19:00
    assignment_add(actor=demo.taian_staff, shift=shift, volunteer=volunteer)
    url = reverse("volunteers:check", args=[post.check_token])
    with time_machine.travel(start - timedelta(minutes=30), tick=False):  # 06:30
        client = client_of(volunteer.user)
        client.post(url, {"action": "in"})
    with time_machine.travel(start - timedelta(minutes=29), tick=False):  # 06:31: before the shift
        with pytest.raises(ConfirmCheckOut, match="not started"):
            check_out(user=volunteer.user, token=post.check_token)
        html = client.post(url, {"action": "out"}).content.decode()
        assert 'id="confirm-check-out"' in html
    with time_machine.travel(start + timedelta(minutes=10), tick=False):  # 07:10: 40 minutes in, shift on
        assert 'id="confirm-check-out"' not in client.get(url).content.decode()
    assignment = Assignment.objects.get(shift=shift)
    assert (assignment.checked_out_at, HoursEntry.objects.filter(volunteer=volunteer).count()) == (None, 0)
    with time_machine.travel(start - timedelta(minutes=28), tick=False):
        client.post(url, {"action": "out", "confirm": "1"})  # they meant it
        assignment.refresh_from_db()
        assert assignment.checked_out_at is not None
        assert HoursEntry.objects.get(volunteer=volunteer).hours == 0
        assert 'id="certificate"' not in client.get(reverse("volunteers:me")).content.decode()
        assert client.get(reverse("volunteers:certificate")).status_code == 302  # no PDF for 0 hours


def test_checking_out_soon_after_a_late_check_in_asks_to_confirm(demo, make_volunteer, settings):
    settings.TONGZHOU_CHECKOUT_CONFIRM_MINUTES = 30
    volunteer = make_volunteer()
    post = gate(demo)
    start = datetime(2026, 12, 1, 7, 0, tzinfo=SH)
    assignment_add(actor=demo.taian_staff, shift=open_shift(post, start), volunteer=volunteer)
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        check_in(user=volunteer.user, token=post.check_token)
    with (
        time_machine.travel(start + timedelta(hours=1, minutes=29), tick=False),
        pytest.raises(ConfirmCheckOut, match="29 minutes ago"),
    ):
        check_out(user=volunteer.user, token=post.check_token)
    with time_machine.travel(start + timedelta(hours=1, minutes=31), tick=False):
        check_out(user=volunteer.user, token=post.check_token)
    assert HoursEntry.objects.get(volunteer=volunteer).hours == Decimal("0.5")


def test_the_check_page_by_qr(demo, make_volunteer):
    volunteer = make_volunteer()
    post = gate(demo)
    shift = open_shift(post, timezone.now() - timedelta(minutes=5))
    assignment_add(actor=demo.taian_staff, shift=shift, volunteer=volunteer)
    client = client_of(volunteer.user)
    url = reverse("volunteers:check", args=[post.check_token])
    html = client.get(url).content.decode()
    assert 'id="check-in-button"' in html and 'id="check-out-button"' not in html
    client.post(url, {"action": "in"})
    assert Assignment.objects.get(shift=shift).checked_in_at is not None
    client.post(url, {"action": "in"})  # the second scan does not end the shift
    assert Assignment.objects.get(shift=shift).checked_out_at is None
    html = client.get(url).content.decode()
    assert 'id="check-out-button"' in html and 'id="check-in-button"' not in html
    assert client.get(reverse("volunteers:check", args=["forged-token"])).status_code == 404


def test_a_post_of_another_community_is_unknown_to_a_volunteer(demo, make_volunteer):
    songhua_post = post_create(
        actor=demo.songhua_staff, place=demo.places["songhua_compound"], name="松花巷8号院北门", duty="gate"
    )
    taian_volunteer = make_volunteer()
    client = client_of(taian_volunteer.user)
    url = reverse("volunteers:check", args=[songhua_post.check_token])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404 and "松花巷8号院北门" not in response.content.decode()
    assert client.get(reverse("volunteers:check", args=["forged-token"])).status_code == 404
    # Their own community's posts, and a post where they have a shift, stay open.
    assert client.get(reverse("volunteers:check", args=[gate(demo).check_token])).status_code == 200
    shift = open_shift(songhua_post, timezone.now() + timedelta(days=1))
    assignment_add(actor=demo.street_admin, shift=shift, volunteer=taian_volunteer)
    assert client.get(url).status_code == 200
    songhua_volunteer = make_volunteer(community=demo.places["songhua"])
    assert client_of(songhua_volunteer.user).get(url).status_code == 200


def test_dropping_needs_the_coordinator(demo, make_volunteer):
    volunteer = make_volunteer()
    shift = open_shift(gate(demo), timezone.now() + timedelta(days=2))
    assignment = assignment_add(actor=demo.taian_staff, shift=shift, volunteer=volunteer)
    request = change_request_create(user=volunteer.user, assignment=assignment, kind="drop", reason="家里有事")
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    with pytest.raises(PermissionDenied):
        change_request_decide(actor=demo.songhua_staff, request_obj=request, approve=True)
    change_request_decide(actor=demo.taian_staff, request_obj=request, approve=True)
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_a_certificate_verifies_online(demo, make_volunteer):
    volunteer = make_volunteer("陈志愿")
    HoursEntry.objects.create(volunteer=volunteer, hours=Decimal("36.0"), reason="test")
    client = client_of(volunteer.user)
    response = client.get(reverse("volunteers:certificate"))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    from django.core import signing

    from tongzhou.volunteers.views import CERTIFICATE_SALT

    token = signing.dumps({"v": volunteer.pk, "h": "36.0", "d": "2026-11-23"}, salt=CERTIFICATE_SALT)
    html = Client().get(reverse("volunteers:verify", args=[token])).content.decode()
    assert 'id="certificate-valid"' in html and "陈*" in html and "36.0" in html and "陈志愿" not in html
    assert Client().get(reverse("volunteers:verify", args=[token[:-2] + "xx"])).status_code == 404


def test_a_volunteer_sees_only_their_own_shifts(demo, make_volunteer):
    mine, theirs = make_volunteer("甲"), make_volunteer("乙")
    post = gate(demo)
    a = open_shift(post, timezone.now() + timedelta(days=1))
    b = open_shift(post, timezone.now() + timedelta(days=2))
    assignment_add(actor=demo.taian_staff, shift=a, volunteer=mine)
    assignment_add(actor=demo.taian_staff, shift=b, volunteer=theirs)
    html = client_of(mine.user).get(reverse("volunteers:me")).content.decode()
    assert f'data-assignment="{Assignment.objects.get(volunteer=mine).pk}"' in html
    assert f'data-assignment="{Assignment.objects.get(volunteer=theirs).pk}"' not in html


@pytest.mark.parametrize("username", ["volunteer", "songhua_staff", "guard", "health_officer"])
def test_coordinator_pages_are_404_for_others(demo, username):
    post = gate(demo)
    client = client_of(demo.users[username])
    assert client.get(reverse("volunteers:post", args=[post.pk])).status_code == 404
    assert client.get(reverse("volunteers:post_sign", args=[post.pk])).status_code == 404
    if username == "songhua_staff":
        assert client.get(reverse("volunteers:rosters")).status_code == 200  # their own, empty
    else:
        assert client.get(reverse("volunteers:rosters")).status_code == 404


def test_bad_template_and_roster_input_is_named(demo):
    post = gate(demo)
    with pytest.raises(ValidationError) as error:
        template_create(
            actor=demo.taian_staff, post=post, starts=time(8), ends=time(8), min_people=3, max_people=2, weekdays=[]
        )
    assert {"ends", "max_people", "weekdays"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        roster_start(
            actor=demo.taian_staff,
            place=demo.places["taian"],
            starts_on=datetime(2026, 12, 7).date(),
            ends_on=datetime(2026, 12, 1).date(),
        )
    assert "ends_on" in error.value.message_dict


def test_a_team_leader_marks_a_member_present(demo, make_volunteer):
    from tongzhou.volunteers.services import team_create, team_set_members

    leader, member, stranger = make_volunteer("队长"), make_volunteer("队员"), make_volunteer("路人")
    team = team_create(actor=demo.taian_staff, place=demo.places["taian"], name="东门队", kind="volunteer_team")
    team_set_members(actor=demo.taian_staff, team=team, members=[leader, member], leader=leader)
    shift = open_shift(gate(demo), timezone.now() - timedelta(hours=3))
    assignment = assignment_add(actor=demo.taian_staff, shift=shift, volunteer=member)
    url = reverse("volunteers:leader_mark", args=[assignment.pk])
    assert client_of(stranger.user).post(url).status_code == 404  # not their team
    assert Assignment.objects.get(pk=assignment.pk).checked_in_at is None
    html = client_of(leader.user).get(reverse("volunteers:me")).content.decode()
    assert 'id="to-mark"' in html and "队员" in html
    client_of(leader.user).post(url)
    marked = Assignment.objects.get(pk=assignment.pk)
    assert (marked.checked_in_at, marked.marked_by) == (shift.start, leader.user)
    assert HoursEntry.objects.get(assignment=assignment).hours == Decimal("3.0")


def test_staff_correct_hours_with_a_reason(demo, make_volunteer):
    volunteer = make_volunteer()
    client = client_of(demo.taian_staff)
    url = reverse("volunteers:attendance")
    client.post(url, {"action": "correct", "volunteer": volunteer.pk, "hours": "2.5", "reason": ""})
    client.post(url, {"action": "correct", "volunteer": volunteer.pk, "hours": "lots", "reason": "x"})
    assert not HoursEntry.objects.filter(volunteer=volunteer).exists()
    client.post(url, {"action": "correct", "volunteer": volunteer.pk, "hours": "2.5", "reason": "补登记 12-01 夜班"})
    entry = HoursEntry.objects.get(volunteer=volunteer)
    assert (entry.hours, entry.reason, entry.created_by) == (Decimal("2.5"), "补登记 12-01 夜班", demo.taian_staff)
    response = client_of(demo.songhua_staff).post(
        url, {"action": "correct", "volunteer": volunteer.pk, "hours": "9", "reason": "越界"}
    )
    assert response.status_code == 404
    assert HoursEntry.objects.filter(volunteer=volunteer).count() == 1


def test_the_roster_page_edits_and_publishes(demo, make_volunteer, django_capture_on_commit_callbacks):
    volunteer = make_volunteer()
    post = gate(demo)
    template_create(
        actor=demo.taian_staff, post=post, starts=time(8), ends=time(12), min_people=1, max_people=2, weekdays=[0]
    )
    client = client_of(demo.taian_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("volunteers:rosters"),
            {"place": demo.places["taian"].pk, "starts_on": "2026-12-07", "ends_on": "2026-12-07"},
        )
    roster_url = response["Location"]
    html = client.get(roster_url).content.decode()
    assert 'data-status="done"' in html and 'id="add-to-shift"' in html
    shift = Shift.objects.get(post=post)
    edit = roster_url + "edit/"
    assert client.post(edit, {"action": "add", "shift": shift.pk, "volunteer": volunteer.pk}).status_code == 302
    assert Assignment.objects.filter(shift=shift, volunteer=volunteer).exists()
    assignment = Assignment.objects.get(shift=shift, volunteer=volunteer)
    client.post(edit, {"action": "remove", "assignment": assignment.pk})
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert client_of(demo.songhua_staff).post(edit, {"action": "publish"}).status_code == 404
    client.post(edit, {"action": "publish"})
    assert Shift.objects.get(pk=shift.pk).published


def test_the_vetting_list_does_not_query_per_row(demo, make_volunteer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of(demo.taian_staff)
    url = reverse("volunteers:applications") + "?status=approved"
    make_volunteer()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        make_volunteer()
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_after_the_day_shift_the_same_qr_checks_in_to_the_night(demo, make_volunteer):
    volunteer = make_volunteer()
    post = gate(demo)
    day_start = datetime(2026, 12, 1, 7, 0, tzinfo=SH)
    day, night = open_shift(post, day_start), open_shift(post, day_start + timedelta(hours=12))
    for shift in (day, night):
        assignment_add(actor=demo.taian_staff, shift=shift, volunteer=volunteer)
    with time_machine.travel(day_start - timedelta(minutes=5), tick=False):
        check_in(user=volunteer.user, token=post.check_token)
    with time_machine.travel(day_start + timedelta(hours=12, minutes=1), tick=False):
        check_out(user=volunteer.user, token=post.check_token)
    with time_machine.travel(day_start + timedelta(hours=12, minutes=2), tick=False):
        assert check_in(user=volunteer.user, token=post.check_token).shift == night
    assert Assignment.objects.get(shift=night).checked_in_at is not None
