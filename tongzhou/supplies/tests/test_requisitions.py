"""Requisitions: a store asks, the street approves all or part (a second person over the
threshold, through the shared approval queue), the warehouse sends, the store confirms."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from tongzhou.accounts.services import role_grant, user_create
from tongzhou.core.permissions import Role
from tongzhou.core.transitions import ApprovalState, OwnRequest, waiting_for
from tongzhou.supplies import services
from tongzhou.supplies.models import Balance, Entry, Requisition, RequisitionApproval, RequisitionStatus


def login(user):
    client = Client()
    client.force_login(user)
    return client


def on_hand(store, item):
    return sum(Balance.objects.filter(store=store, item=item, in_transit=False).values_list("quantity", flat=True))


def ask(supplies, actor, mask="300", gloves="100"):
    return services.requisition_submit(
        actor=actor,
        store=supplies.store_taian,
        reason="东门卡点口罩不够",
        lines=[
            services.AskedLine(supplies.item_mask.pk, mask),
            services.AskedLine(supplies.item_gloves.pk, gloves),
        ],
    )


@pytest.fixture
def second_admin(demo):
    user = user_create(actor=None, username="street_admin2", password="x-long-password-1", display_name="副主任")
    role_grant(actor=None, user=user, role=Role.STREET_ADMIN, place=demo.users["street_admin"].roles.first().place)
    return user


def approve_all(requisition, actor, override=None):
    lines = {line.pk: str(line.quantity) for line in requisition.lines.all()}
    lines.update(override or {})
    return services.requisition_approve(actor=actor, requisition=requisition, approved=lines)


def test_asked_approved_in_part_sent_and_confirmed(supplies, demo):
    requisition = ask(supplies, demo.users["taian_staff"])
    mask_line = requisition.lines.get(item=supplies.item_mask)
    approve_all(requisition, demo.users["street_admin"], {mask_line.pk: "200"})
    requisition.refresh_from_db()
    # 200 masks = 4 boxes of 50, 100 pairs of gloves = 1 box: under the threshold of 20 packs.
    assert requisition.status == RequisitionStatus.APPROVED
    before = on_hand(supplies.store_warehouse, supplies.item_mask)
    services.requisition_issue(actor=supplies.street_keeper, requisition=requisition)
    assert on_hand(supplies.store_warehouse, supplies.item_mask) == before - 200
    taian_before = on_hand(supplies.store_taian, supplies.item_mask)
    requisition.refresh_from_db()
    services.requisition_receive(actor=supplies.taian_keeper, requisition=requisition)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.DELIVERED
    assert on_hand(supplies.store_taian, supplies.item_mask) == taian_before + 200
    assert [e.to_status for e in requisition.events.order_by("pk")] == [
        "submitted",
        "approved",
        "issued",
        "delivered",
    ]


@override_settings(TONGZHOU_SUPPLIES_SECOND_APPROVAL_PACKS=5)
def test_over_the_threshold_a_second_person_approves_never_the_first(supplies, demo, second_admin):
    requisition = ask(supplies, demo.users["taian_staff"])
    first = demo.users["street_admin"]
    approve_all(requisition, first)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.SECOND
    approval = RequisitionApproval.objects.get(requisition=requisition)
    assert approval.requested_by == first
    # The first approver neither sees it waiting nor may decide it.
    assert not [w for w in waiting_for(first) if w.kind.key == "requisition"]
    with pytest.raises(OwnRequest):
        services.requisition_second_decide(actor=first, approval=approval, approve=True)
    assert [w.obj for w in waiting_for(second_admin) if w.kind.key == "requisition"] == [approval]
    response = login(second_admin).post(
        reverse("approvals:detail", args=["requisition", approval.pk]), {"decision": "approve", "note": "同意"}
    )
    assert response.status_code in (200, 302)
    approval.refresh_from_db()
    requisition.refresh_from_db()
    assert approval.status == ApprovalState.APPROVED and approval.decided_by == second_admin
    assert requisition.status == RequisitionStatus.APPROVED


@override_settings(TONGZHOU_SUPPLIES_SECOND_APPROVAL_PACKS=5)
def test_the_second_refusal_rejects_the_requisition(supplies, demo, second_admin):
    requisition = ask(supplies, demo.users["taian_staff"])
    approve_all(requisition, demo.users["street_admin"])
    approval = RequisitionApproval.objects.get(requisition=requisition)
    services.requisition_second_decide(actor=second_admin, approval=approval, approve=False, note="太多")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.REJECTED


def test_under_the_threshold_no_second_approval(supplies, demo):
    requisition = ask(supplies, demo.users["taian_staff"], mask="50", gloves="100")
    approve_all(requisition, demo.users["street_admin"])
    assert not RequisitionApproval.objects.exists()


def test_nobody_approves_their_own_requisition(supplies, demo):
    requisition = ask(supplies, demo.users["street_admin"])
    with pytest.raises(PermissionDenied):
        approve_all(requisition, demo.users["street_admin"])
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.SUBMITTED


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([("mask", "-5")], "Row 1"),
        ([("mask", "2.5")], "Row 1"),
        ([("mask", "10"), ("999999", "1")], "Row 2"),
        ([("mask", "10"), ("mask", "5")], "Row 2"),
        ([], "line"),
    ],
)
def test_bad_lines_name_the_row_and_write_nothing(supplies, demo, lines, message):
    asked = [
        services.AskedLine(supplies[f"item_{k}"].pk if k == "mask" else k, q)  # type: ignore[index]
        for k, q in lines
    ]
    with pytest.raises(ValidationError) as error:
        services.requisition_submit(
            actor=demo.users["taian_staff"], store=supplies.store_taian, reason="x", lines=asked
        )
    assert message in " ".join(error.value.messages)
    assert not Requisition.objects.exists()


def test_approving_more_than_asked_is_refused(supplies, demo):
    requisition = ask(supplies, demo.users["taian_staff"])
    mask_line = requisition.lines.get(item=supplies.item_mask)
    with pytest.raises(ValidationError, match="Row 1"):
        approve_all(requisition, demo.users["street_admin"], {mask_line.pk: "301"})
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.SUBMITTED
    assert mask_line.__class__.objects.get(pk=mask_line.pk).approved is None


def test_sending_more_than_the_warehouse_has_sends_nothing(supplies, demo):
    requisition = ask(supplies, demo.users["taian_staff"], mask="50", gloves="100")
    approve_all(requisition, demo.users["street_admin"])
    requisition.refresh_from_db()
    left = on_hand(supplies.store_warehouse, supplies.item_gloves)
    services.stock_issue(actor=None, store=supplies.store_warehouse, item=supplies.item_gloves, quantity=left - 10)
    before = Entry.objects.count()
    with pytest.raises(ValidationError, match="Row 2"):
        services.requisition_issue(actor=supplies.street_keeper, requisition=requisition)
    assert Entry.objects.count() == before
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.APPROVED


def test_the_pages_on_a_phone(supplies, demo):
    staff = login(demo.users["taian_staff"])
    assert staff.get(reverse("supplies:requisition_create")).status_code == 200
    response = staff.post(
        reverse("supplies:requisition_create"),
        {
            "store": supplies.store_taian.pk,
            "reason": "东门卡点",
            "item1": supplies.item_mask.pk,
            "quantity1": "100",
        },
    )
    assert response.status_code == 302
    requisition = Requisition.objects.get()
    assert "东门卡点" in staff.get(reverse("supplies:requisitions")).content.decode()
    admin = login(demo.users["street_admin"])
    page = admin.get(reverse("supplies:requisition", args=[requisition.pk]))
    assert 'name="approved-' in page.content.decode()
    line = requisition.lines.get()
    response = admin.post(
        reverse("supplies:requisition_decide", args=[requisition.pk]), {f"approved-{line.pk}": "80", "note": ""}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.approved == Decimal(80)
    keeper = login(supplies.street_keeper)
    assert keeper.post(reverse("supplies:requisition_issue", args=[requisition.pk])).status_code == 302
    taian = login(supplies.taian_keeper)
    assert taian.post(reverse("supplies:requisition_receive", args=[requisition.pk])).status_code == 302
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.DELIVERED


def test_bad_input_on_the_page_is_a_form_error(supplies, demo):
    staff = login(demo.users["taian_staff"])
    response = staff.post(
        reverse("supplies:requisition_create"),
        {"store": supplies.store_taian.pk, "reason": "x", "item1": supplies.item_mask.pk, "quantity1": "-3"},
    )
    assert response.status_code == 400
    assert "Row 1" in " ".join(response.context["form"].non_field_errors())
    assert not Requisition.objects.exists()
    requisition = ask(supplies, demo.users["taian_staff"])
    line = requisition.lines.first()
    response = login(demo.users["street_admin"]).post(
        reverse("supplies:requisition_decide", args=[requisition.pk]), {f"approved-{line.pk}": "abc"}
    )
    assert response.status_code == 400
    assert "Row 1" in response.content.decode()


def test_songhua_staff_get_404_and_a_volunteer_cannot_approve(supplies, demo):
    requisition = ask(supplies, demo.users["taian_staff"])
    songhua = login(demo.users["songhua_staff"])
    assert songhua.get(reverse("supplies:requisition", args=[requisition.pk])).status_code == 404
    line = requisition.lines.first()
    for persona in ("songhua_staff", "volunteer", "taian_keeper"):
        user = supplies.taian_keeper if persona == "taian_keeper" else demo.users[persona]
        response = login(user).post(
            reverse("supplies:requisition_decide", args=[requisition.pk]), {f"approved-{line.pk}": "1"}
        )
        assert response.status_code == 404
    # 泰安巷's own staff manage their community, not the street's warehouse: no approving either.
    response = login(demo.users["taian_staff"]).post(
        reverse("supplies:requisition_decide", args=[requisition.pk]), {f"approved-{line.pk}": "1"}
    )
    assert response.status_code == 404
    volunteer = login(demo.users["volunteer"])
    assert volunteer.get(reverse("supplies:requisitions")).status_code == 404
    assert Client().get(reverse("supplies:requisitions")).status_code == 302
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.SUBMITTED
    assert requisition.lines.filter(approved__isnull=False).count() == 0
