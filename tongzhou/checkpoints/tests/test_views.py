"""The pages: who reaches them, and that they do what they say."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tongzhou.alerts.models import Alert
from tongzhou.checkpoints.models import (
    ChangeStatus,
    ControlChange,
    Gate,
    GateDevice,
    Pass,
    PassStatus,
    Visitor,
)
from tongzhou.checkpoints.selectors import overdue_outings
from tongzhou.checkpoints.services import control_request, parse_item, pass_token, passages_record
from tongzhou.checkpoints.tests.conftest import item
from tongzhou.core.scope import Scope
from tongzhou.places.models import Household


def test_street_admin_asks_to_seal_and_the_health_officer_approves_on_the_levels_page(demo, client_as):
    compound = demo.places["taian_compound"]
    admin = client_as("street_admin")
    page = admin.get("/checkpoints/")
    assert page.status_code == 200 and "泰安巷3号院" in page.content.decode()
    response = admin.post(
        "/checkpoints/levels/request/",
        {"place": compound.pk, "level": "sealed", "reason": "确诊病例", "evidence": "流调报告"},
    )
    assert response.status_code == 302
    change = ControlChange.objects.get()
    assert change.status == ChangeStatus.PENDING
    # The requester sees it without the buttons; deciding it anyway is refused.
    assert f'data-change="{change.pk}"' in admin.get("/checkpoints/").content.decode()
    admin.post(f"/checkpoints/levels/changes/{change.pk}/decide/", {"approve": "1"})
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
    officer = client_as("health_officer")
    assert officer.post(f"/checkpoints/levels/changes/{change.pk}/decide/", {"approve": "1"}).status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.decided_by == demo.health_officer
    assert "levels-map" in officer.get("/checkpoints/").content.decode()


@pytest.mark.parametrize("username", ["taian_staff", "guard", "volunteer", "auditor"])
def test_who_may_not_ask_for_a_level(demo, client_as, username):
    response = client_as(username).post(
        "/checkpoints/levels/request/", {"place": demo.places["taian_compound"].pk, "level": "sealed", "reason": "x"}
    )
    assert response.status_code == 404
    assert not ControlChange.objects.exists()


@pytest.mark.parametrize("username", ["taian_staff", "guard", "volunteer", "songhua_staff"])
def test_who_may_not_approve(demo, client_as, username):
    change = control_request(actor=demo.street_admin, place=demo.places["taian_compound"], level="sealed", reason="x")
    client_as(username).post(f"/checkpoints/levels/changes/{change.pk}/decide/", {"approve": "1"})
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


def test_staff_add_a_gate_issue_passes_print_and_revoke(demo, client_as):
    compound = demo.places["taian_compound"]
    staff = client_as("taian_staff")
    response = staff.post(
        "/checkpoints/gates/", {"compound": compound.pk, "name": "西门", "opens": "06:00", "closes": "22:00"}
    )
    assert response.status_code == 302
    gate = Gate.objects.get()
    assert gate.post is not None and gate.post.duty == "gate"
    staff.post(f"/checkpoints/passes/{compound.pk}/", {})
    households = Household.objects.filter(place__path__startswith=compound.path).count()
    assert households > 0 and Pass.objects.count() == households
    pdf = staff.get(f"/checkpoints/passes/{compound.pk}/cards.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    first = Pass.objects.order_by("pk").first()
    staff.post(f"/checkpoints/passes/revoke/{first.pk}/", {"reason": "遗失", "reissue": "on", "back": compound.pk})
    first.refresh_from_db()
    assert first.status == PassStatus.REVOKED
    assert Pass.objects.filter(household=first.household, status=PassStatus.ACTIVE).exclude(nonce=first.nonce).exists()
    token_page = staff.post("/checkpoints/gates/devices/new/", {"name": "东门平板", "gates": [gate.pk]})
    assert token_page.status_code == 200 and "gd_" in token_page.content.decode()
    assert GateDevice.objects.get().digest not in token_page.content.decode()


@pytest.mark.parametrize(
    ("url", "allowed", "refused"),
    [
        ("/checkpoints/gates/", ["taian_staff", "street_admin"], ["guard", "volunteer", "auditor", "health_officer"]),
        ("/checkpoints/passages/", ["taian_staff"], ["guard", "volunteer", "auditor"]),
        ("/alerts/?kind=fever", ["taian_staff", "health_officer"], ["guard", "volunteer", "auditor"]),
        ("/checkpoints/gates/mine/", ["guard", "taian_staff"], ["volunteer", "auditor", "health_officer"]),
    ],
)
def test_pages_by_persona(client_as, url, allowed, refused):
    for username in allowed:
        assert client_as(username).get(url).status_code == 200, username
    for username in refused:
        assert client_as(username).get(url).status_code == 404, username


def test_other_communities_passes_and_gates_are_not_found(demo, client_as, gate, passes):
    songhua = client_as("songhua_staff")
    compound = demo.places["taian_compound"]
    assert songhua.get(f"/checkpoints/passes/{compound.pk}/").status_code == 404
    assert songhua.get(f"/checkpoints/passes/{compound.pk}/cards.pdf").status_code == 404
    assert songhua.post(f"/checkpoints/passes/revoke/{passes[0].pk}/", {"reason": "x"}).status_code == 404
    assert songhua.get(f"/checkpoints/gates/{gate.pk}/visitors/").status_code == 404
    assert client_as("volunteer").get(f"/checkpoints/gates/{gate.pk}/scan/").status_code == 404
    assert Pass.objects.filter(status=PassStatus.REVOKED).count() == 0


def test_the_passage_log_filters_and_draws_the_hours(demo, client_as, gate, token):
    items = [parse_item(item(token, direction="in")), parse_item(item(token, temperature=38.0))]
    passages_record(gate=gate, items=items, actor=demo.guard)
    staff = client_as("taian_staff")
    response = staff.get("/checkpoints/passages/")
    assert "passages-by-hour" in response.content.decode()
    assert (response.context["total"], response.context["refused"]) == (2, 1)
    bars = response.context["chart"]["series"]
    assert sum(bars[0]["data"]) == 1 and sum(bars[1]["data"]) == 1
    refused = staff.get("/checkpoints/passages/", {"result": "refused"}).content.decode()
    assert refused.count("table-danger") == 1
    assert (
        staff.get("/checkpoints/passages/", {"gate": gate.pk, "result": "fever"}).content.decode().count("<tr class")
        == 1
    )
    assert client_as("songhua_staff").get("/checkpoints/passages/").content.decode().count("<tr class") == 0


def test_a_fever_alert_is_closed_with_an_outcome(demo, client_as, gate, token):
    passages_record(gate=gate, items=[parse_item(item(token, temperature=38.2))], actor=demo.guard)
    alert = Alert.objects.get()
    assert client_as("songhua_staff").post(f"/alerts/{alert.pk}/", {"outcome": "tested"}).status_code == 404
    officer = client_as("health_officer")
    assert str(alert.subject_label) in officer.get("/alerts/").content.decode()
    officer.post(f"/alerts/{alert.pk}/", {"outcome": "tested", "note": "送发热门诊"})
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.closed_by) == ("closed", "tested", demo.health_officer)


def test_the_guard_registers_a_visitor(demo, client_as, gate):
    household = demo.places["taian_household"]
    page = client_as("guard").post(
        f"/checkpoints/gates/{gate.pk}/visitors/",
        {"name": "李四", "phone": "13900001111", "reason": "送菜", "household": household.pk, "temperature": "36.5"},
    )
    assert page.status_code == 200 and 'id="visitor-result"' in page.content.decode()
    visitor = Visitor.objects.get()
    assert visitor.allowed and visitor.phone == "13900001111"
    bad = client_as("guard").post(
        f"/checkpoints/gates/{gate.pk}/visitors/",
        {"name": "", "phone": "abc", "reason": "送菜", "household": household.pk, "temperature": "50"},
    )
    assert bad.status_code == 200 and Visitor.objects.count() == 1


def test_the_dashboard_counts_todays_passages_and_open_fevers(demo, client_as, gate, token):
    items = [parse_item(item(token, direction="in")), parse_item(item(token, temperature=39.0))]
    passages_record(gate=gate, items=items, actor=demo.guard)
    figures = client_as("taian_staff").get("/dashboard/").context["gates"]
    assert (figures["passages"], figures["refused"], figures["fever_open"]) == (2, 1, 1)
    assert client_as("songhua_staff").get("/dashboard/").context["gates"]["passages"] == 0
    assert client_as("guard").get("/dashboard/").context["gates"] is None


def test_households_out_longer_than_the_limit_are_listed(demo, gate, passes, settings):
    control_request(actor=demo.street_admin, place=demo.places["taian_compound"], level="controlled", reason="管控")
    now = timezone.now().replace(hour=15)
    early = (now - timedelta(hours=5)).isoformat()
    back = (now - timedelta(hours=1)).isoformat()
    passages_record(
        gate=gate,
        items=[
            parse_item(item(pass_token(passes[0]), scanned_at=early)),
            parse_item(item(pass_token(passes[1]), scanned_at=early)),
            parse_item(item(pass_token(passes[1]), direction="in", scanned_at=back)),
        ],
        now=now,
    )
    scope = Scope.of([demo.places["taian"].path])
    assert [o.label for o in overdue_outings(scope, now=now)] == [passes[0].label]
    settings.TONGZHOU_OUTING_HOURS = 6
    assert overdue_outings(scope, now=now) == []


def test_the_service_worker_and_manifest_are_public_and_scoped(client):
    worker = client.get("/checkpoints/sw.js")
    assert worker.status_code == 200 and worker["Service-Worker-Allowed"] == "/checkpoints/"
    assert worker["Content-Type"].startswith("application/javascript") and b"tongzhou-offline-v1" in worker.content
    manifest = client.get("/checkpoints/manifest.webmanifest").json()
    assert manifest["scope"] == "/checkpoints/" and manifest["display"] == "standalone"


def test_the_scan_page_carries_its_urls_and_rules_but_no_token(demo, client_as, gate, passes):
    page = client_as("guard").get(f"/checkpoints/gates/{gate.pk}/scan/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"/api/v1/checkpoints/{gate.pk}/passages/batch" in body and "jsQR.js" in body
    assert pass_token(passes[0]) not in body
    assert client_as("songhua_staff").get(f"/checkpoints/gates/{gate.pk}/scan/").status_code == 404


def test_the_visitor_form_chooses_no_household_for_the_guard(demo, client_as, gate):
    guard = client_as("guard")
    form = guard.get(f"/checkpoints/gates/{gate.pk}/visitors/").context["form"]
    assert form["household"].value() in (None, "")
    assert next(iter(form.fields["household"].choices))[0] == ""
    forgot = guard.post(
        f"/checkpoints/gates/{gate.pk}/visitors/",
        {"name": "李四", "phone": "13900001111", "reason": "送菜", "household": "", "temperature": "36.5"},
    )
    assert "household" in forgot.context["form"].errors and not Visitor.objects.exists()
