"""Two keepers issue the last 10 masks of a store at the same moment, each on their own database
connection: exactly one succeeds, and the stock never goes below zero."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from tongzhou.accounts.services import role_grant
from tongzhou.core.permissions import Role
from tongzhou.supplies.models import Balance, Entry, EntryKind
from tongzhou.supplies.services.checks import ledger_compare
from tongzhou.supplies.services.ledger import stock_issue, stock_receive

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5


def race(store_pk, item_pk, users, quantity):
    from tongzhou.supplies.models import Item, Store

    barrier = threading.Barrier(len(users))
    results: dict[str, str] = {}

    def issue(user):
        try:
            store, item = Store.objects.get(pk=store_pk), Item.objects.get(pk=item_pk)
            barrier.wait(timeout=10)
            stock_issue(actor=user, store=store, item=item, quantity=quantity)
            results[user.username] = "won"
        except ValidationError:
            results[user.username] = "lost"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_keepers_issuing_the_last_masks_one_wins(supplies):
    store, item = supplies.store_taian_gate, supplies.item_mask
    second = supplies.street_keeper
    role_grant(actor=None, user=second, role=Role.WAREHOUSE_KEEPER, place=store.place)
    users = [supplies.taian_keeper, second]
    stock = sum(Balance.objects.filter(store=store, item=item).values_list("quantity", flat=True))
    stock_issue(actor=users[0], store=store, item=item, quantity=stock)
    later = timezone.localdate() + timedelta(days=90)
    for _ in range(ROUNDS):
        stock_receive(actor=users[0], store=store, item=item, quantity=10, lot_code="LAST10", expires_on=later)
        issued_before = Entry.objects.filter(store=store, kind=EntryKind.ISSUED).count()
        results = race(store.pk, item.pk, users, 10)
        assert sorted(results.values()) == ["lost", "won"], (connection.vendor, results)
        assert sum(Balance.objects.filter(store=store, item=item).values_list("quantity", flat=True)) == 0
        assert Entry.objects.filter(store=store, kind=EntryKind.ISSUED).count() == issued_before + 1
    assert ledger_compare().mismatches == []
