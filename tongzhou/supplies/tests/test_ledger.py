"""The stock ledger: entries are only appended, balances move with them in one transaction and never
below zero, a reversal restores the balance, bad input writes nothing, and the check finds a
balance tampered with below the application."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tongzhou.alerts.models import Alert
from tongzhou.supplies.alert_kinds import Kind
from tongzhou.supplies.models import AdjustReason, Balance, ClaimKind, Entry, EntryClaim, EntryKind, Lot
from tongzhou.supplies.services import ledger
from tongzhou.supplies.services.checks import ledger_check, ledger_compare
from tongzhou.supplies.services.ledger import (
    entry_reverse,
    stock_adjust,
    stock_issue,
    stock_receive,
    stock_transfer,
    transfer_arrive,
)


def on_hand(store, item, in_transit=False):
    return sum(b.quantity for b in Balance.objects.filter(store=store, item=item, in_transit=in_transit))


def counts():
    return Entry.objects.count(), sorted(Balance.objects.values_list("pk", "quantity"))


def test_the_demo_stock_adds_up(supplies):
    assert on_hand(supplies.store_warehouse, supplies.item_mask) == 5000 - 2 * 800 + 50  # and the bank's 50
    assert on_hand(supplies.store_taian, supplies.item_mask) == 700
    assert on_hand(supplies.store_taian_gate, supplies.item_mask) == 100
    assert on_hand(supplies.store_taian, supplies.item_disinfectant) == Decimal("50")
    report = ledger_compare()
    assert report.mismatches == [] and report.entries == Entry.objects.count()


def test_an_issue_takes_the_first_expiring_lot_and_never_goes_below_zero(supplies):
    store, item, keeper = supplies.store_taian_gate, supplies.item_mask, supplies.taian_keeper
    soon = timezone.localdate() + timedelta(days=30)
    stock_receive(actor=keeper, store=store, item=item, quantity=10, lot_code="SOON", expires_on=soon)
    entries = stock_issue(actor=keeper, store=store, item=item, quantity=15)
    assert [(e.lot.code, e.quantity) for e in entries] == [("SOON", -10), ("KZ20200115", -5)]
    assert on_hand(store, item) == 95
    before = counts()
    with pytest.raises(ValidationError) as error:
        stock_issue(actor=keeper, store=store, item=item, quantity=96)
    assert "quantity" in error.value.message_dict and "95" in error.value.message_dict["quantity"][0]
    assert counts() == before


@pytest.mark.parametrize("quantity", ["-5", "0", "2.5", "abc", "1e9", "NaN"])
def test_bad_quantities_of_a_counted_item_write_nothing(supplies, quantity):
    before = counts()
    with pytest.raises(ValidationError) as error:
        stock_issue(actor=supplies.taian_keeper, store=supplies.store_taian, item=supplies.item_mask, quantity=quantity)
    assert "quantity" in error.value.message_dict
    assert counts() == before


def test_a_measured_item_takes_fractions(supplies):
    stock_issue(
        actor=supplies.taian_keeper, store=supplies.store_taian, item=supplies.item_disinfectant, quantity="2.5"
    )
    assert on_hand(supplies.store_taian, supplies.item_disinfectant) == Decimal("47.5")


def test_an_expired_lot_is_refused_and_skipped(supplies):
    store, item, keeper = supplies.store_taian, supplies.item_sanitizer, supplies.taian_keeper
    lot = Lot.objects.create(item=item, code="OLD", expires_on=timezone.localdate() - timedelta(days=1))
    Balance.objects.create(store=store, place_path=store.place_path, item=item, lot=lot, quantity=0)
    before = counts()
    with pytest.raises(ValidationError) as error:
        stock_issue(actor=keeper, store=store, item=item, quantity=1, lot=lot)
    assert "lot" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        stock_receive(actor=keeper, store=store, item=item, quantity=5, lot_code="OLD2", expires_on=lot.expires_on)
    assert "expires_on" in error.value.message_dict
    assert counts() == before


def test_another_communitys_keeper_may_not_touch_the_store(supplies):
    before = counts()
    with pytest.raises(PermissionDenied):
        stock_issue(actor=supplies.songhua_keeper, store=supplies.store_taian, item=supplies.item_mask, quantity=1)
    assert counts() == before


def test_entries_are_never_updated_or_deleted(supplies):
    entry = Entry.objects.order_by("pk").first()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        Entry.objects.filter(pk=entry.pk).update(quantity=1)
    with pytest.raises(PermissionError):
        Entry.objects.filter(pk=entry.pk).delete()
    # Below the application too: the database refuses the UPDATE (and on PostgreSQL the DELETE).
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE supplies_entry SET quantity = 1 WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM supplies_entry WHERE id = %s", [entry.pk])
    assert Entry.objects.get(pk=entry.pk).quantity == entry.quantity


def test_a_transfer_is_two_entries_in_one_transaction(supplies):
    source, destination, item = supplies.store_taian, supplies.store_taian_gate, supplies.item_gloves
    entries = stock_transfer(
        actor=supplies.taian_keeper, source=source, destination=destination, item=item, quantity=40
    )
    assert sorted((e.kind, e.quantity, e.in_transit) for e in entries) == [
        (EntryKind.TRANSFER_IN, 40, True),
        (EntryKind.TRANSFER_OUT, -40, False),
    ]
    assert len({e.batch for e in entries}) == 1
    assert (on_hand(source, item), on_hand(destination, item), on_hand(destination, item, True)) == (260, 0, 40)
    transfer_arrive(actor=supplies.taian_keeper, entry=next(e for e in entries if e.in_transit))
    assert (on_hand(destination, item), on_hand(destination, item, True)) == (40, 0)
    assert ledger_compare().mismatches == []


def test_a_transfer_whose_second_entry_fails_moves_nothing(supplies):
    source, destination, item = supplies.store_taian, supplies.store_taian_gate, supplies.item_gloves
    before = counts()
    real_move = ledger._move

    def failing_second(**kwargs):
        if kwargs["kind"] == EntryKind.TRANSFER_IN:
            raise DatabaseError("the second entry fails")
        return real_move(**kwargs)

    with mock.patch.object(ledger, "_move", side_effect=failing_second), pytest.raises(DatabaseError):
        stock_transfer(actor=supplies.taian_keeper, source=source, destination=destination, item=item, quantity=40)
    assert counts() == before
    assert on_hand(source, item) == 300


def test_a_reversing_entry_restores_the_balance(supplies):
    store, item, keeper = supplies.store_taian, supplies.item_suit, supplies.taian_keeper
    (issued,) = stock_issue(actor=keeper, store=store, item=item, quantity=7)
    assert on_hand(store, item) == 13
    (reversal,) = entry_reverse(actor=keeper, entry=issued, note="记错了")
    assert (reversal.reverses, reversal.quantity, reversal.kind) == (issued, 7, EntryKind.ISSUED)
    assert on_hand(store, item) == 20
    with pytest.raises(ValidationError):
        entry_reverse(actor=keeper, entry=issued)
    with pytest.raises(ValidationError):
        entry_reverse(actor=keeper, entry=reversal)
    assert on_hand(store, item) == 20
    assert ledger_compare().mismatches == []


def test_a_second_reversal_or_arrival_past_the_checks_is_refused_by_the_claim(supplies):
    """Two keepers at once both pass the services' checks; the claim's unique key refuses the
    second with the check's message, and its transaction writes nothing."""
    store, item, keeper = supplies.store_taian, supplies.item_suit, supplies.taian_keeper
    (issued,) = stock_issue(actor=keeper, store=store, item=item, quantity=7)
    (reversal,) = entry_reverse(actor=keeper, entry=issued, note="记错了")
    assert EntryClaim.objects.filter(kind=ClaimKind.REVERSAL, entry=issued, by=reversal).exists()
    before = counts()
    with pytest.raises(ValidationError, match="reversed already"), transaction.atomic():
        ledger._move(
            actor=keeper,
            store=store,
            lot=issued.lot,
            kind=EntryKind.ISSUED,
            quantity=Decimal(7),
            batch=reversal.batch,
            reverses=issued,
        )
    assert counts() == before

    source, destination = supplies.store_taian, supplies.store_taian_gate
    entries = stock_transfer(
        actor=keeper, source=source, destination=destination, item=supplies.item_gloves, quantity=4
    )
    sent = next(e for e in entries if e.in_transit)
    transfer_arrive(actor=keeper, entry=sent)
    assert EntryClaim.objects.filter(kind=ClaimKind.ARRIVAL, entry=sent).count() == 1
    before = counts()
    with pytest.raises(ValidationError, match="arrived already"), transaction.atomic():
        ledger._move(
            actor=keeper,
            store=destination,
            lot=sent.lot,
            kind=EntryKind.TRANSFER_IN,
            quantity=Decimal(4),
            in_transit=True,
            batch=sent.batch,
            arrives=sent,
        )
    assert counts() == before
    assert ledger_compare().mismatches == []


