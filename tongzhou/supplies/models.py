"""Supplies: a catalogue of items, stores at places, lots, and the stock ledger.

Every movement of stock is an `Entry` that is never changed or deleted (database triggers refuse it,
migration 0002); a mistake is corrected by a reversing entry pointing at the original. `Balance`
keeps the running sum of the entries per (store, item, lot, in transit) for speed: it changes in the
same transaction as its entry, never goes below zero (a conditional UPDATE in the services and a
CHECK constraint below them), and a nightly check compares every balance with the sum of its
entries (`services.ledger_check`).
"""

from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tongzhou.core.models import PathField, TimeStampedModel
from tongzhou.core.transitions import ApprovalRequest, StatusHistory, Transitional

QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}


class ItemKind(models.TextChoices):
    MASK = "mask", _("Masks")
    GLOVES = "gloves", _("Gloves")
    SUIT = "suit", _("Protective suits")
    GOGGLES = "goggles", _("Goggles and face shields")
    DISINFECTANT = "disinfectant", _("Disinfectant")
    SANITIZER = "sanitizer", _("Hand sanitizer")
    THERMOMETER = "thermometer", _("Thermometers")
    HEATER = "heater", _("Heaters and furniture")
    FOOD = "food", _("Food and groceries")
    OTHER = "other", _("Other")


class Item(TimeStampedModel):
    """One thing in the catalogue. A counted item moves in whole units (masks, bottles); a measured
    one in any amount of its unit (jin of disinfectant)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    unit = models.CharField(_("unit"), max_length=10)
    pack_size = models.PositiveIntegerField(_("units per pack"), default=1)
    counted = models.BooleanField(_("counted in whole units"), default=True)
    expiry_matters = models.BooleanField(_("has an expiry date"), default=False)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class StoreKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("Street warehouse")
    STOREROOM = "storeroom", _("Community storeroom")
    CHECKPOINT_BOX = "checkpoint_box", _("Checkpoint box")


class Store(TimeStampedModel):
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    # The place's path, so "stores in my area" is one index range.
    place_path = PathField(_("place path"), db_index=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=StoreKind.choices)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["place_path", "name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="supplies_store_name_per_place")]

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    """A batch of one item as it arrived (its code, its expiry date). Every entry names its lot, so
    a hand-out can be traced to the donation it came from."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="lots")
    code = models.CharField(_("lot"), max_length=50)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    # The donation the lot came in with, if any: a hand-out from the lot is that donor's gift.
    donation = models.ForeignKey(
        "Donation", verbose_name=_("donation"), null=True, blank=True, on_delete=models.PROTECT, related_name="lots"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="supplies_lot_code_per_item")]

    def __str__(self) -> str:
        return f"{self.item} {self.code}".strip()


