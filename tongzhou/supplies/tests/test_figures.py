"""The dashboard's supplies figures: days of stock left, open requisitions, shortages."""

from decimal import Decimal

from django.test import Client
from django.urls import reverse

from tongzhou.accounts.selectors import scope_for
from tongzhou.core.permissions import Perm
from tongzhou.supplies.selectors import supplies_figures
from tongzhou.supplies.services.catalogue import minimum_set
from tongzhou.supplies.services.ledger import stock_issue
from tongzhou.supplies.services.requisitions import AskedLine, requisition_submit


def test_days_left_open_requisitions_and_shortages(supplies, demo, django_assert_num_queries):
    admin = demo.users["street_admin"]
    # 700 masks issued over the week from 泰安巷: 100 a day.
    stock_issue(actor=None, store=supplies.store_taian, item=supplies.item_mask, quantity=650)
    stock_issue(actor=None, store=supplies.store_taian_gate, item=supplies.item_mask, quantity=50)
    requisition_submit(
        actor=demo.users["taian_staff"],
        store=supplies.store_taian,
        reason="口罩",
        lines=[AskedLine(supplies.item_mask.pk, 500)],
    )
    minimum_set(actor=None, store=supplies.store_taian, item=supplies.item_gloves, quantity=1000)
    scope = scope_for(admin, Perm.SUPPLIES_VIEW)
    with django_assert_num_queries(4):
        figures = supplies_figures(scope)
    masks = next(d for d in figures["days_left"] if d.item == supplies.item_mask.name)
    assert masks.per_day == Decimal(100)
    assert masks.days == (masks.on_hand / 100).quantize(Decimal("0.1"))
    gloves = next(d for d in figures["days_left"] if d.item == supplies.item_gloves.name)
    assert gloves.days is None
    assert figures["open_requisitions"] == 1
    # 泰安巷's masks (50 < 200) and gloves (300 < 1000) are short.
    assert figures["shortages"] == 2
    songhua = supplies_figures(scope_for(demo.users["songhua_staff"], Perm.SUPPLIES_VIEW))
    assert songhua["open_requisitions"] == 0 and songhua["shortages"] == 0
    page = Client()
    page.force_login(admin)
    text = page.get(reverse("reports:dashboard")).content.decode()
    assert 'id="supply-figures"' in text and 'id="supplies-days-left"' in text