def test_a_reversed_transfer_returns_both_legs(supplies):
    source, destination, item = supplies.store_taian, supplies.store_taian_gate, supplies.item_gloves
    entries = stock_transfer(
        actor=supplies.taian_keeper, source=source, destination=destination, item=item, quantity=40
    )
    entry_reverse(actor=supplies.taian_keeper, entry=entries[0])
    assert (on_hand(source, item), on_hand(destination, item, True)) == (300, 0)


def test_a_receipt_cannot_be_reversed_once_the_goods_are_gone(supplies):
    store, item, keeper = supplies.store_taian_gate, supplies.item_thermometer, supplies.taian_keeper
    received = stock_receive(actor=keeper, store=store, item=item, quantity=2)
    stock_issue(actor=keeper, store=store, item=item, quantity=2)
    with pytest.raises(ValidationError):
        entry_reverse(actor=keeper, entry=received)
    assert on_hand(store, item) == 0


def test_adjustments_carry_a_reason(supplies):
    store, keeper = supplies.store_taian, supplies.taian_keeper
    lot = Lot.objects.get(item=supplies.item_suit)
    stock_adjust(actor=keeper, store=store, lot=lot, quantity=2, reason=AdjustReason.DAMAGED, decrease=True)
    stock_adjust(actor=keeper, store=store, lot=lot, quantity=1, reason=AdjustReason.FOUND, decrease=False)
    assert on_hand(store, supplies.item_suit) == 19
    with pytest.raises(ValidationError) as error:
        stock_adjust(actor=keeper, store=store, lot=lot, quantity=1, reason=AdjustReason.FOUND, decrease=True)
    assert "reason" in error.value.message_dict


