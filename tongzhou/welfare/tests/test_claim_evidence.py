"""Claims filled from the facts the system holds for the claimant: the day's shift, their
isolation orders (monitoring), their help requests (assistance). The reviewer sees each fact with
a link only where they may open its page; someone else's order or request cannot be linked."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tongzhou.accounts.services import role_grant
from tongzhou.assistance.models import Category, Urgency
from tongzhou.assistance.services import HelpData, help_request_create
from tongzhou.core.permissions import Role
from tongzhou.monitoring.models import OrderKind, Reason
from tongzhou.monitoring.services import key_person_register, order_create
from tongzhou.people.idnumbers import IdType
from tongzhou.people.services import PersonData, person_create
from tongzhou.welfare.models import Claim
from tongzhou.welfare.selectors.claims import claim_evidence
from tongzhou.welfare.services.claims import claim_file

from .conftest import id_number
from .test_claims import data, enrolled  # noqa: F401  (`enrolled` is a fixture)


def _resident(demo, name, number, phone):
    return person_create(
        actor=None,
        data=PersonData(
            name=name, id_type=IdType.ID_CARD, id_number=number, phone=phone, household=demo.places["taian_household"]
        ),
    )


def _order(demo, person, kind=OrderKind.HOME_ISOLATION):
    key_person = key_person_register(
        actor=demo.health_officer, person=person, reason=Reason.CLOSE_CONTACT, evidence="流调"
    )
    return order_create(
        actor=demo.health_officer,
        key_person=key_person,
        kind=kind,
        starts_on=timezone.localdate() - timedelta(days=1),
    )


@pytest.fixture
def facts(enrolled, demo):  # noqa: F811
    """The guard is a resident of 泰安巷 too (the same ID number), home-isolated since yesterday,
    who asked for medicine; a neighbour has an order and a request of their own."""
    person = _resident(demo, enrolled.name, enrolled.id_number, enrolled.phone)
    neighbour = _resident(demo, "邻居乙", id_number(321), "13900000321")
    ask = HelpData(category=Category.MEDICINE, urgency=Urgency.NORMAL, summary="降压药", person=person)
    other_ask = HelpData(category=Category.GROCERIES, urgency=Urgency.NORMAL, summary="大米", person=neighbour)
    return {
        "order": _order(demo, person),
        "help": help_request_create(actor=demo.taian_staff, data=ask),
        "other_order": _order(demo, neighbour),
        "other_help": help_request_create(actor=demo.taian_staff, data=other_ask),
    }


def _guard(client_as, enrolled):  # noqa: F811
    client = client_as("taian_staff")
    client.force_login(enrolled.user)
    return client


def test_the_page_offers_the_claimants_own_facts_only(client_as, enrolled, facts):  # noqa: F811
    page = _guard(client_as, enrolled).get(reverse("welfare:claim_new", args=[enrolled.pk]))
    evidence = page.context["evidence"]
    assert page.status_code == 200
    assert [o.pk for o in evidence.orders] == [facts["order"].pk]
    assert [h.pk for h in evidence.help_requests] == [facts["help"].pk]
    html = page.content.decode()
    assert f"source=order-{facts['order'].pk}" in html and f"source=help-{facts['help'].pk}" in html
    assert f'order-{facts["other_order"].pk}"' not in html


def test_prefilled_from_the_shift(client_as, enrolled, facts):  # noqa: F811
    guard = _guard(client_as, enrolled)
    day = timezone.localdate() - timedelta(days=1)
    offered = guard.get(reverse("welfare:claim_new", args=[enrolled.pk]) + f"?day={day}").context["evidence"]
    shift = offered.assignments[-1]
    url = reverse("welfare:claim_new", args=[enrolled.pk]) + f"?day={day}&source=shift-{shift.pk}"
    initial = guard.get(url).context["form"].initial
    assert initial["assignment"] == shift.pk and "泰安巷3号院gate" in initial["description"]


def test_prefilled_from_an_isolation_order_and_filed_with_it(client_as, enrolled, facts):  # noqa: F811
    guard = _guard(client_as, enrolled)
    url = reverse("welfare:claim_new", args=[enrolled.pk]) + f"?source=order-{facts['order'].pk}"
    initial = guard.get(url).context["form"].initial
    assert initial["isolation_order"] == facts["order"].pk
    assert initial["event_on"] == facts["order"].starts_on
    assert initial["coverage"] == "infection"
    assert facts["order"].planned_end_on.isoformat() in initial["description"]
    response = guard.post(
        url,
        {
            "coverage": initial["coverage"],
            "event_on": initial["event_on"].isoformat(),
            "description": initial["description"],
            "amount": "500",
            "isolation_order": facts["order"].pk,
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and claim.isolation_order_id == facts["order"].pk


def test_prefilled_from_a_help_request_and_filed_with_it(client_as, enrolled, facts):  # noqa: F811
    guard = _guard(client_as, enrolled)
    url = reverse("welfare:claim_new", args=[enrolled.pk]) + f"?source=help-{facts['help'].pk}"
    initial = guard.get(url).context["form"].initial
    assert initial["help_request"] == facts["help"].pk
    assert initial["event_on"] == timezone.localdate()
    assert initial["coverage"] == "hospital"
    response = guard.post(
        url,
        {
            "coverage": "hospital",
            "event_on": initial["event_on"].isoformat(),
            "description": initial["description"],
            "amount": "300",
            "help_request": facts["help"].pk,
        },
    )
    assert response.status_code == 302 and Claim.objects.get().help_request_id == facts["help"].pk


def test_the_officer_filing_for_the_worker_gets_the_same_facts(client_as, enrolled, facts, officers):  # noqa: F811
    officer = client_as("taian_staff")
    officer.force_login(officers["taian_welfare"])
    url = reverse("welfare:claim_new", args=[enrolled.pk]) + f"?source=order-{facts['order'].pk}"
    assert officer.get(url).context["form"].initial["isolation_order"] == facts["order"].pk


def test_someone_elses_facts_cannot_be_chosen_or_linked(client_as, enrolled, facts):  # noqa: F811
    guard = _guard(client_as, enrolled)
    base = reverse("welfare:claim_new", args=[enrolled.pk])
    assert guard.get(base + f"?source=order-{facts['other_order'].pk}").status_code == 404
    assert guard.get(base + f"?source=help-{facts['other_help'].pk}").status_code == 404
    posted = guard.post(
        base,
        {
            "coverage": "infection",
            "event_on": timezone.localdate().isoformat(),
            "description": "x",
            "amount": "10",
            "isolation_order": facts["other_order"].pk,
        },
    )
    assert posted.status_code == 200 and "isolation_order" in posted.context["form"].errors
    with pytest.raises(ValidationError) as error:
        claim_file(
            actor=enrolled.user,
            enrollment=enrolled,
            data=data(help_request_id=facts["other_help"].pk, isolation_order_id=facts["other_order"].pk),
        )
    assert {"help_request", "isolation_order"} <= set(error.value.message_dict)
    assert not Claim.objects.exists()


@pytest.mark.parametrize("junk", ["order", "order-", "order-x", "nope-1", "help-1-2", "shift-99999999999999"])
def test_a_junk_source_is_400(client_as, enrolled, junk):  # noqa: F811
    url = reverse("welfare:claim_new", args=[enrolled.pk]) + f"?source={junk}"
    assert _guard(client_as, enrolled).get(url).status_code == 400


def test_evidence_links_only_where_the_reader_may_open_them(client_as, enrolled, facts, officers, demo):  # noqa: F811
    yesterday = timezone.localdate() - timedelta(days=1)
    assignment = claim_evidence(enrolled, yesterday).assignments[0]
    claim = claim_file(
        actor=enrolled.user,
        enrollment=enrolled,
        data=data(
            coverage="infection",
            event_on=yesterday,
            assignment_id=assignment.pk,
            isolation_order_id=facts["order"].pk,
            help_request_id=facts["help"].pk,
        ),
    )
    order_url = reverse("monitoring:order", args=[facts["order"].pk])
    help_url = reverse("assistance:detail", args=[facts["help"].pk])
    attendance_url = reverse("volunteers:attendance")
    claim_url = reverse("welfare:claim", args=[claim.pk])

    urls = (order_url, help_url, attendance_url)

    def links_open_exactly(client):
        """Each fact's link is on the page exactly when its page opens for the reader."""
        page = client.get(claim_url).content.decode()
        assert "泰安巷3号院gate" in page and facts["order"].planned_end_on.isoformat() in page
        shown = {url for url in urls if f'href="{url}"' in page}
        for url in urls:
            assert (client.get(url).status_code == 200) == (url in shown), url
        return shown

    # The welfare officer alone: every fact in words, no link (none of those pages would open).
    officer = client_as("taian_staff")
    officer.force_login(officers["taian_welfare"])
    assert links_open_exactly(officer) == set()
    # The claimant, a volunteer: the help request (shown masked to volunteers while new), nothing else.
    assert links_open_exactly(_guard(client_as, enrolled)) == {help_url}

    # A welfare officer who is also the community's health officer and staff: each link, and each opens.
    both = officers["taian_welfare2"]
    role_grant(actor=None, user=both, role=Role.HEALTH_OFFICER, place=demo.places["taian"])
    role_grant(actor=None, user=both, role=Role.COMMUNITY_STAFF, place=demo.places["taian"])
    reviewer = client_as("taian_staff")
    reviewer.force_login(both)
    assert links_open_exactly(reviewer) == set(urls)


def test_changing_the_date_after_choosing_a_shift_files_the_claim_not_a_404(client_as, enrolled):  # noqa: F811
    guard = _guard(client_as, enrolled)
    day = timezone.localdate() - timedelta(days=1)
    shift = claim_evidence(enrolled, day).assignments[0]
    url = reverse("welfare:claim_new", args=[enrolled.pk]) + f"?day={day}&source=shift-{shift.pk}"
    other_day = timezone.localdate() - timedelta(days=4)  # no shift of the guard's that day
    assert shift.pk not in [a.pk for a in claim_evidence(enrolled, other_day).assignments]
    response = guard.post(
        url, {"coverage": "accident", "event_on": other_day.isoformat(), "description": "摔伤", "amount": "100"}
    )
    assert response.status_code == 302
    assert Claim.objects.get().assignment_id is None
