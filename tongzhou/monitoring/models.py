"""Key persons (重点人员), their isolation orders, daily health checks, alerts and the four-eyes
overrides of their status.

An order's `next_due_at` is the first scheduled check time not yet covered by a check and
`last_check_at` the latest check: with these two columns, today's list and its counts are one
indexed query whatever the number of checks. Services keep them in step.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.models import PathField, TimeStampedModel
from tongzhou.core.transitions import ApprovalRequest, ApprovalState, StatusHistory, Transitional


class Reason(models.TextChoices):
    RISK_AREA = "risk_area", _("Returned from a risk area")
    CLOSE_CONTACT = "close_contact", _("Close contact")
    SECONDARY_CONTACT = "secondary_contact", _("Secondary contact")
    INBOUND = "inbound", _("Inbound traveller")
    RELEASED_PATIENT = "released_patient", _("Released patient")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class KeyPerson(TimeStampedModel):
    person = models.ForeignKey(
        "people.Person", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="key_person_records"
    )
    place_path = PathField(_("place path"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    risk_area = models.CharField(_("risk area"), max_length=100, blank=True)
    arrived_on = models.DateField(_("arrived or exposed on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        indexes = [models.Index(fields=["place_path"], name="keyperson_place")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_reason_display()})"


class OrderKind(models.TextChoices):
    HOME_ISOLATION = "home_isolation", _("Home isolation")
    HOME_MONITORING = "home_monitoring", _("Home health monitoring")
    CENTRALIZED = "centralized", _("Centralized isolation")


class OrderStatus(models.TextChoices):
    ACTIVE = "active", _("Under isolation")
    RELEASED = "released", _("Released")
    TRANSFERRED = "transferred", _("Transferred")
    LOST = "lost", _("Lost to follow-up")


# An order ends once; extending or shortening it keeps it active (recorded as active → active).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.ACTIVE: frozenset({OrderStatus.RELEASED, OrderStatus.TRANSFERRED, OrderStatus.LOST}),
    OrderStatus.RELEASED: frozenset(),
    OrderStatus.TRANSFERRED: frozenset(),
    OrderStatus.LOST: frozenset(),
}


class IsolationOrder(Transitional, TimeStampedModel):
    TRANSITIONS = ORDER_TRANSITIONS
    HISTORY = "monitoring.OrderEvent"

    key_person = models.ForeignKey(
        KeyPerson, verbose_name=_("key person"), on_delete=models.PROTECT, related_name="orders"
    )
    place_path = PathField(_("place path"))
    kind = models.CharField(_("kind"), max_length=20, choices=OrderKind.choices)
    facility = models.CharField(_("facility"), max_length=100, blank=True)
    starts_on = models.DateField(_("starts on"))
    planned_end_on = models.DateField(_("planned end"))
    # Days of home health monitoring that follow when this order is released as completed ("7+7").
    follow_up_days = models.PositiveSmallIntegerField(_("follow-up monitoring days"), default=0)
    # Check times of day, "HH:MM" in Asia/Shanghai.
    check_times = models.JSONField(_("check times"), default=list)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ACTIVE)
    next_due_at = models.DateTimeField(_("next check due"), null=True, blank=True)
    last_check_at = models.DateTimeField(_("last check"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.TextField(_("end reason"), blank=True)
    purged_at = models.DateTimeField(_("health data purged at"), null=True, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ordered by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("isolation order")
        verbose_name_plural = _("isolation orders")
        indexes = [
            models.Index(fields=["status", "place_path", "next_due_at"], name="order_today"),
            # Today's list in order of the next check, walked without sorting.
            models.Index(fields=["status", "next_due_at", "id"], name="order_due"),
            models.Index(fields=["status", "ended_at"], name="order_ended"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on:%Y-%m-%d}–{self.planned_end_on:%Y-%m-%d}"


class OrderAction(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    EXTENDED = "extended", _("Extended")
    SHORTENED = "shortened", _("Shortened")
    RELEASED = "released", _("Released")
    TRANSFERRED = "transferred", _("Transferred")
    LOST = "lost", _("Lost to follow-up")
    PURGED = "purged", _("Health data purged")


class OrderEvent(StatusHistory):
    """The append-only history of an order's status: who, when, why, on what evidence, and who
    approved it when it overrode the rules. Written by `core.transitions` only."""

    SUBJECT_FIELD = "order"

    order = models.ForeignKey(IsolationOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=OrderAction.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=OrderStatus.choices, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)

    def __str__(self) -> str:
        return self.action


# The one spelling of a four-eyes request's state (core.transitions), under its old name.
OverrideStatus = ApprovalState


class Override(ApprovalRequest, TimeStampedModel):
    """A status change that skips the rules (release or shortening before the policy's end). It
    changes nothing until a second person, holding STATUS_APPROVE over the place, approves it
    (`core.transitions.decide`)."""

    order = models.ForeignKey(IsolationOrder, on_delete=models.CASCADE, related_name="overrides")
    action = models.CharField(_("action"), max_length=12, choices=OrderAction.choices)
    planned_end_on = models.DateField(_("new planned end"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    evidence = models.TextField(_("evidence"))

    def __str__(self) -> str:
        return f"{self.action} ({self.status})"


class Symptom(models.TextChoices):
    FEVER = "fever", _("Fever")
    COUGH = "cough", _("Cough")
    SORE_THROAT = "sore_throat", _("Sore throat")
    LOSS_OF_SMELL = "loss_of_smell", _("Loss of smell or taste")
    BREATHING = "breathing", _("Breathing difficulty")
    FATIGUE = "fatigue", _("Fatigue")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")


class Need(models.TextChoices):
    GROCERIES = "groceries", _("Groceries")
    MEDICINE = "medicine", _("Medicine")
    PAPERWORK = "paperwork", _("Paperwork")


class CheckMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit")
    SELF = "self", _("Self check-in")


class HealthCheck(models.Model):
    """One daily check. Detailed health data: purged after the retention period (see services)."""

    order = models.ForeignKey(IsolationOrder, on_delete=models.CASCADE, related_name="checks")
    done_at = models.DateTimeField(_("time"), db_index=True)
    method = models.CharField(_("how"), max_length=10, choices=CheckMethod.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # False: the phone call went unanswered (电话未接通): no temperature, and the check stays due.
    reached = models.BooleanField(_("reached"), default=True)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    household_unwell = models.BooleanField(_("someone in the household is unwell"), default=False)
    household_notes = models.TextField(_("household members' health"), blank=True)
    needs = models.JSONField(_("needs"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    abnormal = models.BooleanField(_("abnormal"), default=False)

    class Meta:
        ordering = ["-done_at", "-id"]
        indexes = [models.Index(fields=["order", "done_at"], name="check_order_time")]

    def __str__(self) -> str:
        return f"{self.done_at:%Y-%m-%d %H:%M} {self.temperature if self.reached else '-'}"

    @property
    def fever(self) -> bool:
        return self.temperature is not None and self.temperature >= Decimal(str(settings.TONGZHOU_FEVER_CELSIUS))

    @property
    def symptom_labels(self) -> list[str]:
        return [str(Symptom(s).label) if s in Symptom.values else s for s in self.symptoms]

    @property
    def need_labels(self) -> list[str]:
        return [str(Need(n).label) if n in Need.values else n for n in self.needs]


class AlertKind(models.TextChoices):
    """The keys of the module's kinds in the alert inbox (declared in `alert_kinds`)."""

    ABNORMAL = "abnormal", _("Abnormal check")
    OVERDUE_STAFF = "overdue_staff", _("Check overdue (community staff)")
    OVERDUE_HEALTH = "overdue_health", _("Check overdue (health officer)")
    RELEASE_DUE = "release_due", _("Planned end reached: release or extend")
