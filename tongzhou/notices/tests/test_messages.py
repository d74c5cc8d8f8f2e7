"""The one message log (every module's messages, scoped by place, masked) and the gateway's
signed delivery receipts."""

import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tongzhou.core.messaging import send_message
from tongzhou.core.outbox.dispatch import receipt_signature
from tongzhou.core.outbox.models import MessageStatus, OutboxMessage
from tongzhou.core.tests.gateway_standin import gateway_standin
from tongzhou.people.models import Person
from tongzhou.people.services import person_link_send

RECEIPT_KEY = "receipt-key-for-tests"


def client_for(demo, username):
    client = Client()
    client.force_login(demo.users[username])
    return client


def resident(demo, community):
    return (
        Person.objects.filter(place_path__startswith=demo.places[community].path)
        .exclude(phone_index="")
        .order_by("pk")
        .first()
    )


def test_a_module_s_message_without_a_place_is_logged_where_its_resident_lives(demo):
    taian = resident(demo, "taian")
    person_link_send(actor=demo.taian_staff, person=taian, site_url="https://tz.example")
    row = OutboxMessage.objects.order_by("-pk").first()
    assert row.scope_path == taian.place_path and row.status == MessageStatus.SENT
    page = client_for(demo, "taian_staff").get(reverse("notices:messages")).content.decode()
    assert f'data-message="{row.pk}"' in page
    assert row.to_masked in page and taian.phone not in page
    assert "/residents/mine/****/" in page  # the link's token is masked


def test_songhua_staff_do_not_see_taian_s_messages_and_a_volunteer_sees_no_log(demo):
    taian = send_message(to=resident(demo, "taian").phone, text="泰安巷的消息")
    songhua = send_message(to=resident(demo, "songhua").phone, text="松花巷的消息")
    page = client_for(demo, "songhua_staff").get(reverse("notices:messages")).content.decode()
    assert f'data-message="{songhua.pk}"' in page and f'data-message="{taian.pk}"' not in page
    assert "泰安巷的消息" not in page
    assert client_for(demo, "volunteer").get(reverse("notices:messages")).status_code == 404
    street = client_for(demo, "street_admin").get(reverse("notices:messages")).content.decode()
    assert f'data-message="{songhua.pk}"' in street and f'data-message="{taian.pk}"' in street


def test_in_demo_mode_the_street_admin_reads_the_outbox_unmasked_and_staff_do_not(demo):
    taian = resident(demo, "taian")
    send_message(to=taian.phone, text="初始密码 Xk3-p9Q2mWz7", secrets=("Xk3-p9Q2mWz7",))
    url = reverse("notices:messages")
    with override_settings(TONGZHOU_DEMO=True):
        assert "Xk3-p9Q2mWz7" in client_for(demo, "street_admin").get(url).content.decode()
        assert "Xk3-p9Q2mWz7" not in client_for(demo, "taian_staff").get(url).content.decode()
    with override_settings(TONGZHOU_DEMO=False):
        page = client_for(demo, "street_admin").get(url).content.decode()
    assert "Xk3-p9Q2mWz7" not in page and "初始密码 ****" in page


def _post_receipt(body: bytes, signature: str):
    return Client().post(
        reverse("notices:receipt"), body, content_type="application/json", HTTP_X_TONGZHOU_SIGNATURE=signature
    )


@override_settings(TONGZHOU_SMS_RECEIPT_KEY=RECEIPT_KEY)
def test_a_signed_receipt_marks_the_message_delivered_and_a_forged_one_is_refused(db):
    with (
        gateway_standin() as standin,
        override_settings(
            TONGZHOU_MESSAGE_BACKEND="tongzhou.core.messaging.HttpSmsGateway", TONGZHOU_SMS_GATEWAY_URL=standin.url
        ),
    ):
        row = send_message(to="13800000001", text="x", scope="/52/")
        other = send_message(to="13800000002", text="y", scope="/52/")
    row.refresh_from_db()
    body = json.dumps({"id": row.provider_id, "status": "delivered"}).encode()
    forged = json.dumps({"key": other.key, "status": "failed"}).encode()

    assert _post_receipt(forged, receipt_signature(body)).status_code == 403  # a signature of another body
    assert _post_receipt(forged, "0" * 64).status_code == 403
    assert _post_receipt(forged, "").status_code == 403
    other.refresh_from_db()
    assert other.status == MessageStatus.SENT

    response = _post_receipt(body, receipt_signature(body))
    assert response.status_code == 200 and response.json() == {"changed": 1}
    row.refresh_from_db()
    assert row.status == MessageStatus.DELIVERED and row.delivered_at is not None
    # Replayed: nothing more changes.
    assert _post_receipt(body, receipt_signature(body)).json() == {"changed": 0}
    junk = b"not json"
    assert _post_receipt(junk, receipt_signature(junk)).status_code == 400


@override_settings(TONGZHOU_SMS_RECEIPT_KEY="")
def test_without_a_receipt_key_every_receipt_is_refused(db):
    body = b'{"key": "x", "status": "delivered"}'
    with override_settings(TONGZHOU_SMS_RECEIPT_KEY="k"):
        signature = receipt_signature(body)
    assert _post_receipt(body, signature).status_code == 403


@pytest.mark.parametrize("method", ["get", "put"])
def test_the_receipt_endpoint_takes_only_posts(db, method):
    assert getattr(Client(), method)(reverse("notices:receipt")).status_code == 405
