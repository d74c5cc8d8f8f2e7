"""The help pages by persona: who sees what (masked or in full), who gets 404, and forms that
name the bad field."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from tongzhou.assistance.audit import AssistanceAudit
from tongzhou.assistance.models import Category, HelpRequest, Purchase, Status
from tongzhou.assistance.services import help_request_claim, purchase_add, purchase_repaid
from tongzhou.core.models import AuditEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_volunteers_see_open_requests_of_their_area_masked(demo, client_as, make_request, taian_person):
    help_request = make_request(summary="买菜：大米一袋")
    html = client_as("volunteer").get(reverse("assistance:jobs")).content.decode()
    assert f'data-request="{help_request.pk}"' in html
    assert "买菜：大米一袋" in html
    assert taian_person.name not in html
    assert taian_person.name[0] + "*" in html
    assert taian_person.phone not in html
    # The open list hides rooms (the demo's own requests the volunteer took, above it, show theirs).
    open_list = html.split('id="open-requests"', 1)[1]
    assert f" {taian_person.household.room}<" not in open_list


def test_the_detail_is_masked_until_taken_then_full_for_the_taker_only(demo, client_as, make_request, taian_person):
    help_request = make_request()
    volunteer = client_as("volunteer")
    url = reverse("assistance:detail", args=[help_request.pk])
    masked = volunteer.get(url).content.decode()
    assert taian_person.phone not in masked and taian_person.name not in masked
    assert 'id="claim"' in masked

    response = volunteer.post(reverse("assistance:claim", args=[help_request.pk]))
    assert response.status_code == 302
    full = volunteer.get(url).content.decode()
    assert taian_person.phone in full and taian_person.name in full and taian_person.household.room in full
    assert AuditEvent.objects.filter(
        action=AssistanceAudit.HELP_REQUEST_TAKEN, actor=demo.volunteer, details__help_request=help_request.pk
    ).exists()
    # Taken: another who may take requests there sees nothing any more.
    assert client_as("building_lead").get(url).status_code == 404


def test_two_claims_one_winner_through_the_pages(demo, client_as, make_request):
    help_request = make_request()
    first = client_as("volunteer").post(reverse("assistance:claim", args=[help_request.pk]))
    second = client_as("building_lead").post(reverse("assistance:claim", args=[help_request.pk]))
    assert first.status_code == 302 and first["Location"].endswith(f"/help/{help_request.pk}/")
    assert second.status_code == 404  # taken: no longer visible to them at all
    assert HelpRequest.objects.get(pk=help_request.pk).assignee == demo.volunteer


@pytest.mark.parametrize("username", ["songhua_staff", "dongfeng_staff", "guard", "health_officer", "auditor"])
def test_others_get_404_on_a_taian_request(demo, client_as, make_request, username):
    help_request = make_request()
    client = client_as(username)
    for name in ("detail", "assign"):
        assert client.get(reverse(f"assistance:{name}", args=[help_request.pk])).status_code == 404, name
    for name in ("claim", "move", "purchase_new"):
        assert (
            client.post(reverse(f"assistance:{name}", args=[help_request.pk]), {"to": "cancelled"}).status_code == 404
        )
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.NEW


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("outsider", set()),
        ("guard", set()),
        ("health_officer", set()),
        ("auditor", set()),
        ("volunteer", {"jobs"}),
        ("building_lead", {"jobs", "intake", "callers"}),
        ("taian_staff", {"jobs", "intake", "callers", "desk"}),
    ],
)
def test_pages_by_persona(demo, client_as, username, allowed):
    client = client_as(username)
    for name in ("jobs", "intake", "callers", "desk"):
        status = client.get(reverse(f"assistance:{name}")).status_code
        assert status == (200 if name in allowed else 404), (name, status)


def test_anonymous_is_sent_to_log_in(db):
    response = Client().get(reverse("assistance:jobs"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_desk_lists_its_area_only(demo, client_as, make_request, songhua_person):
    taian = make_request()
    songhua = make_request(person=songhua_person)
    html = client_as("taian_staff").get(reverse("assistance:desk")).content.decode()
    assert f'data-request="{taian.pk}"' in html and f'data-request="{songhua.pk}"' not in html
    html = client_as("street_admin").get(reverse("assistance:desk")).content.decode()
    assert f'data-request="{taian.pk}"' in html and f'data-request="{songhua.pk}"' in html
    html = client_as("taian_staff").get(reverse("assistance:desk"), {"status": "", "overdue": "on"}).content.decode()
    assert f'data-request="{taian.pk}"' not in html


def test_phone_intake_finds_the_caller_by_the_last_digits(demo, client_as, taian_person, songhua_person):
    client = client_as("taian_staff")
    html = client.get(reverse("assistance:callers"), {"last4": taian_person.phone[-4:]}).content.decode()
    assert f'data-caller="{taian_person.pk}"' in html
    html = client.get(reverse("assistance:callers"), {"last4": songhua_person.phone[-4:]}).content.decode()
    assert f'data-caller="{songhua_person.pk}"' not in html

    response = client.post(
        reverse("assistance:intake"),
        {"person": taian_person.pk, "category": Category.MEDICINE, "urgency": "urgent", "summary": "降压药"},
    )
    assert response.status_code == 302
    help_request = HelpRequest.objects.get(summary="降压药")
    assert (help_request.person, help_request.created_by, help_request.contact_phone) == (
        taian_person,
        demo.taian_staff,
        taian_person.phone,
    )


def test_intake_cannot_reach_a_resident_of_another_community(demo, client_as, songhua_person):
    response = client_as("taian_staff").post(
        reverse("assistance:intake"),
        {"person": songhua_person.pk, "category": Category.MEDICINE, "urgency": "normal", "summary": "越界"},
    )
    assert response.status_code == 200
    assert not HelpRequest.objects.filter(summary="越界").exists()


def test_intake_of_a_new_caller_names_the_bad_fields(demo, client_as):
    client = client_as("building_lead")
    response = client.post(
        reverse("assistance:intake"),
        {"contact_name": "名" * 60, "contact_phone": "12", "category": "x", "urgency": "normal", "summary": ""},
    )
    errors = response.context["form"].errors
    assert {"contact_name", "category", "summary"} <= set(errors)
    response = client.post(
        reverse("assistance:intake"),
        {
            "contact_name": "王女士",
            "contact_phone": "12",
            "category": "other",
            "urgency": "normal",
            "summary": "取快递",
        },
    )
    errors = response.context["form"].errors
    assert "contact_phone" in errors and "place" in errors
    assert not HelpRequest.objects.filter(summary="取快递").exists()


def test_a_building_lead_records_a_call_for_their_building(demo, client_as):
    household = demo.places["taian_household"]
    assert household.place.path.startswith(demo.places["taian_compound"].path)
    response = client_as("building_lead").post(
        reverse("assistance:intake"),
        {
            "contact_name": "王女士",
            "contact_phone": "13800001234",
            "place": household.place.pk,
            "room": household.room,
            "category": "other",
            "urgency": "normal",
            "summary": "取快递",
        },
    )
    assert response.status_code == 302
    assert HelpRequest.objects.get(summary="取快递").household == household


def test_moves_through_the_page(demo, client_as, make_request):
    help_request = help_request_claim(actor=demo.volunteer, help_request=make_request())
    client = client_as("volunteer")
    url = reverse("assistance:move", args=[help_request.pk])
    client.post(url, {"to": "in_progress"})
    client.post(url, {"to": "cancelled", "note": "不要了"})  # not the assignee's to make
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.IN_PROGRESS
    client.post(url, {"to": "done"})
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.DONE
    response = client.post(url, {"to": "new"})  # done never goes back to new
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.DONE
    assert response.status_code == 302


def test_purchases_with_a_receipt_seen_by_the_taker_and_the_desk_only(demo, client_as, make_request):
    help_request = help_request_claim(actor=demo.volunteer, help_request=make_request())
    client = client_as("volunteer")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("assistance:purchase_new", args=[help_request.pk]),
        {"items": "大米 10kg", "amount": "59.90", "receipt": SimpleUploadedFile("r.png", PNG, "image/png")},
    )
    assert response.status_code == 302
    purchase = Purchase.objects.get(help_request=help_request)
    assert (purchase.amount, purchase.receipt_type, bytes(purchase.receipt)) == (
        Decimal("59.90"),
        "image/png",
        PNG,
    )
    receipt = reverse("assistance:receipt", args=[help_request.pk, purchase.pk])
    assert client.get(receipt).content == PNG
    assert client_as("taian_staff").get(receipt).status_code == 200
    assert client_as("building_lead").get(receipt).status_code == 404
    assert client_as("songhua_staff").get(receipt).status_code == 404


def test_only_the_desk_marks_an_advance_repaid(demo, client_as, make_request):
    help_request = help_request_claim(actor=demo.volunteer, help_request=make_request())
    purchase = purchase_add(actor=demo.volunteer, help_request=help_request, items="大米 10kg", amount="59.90")
    url = reverse("assistance:repaid", args=[help_request.pk, purchase.pk])
    detail = reverse("assistance:detail", args=[help_request.pk])
    volunteer = client_as("volunteer")
    assert url not in volunteer.get(detail).content.decode()
    assert volunteer.post(url).status_code == 404  # as every desk page answers one without HELP_MANAGE
    with pytest.raises(PermissionDenied):
        purchase_repaid(actor=demo.volunteer, purchase=purchase)
    assert client_as("songhua_staff").post(url).status_code == 404
    purchase.refresh_from_db()
    assert purchase.repaid_at is None
    staff = client_as("taian_staff")
    assert url in staff.get(detail).content.decode()
    assert staff.post(url).status_code == 302
    purchase.refresh_from_db()
    assert purchase.repaid_at is not None


@pytest.mark.parametrize(
    ("data", "label"),
    [
        ({"items": "米", "amount": "abc"}, "Money advanced (yuan)"),
        ({"items": "米", "amount": "-3"}, "Money advanced (yuan)"),
        ({"items": "", "amount": "5"}, "Items bought"),
    ],
)
def test_bad_purchases_are_refused_naming_the_field(demo, client_as, make_request, data, label):
    help_request = help_request_claim(actor=demo.volunteer, help_request=make_request())
    response = client_as("volunteer").post(
        reverse("assistance:purchase_new", args=[help_request.pk]), data, follow=True
    )
    assert label + ":" in response.content.decode()
    assert not Purchase.objects.filter(help_request=help_request).exists()


def test_a_receipt_must_be_a_photo(demo, make_request):
    from django.core.exceptions import ValidationError

    help_request = help_request_claim(actor=demo.volunteer, help_request=make_request())
    with pytest.raises(ValidationError) as error:
        purchase_add(actor=demo.volunteer, help_request=help_request, items="米", amount="5", receipt=b"%PDF-1.4 ...")
    assert "receipt" in error.value.message_dict
    assert not Purchase.objects.filter(help_request=help_request).exists()


def test_dashboard_shows_help_figures_to_the_desk_only(demo, client_as, make_request):
    make_request()
    staff = client_as("taian_staff").get(reverse("reports:dashboard"))
    assert staff.context["help"]["open"] >= 1
    assert staff.content.decode().count('id="help-figures"') == 1
    volunteer = client_as("volunteer").get(reverse("reports:dashboard"))
    assert volunteer.context["help"] is None and 'id="help-figures"' not in volunteer.content.decode()
