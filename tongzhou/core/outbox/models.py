"""The outbox: every message any module sends is one row here, sent in the background by
`core.outbox.dispatch` and shown in the one message log. Part of the core app (imported at the end
of core.models), like the import job."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core import pii
from tongzhou.core.fields import EncryptedField
from tongzhou.core.models import PathField, TimeStampedModel


class Channel(models.TextChoices):
    SMS = "sms", _("Text message")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


def new_key() -> str:
    return uuid.uuid4().hex


class OutboxMessage(TimeStampedModel):
    """One message to one phone. The number and the text are encrypted; the log shows `to_masked`
    and `text_masked` (secrets and link tokens replaced). `key` is the idempotency key the gateway
    gets with every attempt, so a resend after a crash is recognised there; it is taken once, by
    the message's `OutboxKey` row (the table is partitioned by month of `created_at` on PostgreSQL,
    and a unique key there would have to include the time). `status` moves only by compare-and-set
    (queued -> sending -> sent -> delivered, or failed)."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    to = EncryptedField(_("to"), blind_index_field="to_index")
    # Indexed by Meta.indexes: a plain index, without the LIKE index of db_index on PostgreSQL.
    to_index = models.CharField(max_length=pii.BLIND_INDEX_LENGTH, blank=True, default="", editable=False)
    to_masked = models.CharField(_("to"), max_length=32, blank=True)
    text = EncryptedField(_("text"))
    text_masked = models.TextField(_("text"), blank=True)
    scope_path = PathField(_("place path"), blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim = models.CharField(_("claim"), max_length=32, blank=True, editable=False)
    key = models.CharField(_("idempotency key"), max_length=64, default=new_key, editable=False)
    provider_id = models.CharField(_("provider id"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        # Equality lookups only (a key, a provider id, a number's blind index): plain indexes and a
        # constraint, not `unique=True` / `db_index=True`, which add a LIKE index to each on
        # PostgreSQL that no query uses and every mass insert pays for.
        indexes = [
            # The sweep's: only the rows not done yet (a few), in every month's partition.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="core_outbox_due",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
            models.Index(fields=["provider_id"], name="core_outbox_provider"),
            models.Index(fields=["to_index"], name="core_outbox_to_index"),
            # No index on `key`: a delivery receipt finds its message through OutboxKey.
        ]

    def __str__(self) -> str:
        return f"{self.to_masked} {self.status}"


class OutboxKey(models.Model):
    """An idempotency key taken: written with its message in the same transaction, before it, so
    a second message with a key already taken is refused (IntegrityError) and nothing of it is
    written. `message_id` holds the message's id without a database constraint (the outbox is
    partitioned). Kept as long as the messages (TONGZHOU_OUTBOX_RETENTION_MONTHS), then deleted by
    the outbox's housekeeping."""

    key = models.CharField(max_length=64)
    message_id = models.BigIntegerField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "core"
        constraints = [models.UniqueConstraint(fields=["key"], name="core_outboxkey_once")]

    def __str__(self) -> str:
        return self.key
