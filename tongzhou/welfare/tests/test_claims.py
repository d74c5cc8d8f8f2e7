"""Claims: pre-filled from the shift, refused inside the waiting period with its end date, moved
submitted → checked → approved → paid by the welfare officer with who and when; health data seen
only by the officer of the place and the claimant."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tongzhou.welfare.models import Claim, ClaimStatus, Enrollment
from tongzhou.welfare.services.claims import ClaimData, claim_file, claim_move
from tongzhou.welfare.services.plans import gift_request_create, gift_request_decide


@pytest.fixture
def enrolled(make_plan, make_worker, officers):
    """A gate guard with shifts in the last days, gifted a place in a plan with no waiting period
    left (the enrollment is back-dated past it)."""
    plan = make_plan(waiting_days=7)
    worker = make_worker("门卫甲", hours=48)
    gift = gift_request_create(actor=officers["taian_welfare"], plan=plan, volunteers=[worker])
    gift_request_decide(actor=officers["taian_welfare2"], gift=gift, approve=True)
    enrollment = Enrollment.objects.get()
    Enrollment.objects.filter(pk=enrollment.pk).update(covered_from=timezone.localdate() - timedelta(days=5))
    enrollment.refresh_from_db()
    return enrollment


def data(**changes):
    values = {
        "coverage": "accident",
        "event_on": timezone.localdate() - timedelta(days=1),
        "description": "夜班摔伤",
        "amount": Decimal("800"),
    }
    values.update(changes)
    return ClaimData(**values)


def test_a_claim_inside_the_waiting_period_is_refused_with_the_date_it_ends(make_plan, officers):
    from tongzhou.welfare.services.plans import MemberData, enrollments_create

    from .conftest import id_number

    plan = make_plan(waiting_days=7)
    [enrollment] = enrollments_create(
        actor=officers["taian_welfare"],
        plan=plan,
        members=[MemberData(name="新保", id_number=id_number(70), phone="13500000070")],
    )
    with pytest.raises(ValidationError) as error:
        claim_file(actor=officers["taian_welfare"], enrollment=enrollment, data=data(event_on=timezone.localdate()))
    assert enrollment.covered_from.isoformat() in str(error.value)
    assert not Claim.objects.exists()


def test_the_form_is_filled_from_the_shift_and_the_claim_moves_to_paid(client_as, enrolled, officers):
    guard = client_as("taian_staff")
    guard.force_login(enrolled.user)
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = guard.get(reverse("welfare:claim_new", args=[enrolled.pk]) + f"?day={day}")
    assert page.status_code == 200
    form = page.context["form"]
    assignment_id = form.initial["assignment"]
    assert assignment_id and "泰安巷3号院gate" in form.initial["description"]
    response = guard.post(
        reverse("welfare:claim_new", args=[enrolled.pk]),
        {
            "coverage": "accident",
            "event_on": day,
            "description": "夜班摔伤",
            "amount": "800",
            "assignment": assignment_id,
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and claim.assignment_id == assignment_id
    officer = client_as("taian_staff")
    officer.force_login(officers["taian_welfare"])
    page = officer.get(reverse("welfare:claim", args=[claim.pk])).content.decode()
    assert ("泰安巷3号院gate" in page and "checked in" in page.lower()) or "签到" in page
    for to in ("checked", "approved", "paid"):
        assert (
            officer.post(reverse("welfare:claim", args=[claim.pk]), {"to": to, "public_notice": "on"}).status_code
            == 302
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert [(h.to_status, h.actor) for h in claim.history.all()] == [
        ("checked", officers["taian_welfare"]),
        ("approved", officers["taian_welfare"]),
        ("paid", officers["taian_welfare"]),
    ]
    assert guard.get(reverse("welfare:mine")).content.decode().count(str(ClaimStatus.PAID.label)) == 1


def test_a_rejection_needs_a_reason_and_a_paid_claim_cannot_move_back(enrolled, officers):
    claim = claim_file(actor=enrolled.user, enrollment=enrolled, data=data())
    with pytest.raises(ValidationError):
        claim_move(actor=officers["taian_welfare"], claim=claim, to=ClaimStatus.REJECTED)
    claim = claim_move(actor=officers["taian_welfare"], claim=claim, to=ClaimStatus.REJECTED, reason="非执勤期间")
    with pytest.raises(ValidationError):
        claim_move(actor=officers["taian_welfare"], claim=claim, to=ClaimStatus.APPROVED)
    assert claim.history.get().reason == "非执勤期间"


def test_a_claim_above_the_benefit_or_for_an_uncovered_thing_is_refused(enrolled):
    with pytest.raises(ValidationError) as error:
        claim_file(actor=enrolled.user, enrollment=enrolled, data=data(amount=Decimal("99999")))
    assert "amount" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        claim_file(actor=enrolled.user, enrollment=enrolled, data=data(coverage="death"))
    assert "coverage" in error.value.message_dict


@pytest.mark.parametrize("persona", ["street_admin", "taian_staff", "health_officer", "volunteer", "guard", "auditor"])
def test_nobody_else_sees_a_claim(client_as, enrolled, persona):
    claim = claim_file(actor=enrolled.user, enrollment=enrolled, data=data())
    client = client_as(persona)
    assert client.get(reverse("welfare:claim", args=[claim.pk])).status_code == 404
    assert client.post(reverse("welfare:claim", args=[claim.pk]), {"to": "checked"}).status_code == 404
    assert client.get(reverse("welfare:claims")).status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_songhua_officer_gets_404_for_a_taian_claim(client_as, enrolled, officers):
    claim = claim_file(actor=enrolled.user, enrollment=enrolled, data=data())
    client = client_as("taian_staff")
    client.force_login(officers["songhua_welfare"])
    assert client.get(reverse("welfare:claim", args=[claim.pk])).status_code == 404
    assert client.post(reverse("welfare:claim", args=[claim.pk]), {"to": "checked"}).status_code == 404
    assert claim.id not in [c.pk for c in client.get(reverse("welfare:claims")).context["claims"]]


def test_a_volunteer_sees_only_their_own_enrollments_and_claims(client_as, enrolled, make_worker, demo):
    claim = claim_file(actor=enrolled.user, enrollment=enrolled, data=data())
    other = make_worker("别人")
    client = client_as("taian_staff")
    client.force_login(other.user)
    page = client.get(reverse("welfare:mine"))
    assert page.status_code == 200 and not page.context["enrollments"] and not page.context["claims"]
    assert client.get(reverse("welfare:claim", args=[claim.pk])).status_code == 404
    assert client.get(reverse("welfare:certificate", args=[enrolled.pk])).status_code == 404
    assert client.get(reverse("welfare:claim_new", args=[enrolled.pk])).status_code == 404
    own = client_as("taian_staff")
    own.force_login(enrolled.user)
    response = own.get(reverse("welfare:certificate", args=[enrolled.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_public_notice_shows_the_masked_name_and_post_never_the_illness(client_as, enrolled, officers):
    claim = claim_file(actor=enrolled.user, enrollment=enrolled, data=data(description="确诊感染"))
    claim_move(actor=officers["taian_welfare"], claim=claim, to=ClaimStatus.CHECKED)
    claim_move(actor=officers["taian_welfare"], claim=claim, to=ClaimStatus.APPROVED, public_notice=True)
    page = client_as("taian_staff").get(reverse("welfare:notice")).content.decode()
    assert "门*" in page and "门卫甲" not in page and "确诊" not in page and "800" in page
