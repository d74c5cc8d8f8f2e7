"""Closed management: control levels of places (with a second person's approval for sealing and
unsealing), gates of compounds, residents' passes, and the log of passages through the gates.

The passage log is the one table that grows without bound (every resident, every gate, every day).
On PostgreSQL it is partitioned by month of `scanned_at` (migration 0002) and old months are
dropped whole by `passages_retention`; its primary key there is (id, scanned_at), so nothing
points at it with a foreign key: alerts and visitors keep the passage id as a plain number.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.fields import EncryptedField
from tongzhou.core.models import PathField, TimeStampedModel
from tongzhou.core.transitions import ApprovalRequest, ApprovalState


class ControlLevel(models.TextChoices):
    NONE = "none", _("Normal")
    PRECAUTION = "precaution", _("Precautionary (防范)")
    CONTROLLED = "controlled", _("Controlled (管控)")
    SEALED = "sealed", _("Sealed (封控)")


# Stricter wins: a sealed community seals every building in it.
LEVEL_RANK = {ControlLevel.NONE: 0, ControlLevel.PRECAUTION: 1, ControlLevel.CONTROLLED: 2, ControlLevel.SEALED: 3}


class PlaceControl(models.Model):
    """The level a place is at now (absent means normal). Written only by applying a ControlChange."""

    place = models.OneToOneField("places.Place", on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), unique=True)
    level = models.CharField(_("level"), max_length=12, choices=ControlLevel.choices)
    since = models.DateTimeField(_("since"))
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    change = models.ForeignKey("ControlChange", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.place_path} {self.level}"


# The one spelling of a four-eyes request's state (core.transitions), under its old name: a change
# in effect is an approved one.
ChangeStatus = ApprovalState


class ControlChange(ApprovalRequest, TimeStampedModel):
    """One asked-for change of a place's level: the append-only history of control. Sealing and
    unsealing wait for a second person (`core.transitions.decide`); other changes apply at once,
    approved with decided_by empty."""

    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    previous_level = models.CharField(_("previous level"), max_length=12, choices=ControlLevel.choices)
    level = models.CharField(_("new level"), max_length=12, choices=ControlLevel.choices)
    reason = models.TextField(_("reason"))
    evidence = models.TextField(_("evidence"), blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.previous_level} → {self.level} ({self.status})"

    @property
    def needs_approval(self) -> bool:
        return ControlLevel.SEALED in (self.level, self.previous_level)


class Gate(TimeStampedModel):
    """A checkpoint of a compound. Its duty is a volunteers' Post, so the roster staffs it."""

    place = models.ForeignKey("places.Place", verbose_name=_("compound"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    name = models.CharField(_("name"), max_length=100)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    post = models.OneToOneField(
        "volunteers.Post", verbose_name=_("duty post"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["place_path", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def hours(self) -> str:
        if self.opens is None or self.closes is None:
            return "24 h"
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"


class PassStatus(models.TextChoices):
    ACTIVE = "active", _("Valid")
    REVOKED = "revoked", _("Revoked")


class Pass(TimeStampedModel):
    """A household's pass. The QR code carries `nonce` signed with the site's key; the nonce is
    random (128 bits) and never reused, so a revoked pass's token never works again."""

    household = models.ForeignKey("places.Household", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"))
    nonce = models.CharField(max_length=32, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(_("holder"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=PassStatus.choices, default=PassStatus.ACTIVE)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("pass")
        verbose_name_plural = _("passes")
        indexes = [models.Index(fields=["place_path", "status"], name="pass_place_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status="active", person__isnull=True),
                name="pass_one_active_per_household",
            )
        ]

    def __str__(self) -> str:
        return self.label


class GateDevice(TimeStampedModel):
    """A scanner bolted to a gate (or a shared phone): its bearer token works for its gates only.
    Only the token's SHA-256 digest is stored."""

    name = models.CharField(_("name"), max_length=100)
    place_path = PathField(_("place path"))
    gates = models.ManyToManyField(Gate, verbose_name=_("gates"), related_name="devices")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class Reason(models.TextChoices):
    OK = "ok", _("Allowed")
    FEVER = "fever", _("Fever: no passage; staff and the health officer are alerted")
    REVOKED = "revoked", _("Pass revoked")
    EXPIRED = "expired", _("Pass expired")
    # A mistyped code lands here as often as a fake one: say what the gate knows, accuse nobody.
    FORGED = "forged", _("Not recognised")
    UNKNOWN = "unknown", _("Unknown pass")
    OTHER_COMPOUND = "other_compound", _("Not a resident of this compound")
    SEALED = "sealed", _("Sealed: nobody goes out")
    # Kept at home by another module (tongzhou.people.outings): never says why.
    KEPT_HOME = "kept_home", _("May not leave: contact the committee")
    QUOTA = "quota", _("Today's outing for this household is used")
    VISITOR_SEALED = "visitor_sealed", _("Sealed: no visitors")
    INVALID = "invalid", _("Invalid scan")


class Passage(models.Model):
    """One scan at a gate and its answer. `scanned_at` is the device's clock (the partition key);
    `received_at` the server's; a device clock ahead of the server's is flagged `clock_skew` and the
    rules are applied at the server's time. Reads by place go through the gates in scope
    (gate_id, scanned_at), so the hot insert keeps to four indexes and no foreign-key check."""

    id = models.BigAutoField(primary_key=True)
    scanned_at = models.DateTimeField(_("scanned at"))
    received_at = models.DateTimeField(_("received at"))
    # No foreign-key constraint: on a partitioned table its check is a trigger on every insert, and
    # gates are never deleted (PROTECT).
    gate = models.ForeignKey(
        Gate,
        verbose_name=_("gate"),
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )
    place_path = PathField(_("place path"))
    client_uuid = models.UUIDField(_("client id"))
    pass_ref = models.ForeignKey(
        Pass, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    household_id = models.BigIntegerField(null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    temperature = models.DecimalField(_("temperature"), max_digits=3, decimal_places=1, null=True, blank=True)
    allowed = models.BooleanField(_("allowed"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    level = models.CharField(_("level"), max_length=12, choices=ControlLevel.choices, default=ControlLevel.NONE)
    offline_allowed = models.BooleanField(_("allowed offline"), null=True, blank=True)
    clock_skew = models.BooleanField(_("device clock ahead"), default=False)
    visitor = models.BooleanField(_("visitor"), default=False)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    device = models.ForeignKey(
        GateDevice,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        indexes = [
            models.Index(fields=["gate", "scanned_at"], name="passage_gate_time"),
            models.Index(fields=["household_id", "scanned_at"], name="passage_household_time"),
        ]
        constraints = [
            # With the partition key: replays carry the same scanned_at, so this is the replay check.
            models.UniqueConstraint(fields=["client_uuid", "scanned_at"], name="passage_client_uuid_once")
        ]

    def __str__(self) -> str:
        return f"{self.gate_id} {self.direction} {self.reason}"


# How long a gate's first answer to a client_uuid is kept for replays (partitions.maintain drops
# older ones): far longer than any offline queue waits to be synced.
REPLAY_KEPT_DAYS = 30


class PassageReplay(models.Model):
    """The first answer a gate gave to each of its scans (the device's client_uuid), so the same
    scan sent again answers as the first time and stores nothing, even with another scanned_at
    (the passage log's own unique key must include scanned_at, its partition key). Written in the
    same statement or transaction as the passage; kept REPLAY_KEPT_DAYS days."""

    passage_id = models.BigIntegerField(primary_key=True)
    gate_id = models.BigIntegerField()
    client_uuid = models.UUIDField()
    allowed = models.BooleanField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gate_id", "client_uuid"], name="passage_replay_once")]

    def __str__(self) -> str:
        return f"{self.gate_id} {self.client_uuid}"


class Visitor(TimeStampedModel):
    """An outsider at the gate: who, why, whom they visit; refused under sealed control."""

    gate = models.ForeignKey(Gate, verbose_name=_("gate"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedField(_("phone"))
    reason = models.CharField(_("reason for the visit"), max_length=200)
    household = models.ForeignKey(
        "places.Household", verbose_name=_("visiting"), on_delete=models.PROTECT, related_name="+"
    )
    temperature = models.DecimalField(_("temperature"), max_digits=3, decimal_places=1, null=True, blank=True)
    allowed = models.BooleanField(_("allowed"))
    refusal = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    passage_id = models.BigIntegerField(null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
