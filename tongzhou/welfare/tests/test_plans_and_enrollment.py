"""Plans and enrollment by a member unit on a page: budget, twice in one plan, certificate."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tongzhou.core.outbox.models import OutboxMessage
from tongzhou.welfare.models import Enrollment, Plan
from tongzhou.welfare.services.plans import MemberData, enrollments_create

from .conftest import id_number


def member(n: int, **kw):
    return MemberData(name=f"职工{n}", id_number=id_number(n), phone=f"1360000{n:04d}", **kw)


def test_the_officer_creates_a_plan_on_the_page(client_as, demo, officers, union):
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    response = client.post(
        reverse("welfare:plan_new"),
        {
            "name": "职工互助保障",
            "place": demo.places["taian"].pk,
            "sponsor": union.pk,
            "contribution": "30",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "waiting_days": "7",
            "places_total": "100",
            "benefit_infection": "3000",
            "benefit_death": "100000",
            "eligible_duties": ["gate"],
        },
    )
    plan = Plan.objects.get()
    assert response.status_code == 302 and (plan.places_total, plan.waiting_days) == (100, 7)
    assert plan.budget_money == Decimal("3000.00")
    assert sorted(plan.benefits.values_list("coverage", flat=True)) == ["death", "infection"]


def test_a_plan_without_a_benefit_or_with_its_end_first_is_refused_naming_the_field(client_as, demo, officers, union):
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    response = client.post(
        reverse("welfare:plan_new"),
        {
            "name": "x",
            "place": demo.places["taian"].pk,
            "sponsor": union.pk,
            "contribution": "30",
            "starts_on": "2026-12-01",
            "ends_on": "2026-01-01",
            "waiting_days": "7",
            "places_total": "1",
        },
    )
    assert response.status_code == 200 and not Plan.objects.exists()
    errors = response.context["form"].errors
    assert "ends_on" in errors and "__all__" in errors  # no benefit given: said for the form as a whole


def test_enrolling_sends_the_certificate_and_starts_the_waiting_period(
    make_plan, officers, union, django_capture_on_commit_callbacks
):
    plan = make_plan(places=3, waiting_days=7)
    with django_capture_on_commit_callbacks(execute=True):
        [enrollment] = enrollments_create(
            actor=officers["taian_welfare"], plan=plan, members=[member(1, organisation=union)]
        )
    plan.refresh_from_db()
    assert plan.places_taken == 1
    assert (enrollment.covered_from - timezone.localdate(enrollment.created_at)).days == 7
    message = OutboxMessage.objects.latest("id")
    assert "/welfare/verify/" in message.text_masked and message.kind == "welfare"
    from django.test import Client

    from tongzhou.welfare.services.plans import certificate_token

    token = certificate_token(enrollment)

    page = Client().get(reverse("welfare:verify", args=[token]))
    assert page.status_code == 200 and "职*" in page.content.decode()
    assert Client().get(reverse("welfare:verify", args=[token[:-2] + "xx"])).status_code == 404


def test_a_person_enrolled_twice_in_one_plan_is_refused(make_plan, officers):
    plan = make_plan()
    enrollments_create(actor=officers["taian_welfare"], plan=plan, members=[member(1)])
    with pytest.raises(ValidationError) as error:
        enrollments_create(actor=officers["taian_welfare"], plan=plan, members=[member(1)])
    assert "enrolled in the plan already" in str(error.value)
    plan.refresh_from_db()
    assert (plan.places_taken, Enrollment.objects.count()) == (1, 1)


def test_the_budget_is_never_exceeded(make_plan, officers):
    plan = make_plan(places=2)
    with pytest.raises(ValidationError):
        enrollments_create(actor=officers["taian_welfare"], plan=plan, members=[member(1), member(2), member(3)])
    plan.refresh_from_db()
    assert (plan.places_taken, Enrollment.objects.count()) == (0, 0)


def test_the_page_enrolls_and_shows_row_errors(client_as, make_plan, officers):
    plan = make_plan()
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    url = reverse("welfare:plan", args=[plan.pk])
    response = client.post(url, {"name": "王五", "id_number": "123", "phone": "13600000001"})
    assert response.status_code == 200 and "id_number" in response.context["form"].errors
    response = client.post(url, {"name": "王五", "id_number": id_number(9), "phone": "13600000009"})
    assert response.status_code == 302 and Enrollment.objects.get().name == "王五"


@pytest.mark.parametrize("persona", ["taian_staff", "volunteer", "guard", "street_admin", "health_officer"])
def test_other_roles_cannot_reach_plans(client_as, make_plan, persona):
    plan = make_plan()
    client = client_as(persona)
    for url in (
        reverse("welfare:plans"),
        reverse("welfare:plan", args=[plan.pk]),
        reverse("welfare:proposals", args=[plan.pk]),
    ):
        assert client.get(url).status_code == 404, (persona, url)
    assert client.post(reverse("welfare:plan", args=[plan.pk]), {"name": "x"}).status_code == 404
    assert not Enrollment.objects.exists()


def test_songhua_officer_gets_404_for_a_taian_plan(client_as, make_plan, officers):
    plan = make_plan()
    client = client_as("taian_staff")
    client.force_login(officers["songhua_welfare"])
    assert client.get(reverse("welfare:plan", args=[plan.pk])).status_code == 404


def test_anonymous_goes_to_the_log_in(make_plan):
    from django.test import Client

    plan = make_plan()
    assert Client().get(reverse("welfare:plan", args=[plan.pk])).status_code == 302


def test_the_welfare_officer_lands_on_the_plans(client_as, officers):
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    assert client.get("/").url == reverse("welfare:plans")


def test_the_dashboard_shows_the_officer_the_welfare_figures(client_as, make_plan, officers):
    plan = make_plan()
    enrollments_create(actor=officers["taian_welfare"], plan=plan, members=[member(1), member(2)])
    client = client_as("taian_staff")
    assert client.get(reverse("reports:dashboard")).context["welfare"] is None
    client.force_login(officers["taian_welfare"])
    page = client.get(reverse("reports:dashboard"))
    assert page.context["welfare"]["covered"] == 2 and 'id="welfare-covered"' in page.content.decode()
