"""The newest supplies pages as a reader sees them, in Chinese and English: the public ledger's
title is text only and its hand-out counts name what there is ("1 worker · 1 team", never
"1 workers at 0 posts"); a grant's amounts read as money (申请金额), not quantities; a packing list
goes unit by unit, room by room (and so does the building lead's delivery page); a purchase waiting for its second approval shows the lot codes
entered; a tally alert names its kind (Post, 岗位) in the reader's language."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tongzhou.accounts.models import User
from tongzhou.demo import load_demo
from tongzhou.supplies.alert_kinds import _tally_mismatch
from tongzhou.supplies.fund_services import BoughtLine, purchase_record
from tongzhou.supplies.models import Distribution, DistributionHousehold, Fund, Item, PurchaseStatus, Store


def _client(username: str | None = None, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def test_public_ledger_title_is_text_and_counts_say_only_what_there_is(demo):
    load_demo(log=lambda message: None)
    url = reverse("supplies:public_ledger", args=["520102029"])
    english = _client().get(url).content.decode()
    title = re.search(r"<title>(.*?)</title>", english, re.S)
    assert title and "<" not in title.group(1) and "funds-csv" not in title.group(1)
    handed = re.findall(r'data-handed="[^"]*">([^<]*)</p>', english)
    assert handed and all(" handed out to " in line for line in handed)
    assert not any(re.search(r"\b0 (workers?|posts?|teams?)\b|\b1 (workers|posts|teams)\b", line) for line in handed)
    chinese = _client(language="zh-hans").get(url).content.decode()
    assert "名一线人员" in chinese and "0 个岗位" not in chinese and "0 支队伍" not in chinese


def test_a_grant_reads_as_money_in_chinese(demo):
    load_demo(log=lambda message: None)
    page = _client("street_admin", "zh-hans").get(reverse("supplies:fund", args=[Fund.objects.get().pk]))
    text = page.content.decode()
    assert "申请金额 ¥" in text and "批准金额 ¥" in text
    assert "申领数量" not in text and "批准数量" not in text


def test_the_packing_list_goes_unit_by_unit_room_by_room(demo):
    load_demo(log=lambda message: None)
    distribution = Distribution.objects.get()
    building = DistributionHousehold.objects.filter(distribution=distribution).values_list("building_id", flat=True)[0]
    page = _client("taian_staff").get(reverse("supplies:packing_list", args=[distribution.pk, building]))
    rooms = [row.room for row, _parcel in page.context["packing"].rows]
    units = [int(re.match(r"(\d+)", room).group(1)) for room in rooms]  # type: ignore[union-attr]
    assert len(rooms) > 1 and units == sorted(units) and rooms[0].startswith("1单元")
    pdf = _client("taian_staff").get(reverse("supplies:packing_pdf", args=[distribution.pk, building]))
    assert pdf.status_code == 200
    phone = _client("building_lead").get(reverse("supplies:deliver", args=[distribution.pk]))
    rows = [row for row, _parcel in phone.context["rows"]]
    first_building = [row.room for row in rows if row.building_id == rows[0].building_id]
    assert len(first_building) > 1 and first_building[0].startswith("1单元")
    assert [int(re.match(r"(\d+)", room).group(1)) for room in first_building] == sorted(  # type: ignore[union-attr]
        int(re.match(r"(\d+)", room).group(1))  # type: ignore[union-attr]
        for room in first_building
    )


def test_a_purchase_waiting_for_its_second_approval_shows_its_lots(demo):
    load_demo(log=lambda message: None)
    fund = Fund.objects.get()
    admin = User.objects.get(username="street_admin")
    item = Item.objects.order_by("pk").first()
    waiting = purchase_record(
        actor=admin,
        fund=fund,
        store=Store.objects.filter(place_path=fund.place_path).first(),
        supplier="贵阳安康物资有限公司",
        amount="8800",
        lines=[BoughtLine(item_id=item.pk, quantity="200", lot_code="AK-2611", expires_on=date(2027, 11, 30))],  # type: ignore[union-attr]
    )
    assert waiting.status == PurchaseStatus.WAITING
    page = _client("street_admin").get(reverse("supplies:purchase", args=[waiting.pk]))
    assert "<td>AK-2611</td>" in page.content.decode()


def test_a_tally_alert_names_its_kind_in_the_readers_language():
    details = {"item": "医用外科口罩", "by": "post", "who": 1, "tally": "55", "handouts": "60"}
    with translation.override("en"):
        assert _tally_mismatch(details) == "医用外科口罩 Post #1: 55 ≠ 60"
    with translation.override("zh-hans"):
        assert _tally_mismatch(details) == "医用外科口罩 岗位 #1: 55 ≠ 60"


def test_the_demo_purchase_over_the_line_waits_for_the_street_deputy(demo):
    """The demo's ¥6,800 purchase waits in the second street administrator's approvals; the
    administrator who recorded it cannot decide it."""
    from tongzhou.core.transitions import OwnRequest
    from tongzhou.supplies.fund_services import purchase_second_decide
    from tongzhou.supplies.models import Purchase, PurchaseApproval

    load_demo(log=lambda message: None)
    waiting = Purchase.objects.get(supplier="贵阳黔康消毒用品有限公司")
    assert waiting.status == PurchaseStatus.WAITING
    approval = PurchaseApproval.objects.get(purchase=waiting)
    url = reverse("approvals:detail", args=["purchase", approval.pk])
    assert url in _client("street_deputy").get(reverse("approvals:list")).content.decode()
    with pytest.raises(OwnRequest):
        purchase_second_decide(actor=User.objects.get(username="street_admin"), approval=approval, approve=True)
    purchase_second_decide(actor=User.objects.get(username="street_deputy"), approval=approval, approve=True)
    waiting.refresh_from_db()
    assert waiting.status == PurchaseStatus.DONE
