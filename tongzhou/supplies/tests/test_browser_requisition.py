"""In a real browser on a phone (390 px): 泰安巷's keeper asks the street's warehouse for masks and
gloves, the street approves part of it, the warehouse keeper sends it, and the asking keeper
confirms its arrival; the storeroom's stock rises by what was approved."""

import pytest

from tongzhou.supplies.models import Balance, Requisition, RequisitionStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 390


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "tongzhou-demo")
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def on_hand(store, item):
    return sum(Balance.objects.filter(store=store, item=item, in_transit=False).values_list("quantity", flat=True))


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_ask_approve_part_send_and_confirm_arrival(supplies, demo, new_page):
    store, mask, gloves = supplies.store_taian, supplies.item_mask, supplies.item_gloves
    masks_before, gloves_before = on_hand(store, mask), on_hand(store, gloves)

    keeper = new_page()
    log_in(keeper, "taian_keeper")
    keeper.goto("/supplies/requisitions/new/")
    keeper.select_option("#id_store", str(store.pk))
    keeper.fill("#id_reason", "3号院东门卡点一周用量")
    keeper.select_option("#id_item1", str(mask.pk))
    keeper.fill("#id_quantity1", "500")
    keeper.select_option("#id_item2", str(gloves.pk))
    keeper.fill("#id_quantity2", "200")
    fits(keeper)
    keeper.click("#requisition-form button[type=submit]")
    keeper.wait_for_selector("#status")
    requisition = Requisition.objects.get(store=store, reason="3号院东门卡点一周用量")
    assert requisition.status == RequisitionStatus.SUBMITTED
    fits(keeper)
    url = f"/supplies/requisitions/{requisition.pk}/"

    street = new_page()
    log_in(street, "street_admin")
    street.goto(url)
    lines = {line.item_id: line for line in requisition.lines.all()}
    street.fill(f'[name="approved-{lines[mask.pk].pk}"]', "300")
    fits(street)
    street.click('#decide-form button[value="approve"]')
    street.wait_for_selector("#status")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.APPROVED
    assert sorted(requisition.lines.values_list("approved", flat=True)) == [200, 300]

    warehouse = new_page()
    log_in(warehouse, "street_keeper")
    warehouse.goto(url)
    fits(warehouse)
    warehouse.click("#issue")
    warehouse.wait_for_selector("#status")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ISSUED
    assert on_hand(store, mask) == masks_before  # on its way, not arrived

    keeper.goto(url)
    fits(keeper)
    keeper.click("#receive")
    keeper.wait_for_selector("#status")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.DELIVERED
    assert (on_hand(store, mask), on_hand(store, gloves)) == (masks_before + 300, gloves_before + 200)
    assert keeper.locator("#receive").count() == 0
    fits(keeper)
