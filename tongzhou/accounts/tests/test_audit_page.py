import pytest
from django.urls import reverse

from tongzhou.accounts.audit import AccountsAudit
from tongzhou.core.audit import CoreAudit
from tongzhou.core.services import audit_log


def test_auditor_sees_events_of_the_street_only(demo, client_as):
    audit_log(
        action=CoreAudit.EXPORTED, actor=demo.taian_staff, place_path=demo.places["taian"].path, purpose="in-street"
    )
    audit_log(
        action=CoreAudit.EXPORTED,
        actor=demo.dongfeng_staff,
        place_path=demo.places["dongfeng"].path,
        purpose="elsewhere",
    )
    html = client_as("auditor").get(reverse("accounts:audit"), {"action": "exported"}).content.decode()
    assert "in-street" in html
    assert "elsewhere" not in html


@pytest.mark.parametrize("username", ["taian_staff", "volunteer", "guard", "health_officer", "outsider"])
def test_only_auditors_read_the_log(demo, client_as, username):
    assert client_as(username).get(reverse("accounts:audit")).status_code == 404


def test_audit_page_query_count_is_constant(demo, client_as, django_assert_max_num_queries):
    for n in range(60):
        audit_log(
            action=CoreAudit.EXPORTED, actor=demo.taian_staff, place_path=demo.places["taian"].path, purpose=f"p{n}"
        )
    client = client_as("auditor")
    with django_assert_max_num_queries(6):
        assert client.get(reverse("accounts:audit")).status_code == 200


def test_the_old_address_leads_to_the_page(demo, client_as):
    response = client_as("auditor").get("/audit/?action=exported")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:audit") + "?action=exported"


def test_each_action_shows_its_apps_label_and_filters(demo, client_as):
    audit_log(action=AccountsAudit.ROLE_GRANTED, actor=demo.taian_staff, place_path=demo.places["taian"].path)
    audit_log(action=CoreAudit.EXPORTED, actor=demo.taian_staff, place_path=demo.places["taian"].path)
    response = client_as("auditor").get(reverse("accounts:audit"), {"action": "role_granted"})
    assert ("role_granted", str(AccountsAudit.ROLE_GRANTED.label)) in response.context["actions"]
    assert {e.action for e in response.context["page_obj"]} == {"role_granted"}
    assert str(AccountsAudit.ROLE_GRANTED.label) in response.content.decode()


def test_roles_reasons_and_pseudo_actors_read_as_words_in_chinese(demo, client_as):
    from tongzhou.monitoring.audit import MonitoringAudit

    place = demo.places["taian"].path
    audit_log(
        action=AccountsAudit.ROLE_GRANTED, actor=demo.taian_staff, place_path=place, details={"role": "volunteer"}
    )
    audit_log(action=CoreAudit.EXPORTED, actor_name="public", place_path=place, purpose="sign-up")
    audit_log(
        action=MonitoringAudit.KEY_PERSON_REGISTERED,
        actor=demo.health_officer,
        place_path=place,
        details={"reason": "close_contact"},
    )
    html = client_as("auditor").get(reverse("accounts:audit"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert " · 志愿者</td>" in html and "· volunteer<" not in html
    assert "<td>公众</td>" in html and ">public<" not in html
    assert " · 密切接触者</td>" in html and "close_contact" not in html
