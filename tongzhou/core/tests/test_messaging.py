"""Secrets stay out of the log (issue #15, item 6): with DEBUG off the console message backend
runs only when allowed on purpose, and what it logs has links and passwords masked."""

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tongzhou.core.messaging import ConsoleBackend, Message, masked_text, send_message

TOKEN = ".eJyrVipILSrOz1OyMtRRSs5PSc1LTc8syczPA-kqzs9NVbIyqgUAb70Mhw:1tHz3c:Xk2m9cBqA0mWg3bvqLhJQ1pYH3"


def _settings_import(**env: str) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": "x" * 50,
        "TONGZHOU_PII_KEY": "dGVzdC1rZXktbmV3LTAwMDAwMDAwMDAwMDAwMDAwMDA=",
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    return subprocess.run(
        [sys.executable, "-c", "import tongzhou.settings"],
        env={**base, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_debug_off_the_console_backend_stops_start_up_unless_allowed():
    refused = _settings_import(DEBUG="false")
    assert refused.returncode != 0 and "TONGZHOU_CONSOLE_MESSAGES_ALLOWED" in refused.stderr
    assert _settings_import(DEBUG="false", TONGZHOU_CONSOLE_MESSAGES_ALLOWED="true").returncode == 0
    assert _settings_import(DEBUG="true").returncode == 0
    gateway = "tongzhou.core.tests.test_messaging.Gateway"
    assert _settings_import(DEBUG="false", TONGZHOU_MESSAGE_BACKEND=gateway).returncode == 0


def test_the_console_backend_itself_refuses_with_debug_off_unless_allowed():
    with override_settings(DEBUG=False, TONGZHOU_CONSOLE_MESSAGES_ALLOWED=False), pytest.raises(ImproperlyConfigured):
        ConsoleBackend()
    with override_settings(DEBUG=False, TONGZHOU_CONSOLE_MESSAGES_ALLOWED=True):
        ConsoleBackend()
    with override_settings(DEBUG=True, TONGZHOU_CONSOLE_MESSAGES_ALLOWED=False):
        ConsoleBackend()


def test_links_passwords_and_phones_are_masked_in_the_log(db, caplog):
    link = f"https://tongzhou.example.gov.cn/residents/mine/{TOKEN}/"
    text = f"Log in at /accounts/login/ with password Xk3-p9Q2mWz7, your record: {link} or /help/mine/{TOKEN}/"
    ConsoleBackend.outbox.clear()
    with caplog.at_level(logging.INFO, logger="tongzhou.messages"):
        send_message(to="13812345678", text=text, secrets=("Xk3-p9Q2mWz7",))
    logged = caplog.text
    assert TOKEN not in logged and "Xk3-p9Q2mWz7" not in logged and "13812345678" not in logged
    assert "https://tongzhou.example.gov.cn/residents/mine/****/" in logged
    assert "/accounts/login/" in logged and "138****5678" in logged
    # The message itself (what a gateway would send) is whole.
    assert ConsoleBackend.outbox[-1].text == text


def test_masking_leaves_ordinary_text_alone():
    text = "您的求助 #12 已由 张三 接单，请保持电话畅通。https://tongzhou.example.gov.cn/accounts/login/"
    assert masked_text(Message(to="1", text=text)) == text


def test_a_personal_link_sent_to_a_resident_is_masked_in_the_log(demo, caplog):
    from tongzhou.people.models import Person
    from tongzhou.people.services import person_from_link, person_link_send

    people = Person.objects.filter(place_path__startswith=demo.places["taian"].path).order_by("pk")
    person = next(p for p in people if p.phone)
    with caplog.at_level(logging.INFO, logger="tongzhou.messages"):
        person_link_send(actor=demo.taian_staff, person=person, site_url="https://tz.example")
    token = ConsoleBackend.outbox[-1].text.rstrip("/").rsplit("/", 1)[1]
    assert person_from_link(token) == person
    assert token not in caplog.text and "/residents/mine/****/" in caplog.text


class Gateway:
    def send(self, message: Message) -> None:
        pass
