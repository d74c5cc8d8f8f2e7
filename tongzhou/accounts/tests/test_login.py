import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from tongzhou.accounts.audit import AccountsAudit
from tongzhou.core.models import AuditEvent


def login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def test_log_in_is_audited_with_ip(demo):
    response = login(Client(), "taian_staff", "tongzhou-demo")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AccountsAudit.LOGIN)
    assert event.actor == demo.taian_staff
    assert event.ip == "10.1.2.3"
    assert event.place_path == demo.places["taian"].path


def test_failed_log_in_is_audited(demo):
    response = login(Client(), "taian_staff", "wrong-password")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AccountsAudit.LOGIN_FAILED)
    assert event.actor is None and event.actor_name == "taian_staff"
    assert event.place_path == demo.places["taian"].path


def test_log_in_is_throttled_after_repeated_failures(demo):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "taian_staff", "wrong-password")
    response = login(client, "taian_staff", "tongzhou-demo")  # even the right password
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_page_shows_demo_users_only_in_demo_mode(db):
    assert "tongzhou-demo" in Client().get(reverse("accounts:login")).content.decode()
    with override_settings(TONGZHOU_DEMO=False):
        assert "tongzhou-demo" not in Client().get(reverse("accounts:login")).content.decode()


def test_load_demo_refuses_outside_demo_mode(db):
    from django.core.management import CommandError

    with override_settings(TONGZHOU_DEMO=False), pytest.raises(CommandError, match="demo mode"):
        call_command("load_demo")


def test_passwords_are_hashed_with_argon2():
    from tongzhou import settings as real_settings

    assert real_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=real_settings.PASSWORD_HASHERS):
        assert get_hasher().algorithm == "argon2"


def test_logout_needs_post(demo, client_as):
    client = client_as("taian_staff")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert AuditEvent.objects.filter(action=AccountsAudit.LOGOUT, actor=demo.taian_staff).count() == 1
    assert client.get(reverse("reports:dashboard")).status_code == 302


def test_security_headers(demo, client_as):
    response = client_as("taian_staff").get(reverse("reports:dashboard"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_enforced(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.taian_staff)
    response = client.post(reverse("places:create", args=[demo.places["taian"].pk]), {"kind": "grid", "name": "X"})
    assert response.status_code == 403
