"""Two people spend the last of a fund at the same moment, each on their own database connection:
the fund's row lock lets exactly one purchase through, and the balance never goes below zero."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tongzhou.accounts.services import role_grant
from tongzhou.core.permissions import Role
from tongzhou.supplies.fund_selectors import fund_sums
from tongzhou.supplies.fund_services import BoughtLine, fund_create, grant_answer, grant_apply, purchase_record
from tongzhou.supplies.models import Entry, Purchase

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_purchases_of_the_last_money_one_wins(supplies, demo):
    staff = demo.taian_staff
    second = demo.users["outsider"]
    role_grant(actor=None, user=second, role=Role.COMMUNITY_STAFF, place=demo.places["taian"])
    fund = fund_create(actor=staff, place=demo.places["taian"], name="泰安巷防疫专项资金")
    grant = grant_apply(actor=staff, fund=fund, applicant="泰安巷社区工会", funder="市职工保险互助会", amount="1000")
    grant_answer(actor=staff, grant=grant, approve=True, amount="1000")
    store_pk, item_pk = supplies.store_taian.pk, supplies.item_gloves.pk
    entries = Entry.objects.count()
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def spend(user):
        from tongzhou.supplies.models import Fund, Store

        try:
            the_fund, store = Fund.objects.get(pk=fund.pk), Store.objects.get(pk=store_pk)
            barrier.wait(timeout=10)
            purchase_record(
                actor=user,
                fund=the_fund,
                store=store,
                supplier=f"供应商{user.pk}",
                amount="800",
                lines=[BoughtLine(item_pk, 100)],
            )
            results[user.username] = "won"
        except ValidationError:
            results[user.username] = "lost"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=spend, args=(user,)) for user in (staff, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == ["lost", "won"], (connection.vendor, results)
    assert Purchase.objects.filter(fund=fund).count() == 1
    assert Entry.objects.count() == entries + 1
    assert fund_sums(fund).balance == Decimal("200.00")