def test_a_shortage_alert_goes_to_the_keeper_and_staff_once_a_day(supplies):
    store, item, keeper = supplies.store_taian, supplies.item_mask, supplies.taian_keeper
    stock_issue(actor=keeper, store=store, item=item, quantity=450)
    assert not Alert.objects.filter(kind=Kind.SHORTAGE).exists()
    stock_issue(actor=keeper, store=store, item=item, quantity=100)
    stock_issue(actor=keeper, store=store, item=item, quantity=1)
    alert = Alert.objects.get(kind=Kind.SHORTAGE)
    assert (alert.place, alert.subject_id, alert.details["on_hand"], alert.details["minimum"]) == (
        store.place,
        store.pk,
        "150",
        "200",
    )
    assert alert.assignee_role == "warehouse_keeper"


def test_the_check_catches_a_balance_tampered_with_in_sql(supplies):
    assert ledger_check().mismatches == []
    balance = Balance.objects.get(store=supplies.store_taian, item=supplies.item_mask, in_transit=False)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE supplies_balance SET quantity = quantity + 3 WHERE id = %s", [balance.pk])
    report = ledger_check()
    assert [(m.store_id, m.item_id, m.balance, m.entries) for m in report.mismatches] == [
        (supplies.store_taian.pk, supplies.item_mask.pk, Decimal(703), Decimal(700))
    ]
    alert = Alert.objects.get(kind=Kind.LEDGER_MISMATCH)
    assert (alert.place, alert.details["balance"], alert.details["entries"]) == (
        supplies.store_taian.place,
        "703",
        "700",
    )
    ledger_check()  # run twice the same night: one alert
    assert Alert.objects.filter(kind=Kind.LEDGER_MISMATCH).count() == 1


def test_the_check_catches_a_deleted_balance_row(supplies):
    balance = Balance.objects.get(store=supplies.store_taian, item=supplies.item_suit, in_transit=False)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM supplies_balance WHERE id = %s", [balance.pk])
    (mismatch,) = ledger_compare().mismatches
    assert (mismatch.balance, mismatch.entries) == (None, Decimal(20))


def test_the_check_also_proves_the_received_and_used_sums(supplies):
    stock_issue(actor=supplies.taian_keeper, store=supplies.store_taian, item=supplies.item_mask, quantity=30)
    balance = Balance.objects.get(store=supplies.store_taian, item=supplies.item_mask, in_transit=False)
    assert (balance.used, balance.received) == (30, 0)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE supplies_balance SET used = used - 10 WHERE id = %s", [balance.pk])
    (mismatch,) = ledger_compare().mismatches
    assert (mismatch.store_id, mismatch.item_id) == (supplies.store_taian.pk, supplies.item_mask.pk)


@pytest.mark.postgres
def test_entries_in_the_default_partition_move_to_their_month_and_stay_append_only(supplies):
    """Entries of a month with no partition yet (maintenance stopped for months) land in the
    default partition; making the month moves them, past the append-only trigger, which is on
    again afterwards."""
    from datetime import date

    from tongzhou.core import partitions
    from tongzhou.supplies.partitions import LEDGER

    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    entry = Entry.objects.order_by("pk").first()
    month = partitions.month_start(timezone.localdate(), 9)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO supplies_entry (place_path, kind, quantity, in_transit, reason, note, batch, created_at,"
            " item_id, lot_id, store_id) SELECT place_path, kind, quantity, in_transit, reason, note, batch, %s,"
            " item_id, lot_id, store_id FROM supplies_entry WHERE id = %s RETURNING id",
            [partitions.start_of(month) + timedelta(days=3), entry.pk],
        )
        (late,) = cursor.fetchone()
    assert month > date.today()
    assert partitions.make_month(LEDGER, month) == LEDGER.partition_name(month)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT id FROM "{LEDGER.partition_name(month)}"')  # noqa: S608
        assert cursor.fetchall() == [(late,)]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{LEDGER.partition_name(month)}"')  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = 'supplies_entry_no_update'",
            [LEDGER.default],
        )
        assert cursor.fetchall() == [("O",)]
