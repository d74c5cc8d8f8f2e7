"""The demo `volunteer` log-in is a volunteer with a record, a team, hours and this week's shifts;
a volunteer role without a record gets a page that says what to do; `/volunteers/` lands where
the user's volunteer work is."""

from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzhou.volunteers.models import ApplicationStatus, Volunteer
from tongzhou.volunteers.selectors import hours_of


def test_the_demo_volunteer_has_a_record_a_team_and_hours(demo, client_as):
    from tongzhou.demo import load_demo

    load_demo(log=lambda message: None)
    demo.volunteer.refresh_from_db()  # the load reset the demo password
    profile = Volunteer.objects.get(user=demo.volunteer)
    assert profile.status == ApplicationStatus.APPROVED
    assert profile.place_path == demo.places["taian"].path
    assert profile.teams.filter(name="泰安巷志愿服务队").exists()
    assert hours_of(profile) == Decimal("16")
    response = client_as("volunteer").get(reverse("volunteers:me"))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="my-hours">16' in html and "泰安巷志愿服务队" in html
    assert 'id="certificate"' in html
    # On a shift of this week (the roster is solved and published once the load commits).
    assert profile.assignments.filter(shift__start__gt=timezone.now()).exists()


def test_a_volunteer_role_without_a_record_gets_a_page_saying_what_to_do(demo, client_as):
    assert not Volunteer.objects.filter(user=demo.volunteer).exists()
    response = client_as("volunteer").get(reverse("volunteers:me"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="no-profile"' in html and reverse("volunteers:join") in html
    assert client_as("volunteer").get(reverse("volunteers:certificate"))["Location"] == reverse("volunteers:me")


def test_volunteers_alone_lands_where_the_work_is(demo, client_as):
    assert client_as("volunteer").get("/volunteers/")["Location"] == reverse("volunteers:me")
    assert client_as("taian_staff").get("/volunteers/")["Location"] == reverse("volunteers:rosters")
    assert client_as("guard").get("/volunteers/")["Location"] == reverse("volunteers:join")
    assert Client().get("/volunteers/")["Location"] == reverse("volunteers:join")
