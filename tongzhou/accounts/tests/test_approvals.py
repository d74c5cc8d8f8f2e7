"""The one "waiting for my approval" page and count: every kind of four-eyes request (control
levels, exceptions to isolation orders, shift drops), scoped to the places where the user may
decide it, never the user's own; the message asking for a decision links to the request."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tongzhou.checkpoints.models import ControlChange, ControlLevel, PlaceControl
from tongzhou.checkpoints.services import control_request
from tongzhou.core.messaging import ConsoleBackend
from tongzhou.core.transitions import ApprovalState, waiting_count, waiting_for
from tongzhou.monitoring.models import OrderAction, Override
from tongzhou.monitoring.services import Change, order_change
from tongzhou.monitoring.tests.conftest import make_order, taian_person  # noqa: F401  (fixtures)
from tongzhou.places.models import Place
from tongzhou.volunteers.models import ChangeRequest, Shift
from tongzhou.volunteers.services import assignment_add, change_request_create, post_create
from tongzhou.volunteers.tests.conftest import make_volunteer  # noqa: F401  (fixture)


@pytest.fixture
def requests(demo, make_order, make_volunteer):  # noqa: F811
    """A sealing asked by the street admin, an early release asked by the health officer and a
    shift drop asked by a volunteer, all in 泰安巷."""
    sealing = control_request(
        actor=demo.street_admin, place=demo.places["taian_compound"], level=ControlLevel.SEALED, reason="确诊病例"
    )
    override = order_change(
        actor=demo.health_officer,
        order=make_order(),
        change=Change(action=OrderAction.RELEASED, reason="核酸阴性", evidence="两次阴性报告"),
    )
    volunteer = make_volunteer()
    post = post_create(actor=demo.taian_staff, place=demo.places["taian_compound"], name="3号院东门", duty="gate")
    start = timezone.now() + timedelta(days=2)
    shift = Shift.objects.create(
        post=post, place_path=post.place_path, start=start, end=start + timedelta(hours=12), min_people=1, max_people=1
    )
    assignment = assignment_add(actor=demo.taian_staff, shift=shift, volunteer=volunteer)
    drop = change_request_create(user=volunteer.user, assignment=assignment, kind="drop", reason="家里有事")
    return {"control": sealing, "override": override, "shift-change": drop}


def keys(user):
    return sorted(f"{w.kind.key}-{w.obj.pk}" for w in waiting_for(user))


def anchor(requests, key):
    return f"{key}-{requests[key].pk}"


def test_each_approver_sees_what_they_may_decide_and_did_not_ask(demo, requests):
    assert isinstance(requests["override"], Override)
    # The health officer may approve sealing and exceptions, but asked for the release.
    assert keys(demo.health_officer) == [anchor(requests, "control")]
    # The street admin asked for the sealing; exceptions and shift drops at the street are theirs.
    assert keys(demo.street_admin) == sorted([anchor(requests, "override"), anchor(requests, "shift-change")])
    # Community staff run volunteers but approve neither sealing nor exceptions.
    assert keys(demo.taian_staff) == [anchor(requests, "shift-change")]
    # Another community's staff and the gate guard see nothing.
    assert keys(demo.songhua_staff) == keys(demo.guard) == keys(demo.volunteer) == []
    assert [
        waiting_count(u) for u in (demo.health_officer, demo.street_admin, demo.taian_staff, demo.songhua_staff)
    ] == [
        1,
        2,
        1,
        0,
    ]


def test_the_page_and_the_nav_count_list_every_kind(demo, requests, client_as):
    response = client_as("street_admin").get(reverse("approvals:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="{anchor(requests, "override")}"' in html
    assert f'id="{anchor(requests, "shift-change")}"' in html
    assert f'id="{anchor(requests, "control")}"' not in html  # their own
    assert response.context["nav"]["waiting"] == 2
    assert 'id="nav-waiting"' in html
    dashboard = client_as("street_admin").get(reverse("reports:dashboard")).content.decode()
    assert 'id="waiting-count">2<' in dashboard


@pytest.mark.parametrize("username", ["guard", "volunteer", "auditor", "outsider"])
def test_who_may_decide_nothing_has_no_page(demo, client_as, username):
    response = client_as(username).get(reverse("approvals:list"))
    assert response.status_code == 404
    assert "nav-approvals" not in client_as(username).get(reverse("accounts:password")).content.decode()


@pytest.mark.parametrize(
    ("username", "key"),
    [("songhua_staff", "shift-change"), ("taian_staff", "control"), ("taian_staff", "override"), ("guard", "control")],
)
def test_a_request_outside_ones_places_or_permission_is_not_found(demo, requests, client_as, username, key):
    url = reverse("approvals:detail", args=[key, requests[key].pk])
    client = client_as(username)
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve"}).status_code == 404
    requests[key].refresh_from_db()
    assert requests[key].status == ApprovalState.PENDING


def test_an_unknown_kind_is_not_found(demo, requests, client_as):
    assert client_as("street_admin").get(f"/approvals/nonsense/{requests['control'].pk}/").status_code == 404


def test_the_requester_sees_no_buttons_and_cannot_decide(demo, requests, client_as):
    client = client_as("street_admin")
    url = reverse("approvals:detail", args=["control", requests["control"].pk])
    html = client.get(url).content.decode()
    assert 'id="own-request"' in html
    assert 'name="decision"' not in html
    response = client.post(url, {"decision": "approve"}, follow=True)
    assert "second person" in response.content.decode() or "第二人" in response.content.decode()
    requests["control"].refresh_from_db()
    assert requests["control"].status == ApprovalState.PENDING
    assert not PlaceControl.objects.filter(place=demo.places["taian_compound"]).exists()
    # The levels page shows the requester no buttons either.
    levels = client.get(reverse("checkpoints:levels")).content.decode()
    assert reverse("checkpoints:level_decide", args=[requests["control"].pk]) not in levels


def test_the_requester_sees_no_buttons_on_the_order_page(demo, requests, client_as):
    order_url = reverse("monitoring:order", args=[requests["override"].order_id])
    decide_url = reverse("monitoring:override_decide", args=[requests["override"].pk])
    assert decide_url not in client_as("health_officer").get(order_url).content.decode()  # asked for it
    assert decide_url not in client_as("taian_staff").get(order_url).content.decode()  # may not approve
    assert decide_url in client_as("street_admin").get(order_url).content.decode()


def test_deciding_from_the_page_applies_the_change(demo, requests, client_as):
    client = client_as("health_officer")
    url = reverse("approvals:detail", args=["control", requests["control"].pk])
    assert 'name="decision"' in client.get(url).content.decode()
    response = client.post(url, {"decision": "approve", "note": "同意"})
    assert response.status_code == 302 and response["Location"] == reverse("approvals:list")
    assert PlaceControl.objects.get(place=demo.places["taian_compound"]).level == ControlLevel.SEALED
    change = ControlChange.objects.get(pk=requests["control"].pk)
    assert (change.status, change.decided_by, change.decision_note) == ("approved", demo.health_officer, "同意")
    assert waiting_count(demo.health_officer) == 0
    # Decided once: a second press says so and changes nothing.
    again = client.post(url, {"decision": "reject"}, follow=True)
    assert change.get_status_display() in again.content.decode()
    assert ControlChange.objects.get(pk=change.pk).status == "approved"


def test_a_shift_drop_is_decided_from_the_page(demo, requests, client_as):
    url = reverse("approvals:detail", args=["shift-change", requests["shift-change"].pk])
    assert client_as("taian_staff").post(url, {"decision": "approve"}).status_code == 302
    assert not ChangeRequest.objects.filter(pk=requests["shift-change"].pk).exists()


@pytest.mark.parametrize("data", [{}, {"decision": "maybe"}, {"decision": "approve", "note": "x" * 3000}])
def test_a_bad_decision_is_refused_and_changes_nothing(demo, requests, client_as, data):
    url = reverse("approvals:detail", args=["control", requests["control"].pk])
    response = client_as("health_officer").post(url, data)
    assert response.status_code == 302
    assert ControlChange.objects.get(pk=requests["control"].pk).status == ApprovalState.PENDING


def test_the_message_asking_for_a_decision_links_to_it(demo, make_order):  # noqa: F811
    ConsoleBackend.outbox.clear()
    change = control_request(
        actor=demo.street_admin,
        place=Place.objects.get(name="泰安巷3号院"),
        level=ControlLevel.SEALED,
        reason="确诊病例",
    )
    link = settings.TONGZHOU_SITE_URL.rstrip("/") + f"/approvals/control/{change.pk}/"
    assert link.startswith("http")
    told = {m.to: m.text for m in ConsoleBackend.outbox}
    assert demo.health_officer.phone in told and link in told[demo.health_officer.phone]
    assert demo.street_admin.phone not in told  # not the one who asked
    ConsoleBackend.outbox.clear()
    override = order_change(
        actor=demo.health_officer,
        order=make_order(),
        change=Change(action=OrderAction.RELEASED, reason="核酸阴性", evidence="两次阴性报告"),
    )
    link = settings.TONGZHOU_SITE_URL.rstrip("/") + f"/approvals/override/{override.pk}/"
    told = {m.to: m.text for m in ConsoleBackend.outbox}
    assert link in told[demo.street_admin.phone]
    assert demo.health_officer.phone not in told
