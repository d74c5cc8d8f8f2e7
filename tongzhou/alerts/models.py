"""One alert inbox for every module: something a person must look at and close with an outcome
from its kind's list (see `kinds`). The subject is named generically (type, id and a masked label
without health details); the kind's facts travel in `details`."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzhou.alerts.kinds import Severity, kind_of
from tongzhou.core.models import PathField


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Alert(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"))
    subject_type = models.CharField(_("subject type"), max_length=40, blank=True)
    subject_id = models.BigIntegerField(_("subject id"), null=True, blank=True)
    subject_label = models.CharField(_("who or what"), max_length=100, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    assignee_role = models.CharField(_("for"), max_length=20, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # Raising is idempotent on this key (a replayed scan, a scheduled task run twice).
    once_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    # Not auto_now_add: rows moved from the old tables keep their times.
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            models.Index(fields=["status", "place_path"], name="alert_inbox"),
            models.Index(fields=["subject_type", "subject_id"], name="alert_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.subject_label}".strip()

    @property
    def kind_label(self) -> str:
        kind = kind_of(self.kind)
        return str(kind.label) if kind else self.kind

    @property
    def outcome_label(self) -> str:
        kind = kind_of(self.kind)
        return str(kind.outcome_label(self.outcome)) if kind and self.outcome else self.outcome

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN
