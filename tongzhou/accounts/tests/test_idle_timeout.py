"""Sessions end after a while without activity (issue #15, item 13)."""

import time

from django.test import override_settings
from django.urls import reverse

from tongzhou.accounts.audit import AccountsAudit
from tongzhou.accounts.middleware import LAST_SEEN
from tongzhou.core.models import AuditEvent


def _age_session(client, seconds: float) -> None:
    session = client.session
    session[LAST_SEEN] = time.time() - seconds
    session.save()


@override_settings(TONGZHOU_IDLE_MINUTES=30)
def test_a_session_idle_longer_than_the_setting_is_logged_out(demo, client_as):
    client = client_as("taian_staff")
    assert client.get(reverse("reports:dashboard")).status_code == 200
    _age_session(client, 31 * 60)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AccountsAudit.LOGOUT, actor=demo.taian_staff).exists()


@override_settings(TONGZHOU_IDLE_MINUTES=30)
def test_an_active_session_stays(demo, client_as):
    client = client_as("taian_staff")
    client.get(reverse("reports:dashboard"))
    _age_session(client, 29 * 60)
    assert client.get(reverse("reports:dashboard")).status_code == 200
    # The request counted as activity: the clock starts again.
    assert time.time() - client.session[LAST_SEEN] < 5


@override_settings(TONGZHOU_IDLE_MINUTES=0)
def test_zero_turns_the_time_out_off(demo, client_as):
    client = client_as("taian_staff")
    client.get(reverse("reports:dashboard"))
    _age_session(client, 10 * 24 * 3600)
    assert client.get(reverse("reports:dashboard")).status_code == 200