class MinimumLevel(models.Model):
    """Below this quantity of an item on hand in a store, a shortage alert is raised."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="minimums")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("minimum"), **QUANTITY)

    class Meta:
        verbose_name = _("minimum level")
        verbose_name_plural = _("minimum levels")
        constraints = [models.UniqueConstraint(fields=["store", "item"], name="supplies_minimum_once")]

    def __str__(self) -> str:
        return f"{self.store} {self.item} ≥ {self.quantity}"


class EntryKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRANSFER_OUT = "transfer_out", _("Transferred out")
    TRANSFER_IN = "transfer_in", _("Transferred in")
    ISSUED = "issued", _("Issued")
    RETURNED = "returned", _("Returned")
    ADJUSTED = "adjusted", _("Adjusted")


class AdjustReason(models.TextChoices):
    DAMAGED = "damaged", _("Damaged")
    EXPIRED = "expired", _("Expired")
    FOUND = "found", _("Found")
    COUNT = "count", _("Count difference at a stocktake")


class AppendOnlyEntries(models.QuerySet["Entry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The stock ledger is append-only: write a reversing entry.")

    def delete(self) -> NoReturn:
        raise PermissionError("The stock ledger is append-only: write a reversing entry.")


class Entry(models.Model):
    """One movement of one lot into (positive) or out of (negative) a store, never changed.

    `in_transit`: the quantity is on its way to this store (sent by a transfer, not yet arrived).
    `reverses`: the entry this one cancels (same store, item, lot and kind, the opposite quantity).
    `batch`: the entries written together (the two legs of a transfer)."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="entries")
    place_path = PathField(_("place path"))
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    in_transit = models.BooleanField(_("in transit"), default=False)
    reason = models.CharField(_("reason"), max_length=16, choices=AdjustReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    batch = models.UUIDField(_("batch"), db_index=True)
    # The entry this one cancels, and on an arrival the in-transit entry whose goods arrived. Held
    # without a database constraint (the ledger is partitioned by month on PostgreSQL); "reversed
    # once" and "arrives once" are EntryClaim's unique keys, written with the entry.
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
        related_name="reversals",
    )
    arrives = models.ForeignKey(
        "self",
        verbose_name=_("arrival of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
        related_name="arrivals",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = AppendOnlyEntries.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["store", "item", "lot", "in_transit"], name="supplies_entry_balance"),
            models.Index(fields=["place_path", "created_at"], name="supplies_entry_area"),
            models.Index(fields=["store", "created_at"], name="supplies_entry_store_time"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="supplies_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item} {self.quantity}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("The stock ledger is append-only: write a reversing entry.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The stock ledger is append-only: write a reversing entry.")


class ClaimKind(models.TextChoices):
    REVERSAL = "reversal", _("Reversal")
    ARRIVAL = "arrival", _("Arrival")


class EntryClaim(models.Model):
    """The ledger's rules that hold over all time, kept out of the partitioned ledger (whose unique
    keys must take the month): an entry is reversed once (`reversal`, the reversed entry) and
    in-transit goods arrive once (`arrival`, the in-transit entry). Written in the transaction of
    the entry `by` that claims it; a second claim is refused by the unique key."""

    kind = models.CharField(_("kind"), max_length=8, choices=ClaimKind.choices)
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.PROTECT, db_constraint=False, related_name="+"
    )
    by = models.ForeignKey(
        Entry, verbose_name=_("by entry"), on_delete=models.PROTECT, db_constraint=False, related_name="+"
    )

    class Meta:
        verbose_name = _("ledger entry claim")
        verbose_name_plural = _("ledger entry claims")
        constraints = [models.UniqueConstraint(fields=["kind", "entry"], name="supplies_entry_claimed_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.entry_id}"


class Balance(models.Model):
    """The running sums of the entries of one (store, item, lot, in transit); changed only by the
    services, in the entry's transaction."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="balances")
    place_path = PathField(_("place path"))
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="balances")
    in_transit = models.BooleanField(_("in transit"), default=False)
    quantity = models.DecimalField(_("quantity"), default=Decimal(0), **QUANTITY)
    # Running sums of the received and of the used (issued less returned) entries, so the public
    # ledger reads the balances, never the whole ledger; the nightly check proves them too.
    received = models.DecimalField(_("received"), default=Decimal(0), **QUANTITY)
    used = models.DecimalField(_("used"), default=Decimal(0), **QUANTITY)

    class Meta:
        verbose_name = _("balance")
        verbose_name_plural = _("balances")
        constraints = [
            models.UniqueConstraint(fields=["store", "item", "lot", "in_transit"], name="supplies_balance_once"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="supplies_balance_not_negative"),
        ]
        indexes = [models.Index(fields=["place_path", "item"], name="supplies_balance_area")]

    def __str__(self) -> str:
        return f"{self.store} {self.lot} {self.quantity}"


class DonorKind(models.TextChoices):
    COMPANY = "company", _("Company")
    ORGANISATION = "organisation", _("Organisation")
    INDIVIDUAL = "individual", _("Individual")


class Donor(TimeStampedModel):
    """Who gave. An anonymous donor's name is kept for the thank-you letter but never published."""

    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DonorKind.choices)
    name = models.CharField(_("name"), max_length=100)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    contact = models.CharField(_("contact"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        return str(_("Anonymous")) if self.anonymous else self.name


class DonationKind(models.TextChoices):
    IN_KIND = "in_kind", _("Goods")
    MONEY = "money", _("Money")
    SERVICE = "service", _("Service")


class Donation(TimeStampedModel):
    """One gift: goods (lines received into a store, each line its own lot, so every hand-out can
    be traced to it), money (amount and purpose) or a service (what was done)."""

    donor = models.ForeignKey(Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="donations")
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DonationKind.choices)
    received_on = models.DateField(_("received on"))
    store = models.ForeignKey(
        Store, verbose_name=_("store"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    description = models.CharField(_("what was given"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    # A gift of money goes into a fund (set once, by `fund_services.donation_to_fund`).
    fund = models.ForeignKey(
        "Fund", verbose_name=_("fund"), null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.donor} {self.received_on}"


class DonationLine(models.Model):
    donation = models.ForeignKey(Donation, verbose_name=_("donation"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+")
    entry = models.OneToOneField(
        Entry, verbose_name=_("entry"), on_delete=models.PROTECT, db_constraint=False, related_name="+"
    )

    class Meta:
        verbose_name = _("donation line")
        verbose_name_plural = _("donation lines")

    def __str__(self) -> str:
        return f"{self.item} {self.quantity}"


class HandOut(models.Model):
    """Goods issued to a front-line worker (or a post's daily kit, received by one worker): issued
    entries in one batch, each carrying its lot (so the donation it came from). The recipient
    confirms on their phone, or a keeper or staff member confirms for them."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="handouts")
    place_path = PathField(_("place path"), db_index=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="supply_handouts"
    )
    post = models.ForeignKey(
        "volunteers.Post", verbose_name=_("post"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    batch = models.UUIDField(_("batch"), unique=True)
    # The recipient's volunteer team when the goods were handed out (the public ledger counts teams).
    team = models.ForeignKey(
        "volunteers.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("hand-out")
        verbose_name_plural = _("hand-outs")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.store} → {self.recipient}"


class RequisitionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for approval")
    SECOND = "second", _("Waiting for a second approval")
    APPROVED = "approved", _("Approved, to be issued")
    REJECTED = "rejected", _("Rejected")
    ISSUED = "issued", _("On its way")
    DELIVERED = "delivered", _("Delivered")


OPEN_REQUISITION = (
    RequisitionStatus.SUBMITTED,
    RequisitionStatus.SECOND,
    RequisitionStatus.APPROVED,
    RequisitionStatus.ISSUED,
)


class Requisition(Transitional, TimeStampedModel):
    """A store (a community's storeroom, a post's box) asks the street's warehouse for goods: the
    street approves all or part of each line (a second person over the threshold), the warehouse
    sends it as a transfer, and the asking store confirms its arrival."""

    TRANSITIONS = {
        RequisitionStatus.SUBMITTED: frozenset(
            {RequisitionStatus.SECOND, RequisitionStatus.APPROVED, RequisitionStatus.REJECTED}
        ),
        RequisitionStatus.SECOND: frozenset({RequisitionStatus.APPROVED, RequisitionStatus.REJECTED}),
        RequisitionStatus.APPROVED: frozenset({RequisitionStatus.ISSUED}),
        RequisitionStatus.ISSUED: frozenset({RequisitionStatus.DELIVERED}),
    }
    HISTORY = "supplies.RequisitionEvent"

    store = models.ForeignKey(Store, verbose_name=_("for store"), on_delete=models.PROTECT, related_name="requisitions")
    place_path = PathField(_("place path"), db_index=True)
    source = models.ForeignKey(Store, verbose_name=_("from store"), on_delete=models.PROTECT, related_name="+")
    source_path = PathField(_("source place path"))
    post = models.ForeignKey(
        "volunteers.Post", verbose_name=_("post"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("why"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=RequisitionStatus.choices, default=RequisitionStatus.SUBMITTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["place_path", "status"], name="supplies_req_area")]

    def __str__(self) -> str:
        return f"{self.store} #{self.pk}"


class RequisitionLine(models.Model):
    requisition = models.ForeignKey(
        Requisition, verbose_name=_("requisition"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("asked"), **QUANTITY)
    approved = models.DecimalField(_("approved"), null=True, blank=True, **QUANTITY)
    # The transfer that carried the line (its entries' batch).
    batch = models.UUIDField(_("batch"), null=True, blank=True)

    class Meta:
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["requisition", "item"], name="supplies_req_item_once")]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity}"


class RequisitionEvent(StatusHistory):
    SUBJECT_FIELD = "requisition"

    requisition = models.ForeignKey(
        Requisition, verbose_name=_("requisition"), on_delete=models.CASCADE, related_name="events"
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("requisition event")
        verbose_name_plural = _("requisition events")


class RequisitionApproval(ApprovalRequest, TimeStampedModel):
    """The second person's approval of a requisition over the threshold (core.transitions.decide);
    asked by the first approver, so neither they nor the asker may give it."""

    requisition = models.ForeignKey(
        Requisition, verbose_name=_("requisition"), on_delete=models.CASCADE, related_name="approvals"
    )
    # The warehouse's place: the approval waits for the managers over it.
    place_path = PathField(_("place path"), db_index=True)

    class Meta:
        verbose_name = _("requisition approval")
        verbose_name_plural = _("requisition approvals")

    def __str__(self) -> str:
        return f"{self.requisition} {self.get_status_display()}"


class TallyBy(models.TextChoices):
    WORKER = "worker", _("Worker")
    POST = "post", _("Post")
    TEAM = "team", _("Team")


class HandOutTally(models.Model):
    """Running sum of what a store handed out of an item to one worker (`who` is the account) or
    at one post (`who` is the post): the public ledger counts distinct workers and posts from these
    few rows, never from the hand-outs and their entries. Changed in the hand-out's (or its
    reversal's) transaction only."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=TallyBy.choices)
    who = models.PositiveBigIntegerField(_("who"))
    quantity = models.DecimalField(_("quantity"), default=Decimal(0), **QUANTITY)

    class Meta:
        verbose_name = _("hand-out tally")
        verbose_name_plural = _("hand-out tallies")
        constraints = [models.UniqueConstraint(fields=["store", "item", "kind", "who"], name="supplies_tally_once")]

    def __str__(self) -> str:
        return f"{self.store} {self.item} {self.kind}:{self.who} {self.quantity}"


# Household distributions in sealed places ------------------------------------------------------


class PerBasis(models.TextChoices):
    HOUSEHOLD = "household", _("per household")
    PERSON = "person", _("per person")


class Distribution(TimeStampedModel):
    """Parcels for every household of a place (a sealed compound, a building): what each gets
    (`lines`), out of which store. The goods leave the store's ledger building by building when
    the parcels are packed (`DistributionPack`); the households are frozen at creation, each with
    its building and number of people, and ticked delivered and confirmed one by one."""

    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    store = models.ForeignKey(
        Store, verbose_name=_("from store"), on_delete=models.PROTECT, related_name="distributions"
    )
    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("household distribution")
        verbose_name_plural = _("household distributions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class DistributionLine(models.Model):
    distribution = models.ForeignKey(
        Distribution, verbose_name=_("distribution"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    per = models.CharField(_("per"), max_length=10, choices=PerBasis.choices, default=PerBasis.HOUSEHOLD)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)

    class Meta:
        verbose_name = _("distribution line")
        verbose_name_plural = _("distribution lines")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["distribution", "item"], name="supplies_distline_item_once")]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity} {self.get_per_display()}"


class DistributionHousehold(models.Model):
    """One household of a distribution: its room and number of people as they were at creation,
    whether its building's parcels were packed, delivered (by whom) and confirmed by the resident."""

    distribution = models.ForeignKey(
        Distribution, verbose_name=_("distribution"), on_delete=models.CASCADE, related_name="households"
    )
    household = models.ForeignKey(
        "places.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey("places.Place", verbose_name=_("building"), on_delete=models.PROTECT, related_name="+")
    # The household's place (building or unit): the building lead's scope is read on it.
    place_path = PathField(_("place path"))
    room = models.CharField(_("room"), max_length=40)
    people = models.PositiveSmallIntegerField(_("people"), default=0)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delivered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed by the household"), null=True, blank=True)

    class Meta:
        verbose_name = _("household of a distribution")
        verbose_name_plural = _("households of a distribution")
        ordering = ["place_path", "room"]
        constraints = [
            models.UniqueConstraint(fields=["distribution", "household"], name="supplies_disthh_once"),
        ]
        indexes = [models.Index(fields=["distribution", "place_path"], name="supplies_disthh_path")]

    def __str__(self) -> str:
        return f"{self.distribution} {self.room}"


class DistributionPack(models.Model):
    """One building's parcels packed: the issued entries of the building's goods carry `batch`."""

    distribution = models.ForeignKey(
        Distribution, verbose_name=_("distribution"), on_delete=models.CASCADE, related_name="packs"
    )
    building = models.ForeignKey("places.Place", verbose_name=_("building"), on_delete=models.PROTECT, related_name="+")
    batch = models.UUIDField(_("batch"), unique=True)
    packed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("packed by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    packed_at = models.DateTimeField(_("packed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("packed building")
        verbose_name_plural = _("packed buildings")
        constraints = [models.UniqueConstraint(fields=["distribution", "building"], name="supplies_distpack_once")]

    def __str__(self) -> str:
        return f"{self.distribution} {self.building}"


class DistributionRunner(models.Model):
    """A volunteer (or anyone with an account) assigned by staff to deliver one building's parcels
    of a distribution, besides the building's lead."""

    distribution = models.ForeignKey(
        Distribution, verbose_name=_("distribution"), on_delete=models.CASCADE, related_name="runners"
    )
    building = models.ForeignKey("places.Place", verbose_name=_("building"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("delivered by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("assigned deliverer")
        verbose_name_plural = _("assigned deliverers")
        constraints = [
            models.UniqueConstraint(fields=["distribution", "building", "user"], name="supplies_distrunner_once")
        ]

    def __str__(self) -> str:
        return f"{self.distribution} {self.building} {self.user}"


# Funds: money in (money donations, grants) and out (purchases) ---------------------------------

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class Fund(TimeStampedModel):
    """Money held at a place for the response (the street's epidemic fund). Its balance is never
    stored: money in (its money donations and approved grants) less money out (its purchases),
    summed from those rows (`fund_selectors.fund_sums`)."""

    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["place_path", "name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="supplies_fund_name_per_place")]

    def __str__(self) -> str:
        return self.name


class GrantStatus(models.TextChoices):
    ASKED = "asked", _("Applied for")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Grant(TimeStampedModel):
    """Money applied for from a funder (the workers' insurance association): asked, then approved
    (perhaps for less) or refused; the funder's answer is recorded by staff, with who and when."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="grants")
    place_path = PathField(_("place path"), db_index=True)
    applicant = models.CharField(_("applicant"), max_length=100)
    funder = models.CharField(_("funder"), max_length=100)
    applied_on = models.DateField(_("applied on"))
    amount_asked = models.DecimalField(_("amount asked (yuan)"), **MONEY)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.ASKED)
    amount_approved = models.DecimalField(_("amount approved (yuan)"), null=True, blank=True, **MONEY)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answer recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("answer recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-applied_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_asked__gt=0), name="supplies_grant_asked_positive"),
            models.CheckConstraint(
                condition=Q(status="approved", amount_approved__gt=0, amount_approved__lte=F("amount_asked"))
                | (~Q(status="approved") & Q(amount_approved__isnull=True)),
                name="supplies_grant_approved_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} {self.amount_asked}"


class PurchaseStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a second approval")
    DONE = "done", _("Bought and received")
    REFUSED = "refused", _("Refused")


def purchase_invoice_path(instance: "Purchase", filename: str) -> str:
    # The uploaded name is not kept: it is not needed and may carry a name.
    import uuid

    return f"purchases/{instance.fund_id}/{uuid.uuid4().hex}.{instance.invoice_extension}"


class Purchase(TimeStampedModel):
    """Money out of a fund: goods bought from a supplier, with the invoice's photo, the lines
    received into a store through the stock ledger (each its own lot). A waiting purchase (over
    the threshold, until a second person approves) holds its amount, so the fund cannot be spent
    twice; a refused one gives it back and receives nothing."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="purchases")
    place_path = PathField(_("place path"), db_index=True)
    store = models.ForeignKey(Store, verbose_name=_("into store"), on_delete=models.PROTECT, related_name="+")
    supplier = models.CharField(_("supplier"), max_length=100)
    bought_on = models.DateField(_("bought on"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    invoice = models.FileField(_("invoice photo"), upload_to=purchase_invoice_path, max_length=200, blank=True)
    invoice_extension = models.CharField(max_length=5, blank=True)
    invoice_type = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.WAITING
    )
    # The ledger entries that received the lines.
    batch = models.UUIDField(_("batch"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-bought_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="supplies_purchase_positive")]

    def __str__(self) -> str:
        return f"{self.supplier} {self.amount}"


class PurchaseLine(models.Model):
    purchase = models.ForeignKey(Purchase, verbose_name=_("purchase"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    lot_code = models.CharField(_("lot"), max_length=30, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    # Set when the line is received into the store.
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entry = models.OneToOneField(
        Entry,
        verbose_name=_("entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("purchase line")
        verbose_name_plural = _("purchase lines")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity}"


class PurchaseApproval(ApprovalRequest, TimeStampedModel):
    """The second person's approval of a purchase over TONGZHOU_SUPPLIES_PURCHASE_SECOND_APPROVAL
    (core.transitions.decide); never the person who recorded it."""

    purchase = models.ForeignKey(
        Purchase, verbose_name=_("purchase"), on_delete=models.CASCADE, related_name="approvals"
    )
    place_path = PathField(_("place path"), db_index=True)

    class Meta:
        verbose_name = _("purchase approval")
        verbose_name_plural = _("purchase approvals")

    def __str__(self) -> str:
        return f"{self.purchase} {self.get_status_display()}"
