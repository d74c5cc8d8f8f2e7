"""Residents' help requests (诉求): errands, medicine, paperwork done on their behalf (代办).

A request belongs to a household (the address the work is for) and, when the caller is in the
register, to that resident, who then follows it through their personal link. Its status moves only
along `TRANSITIONS` (the table `core.transitions.move` reads), through the services; each move is a
`HelpEvent`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.fields import EncryptedBinaryField, EncryptedField
from tongzhou.core.models import PathField, TimeStampedModel
from tongzhou.core.transitions import StatusHistory, Transitional


class Category(models.TextChoices):
    GROCERIES = "groceries", _("Groceries and daily goods")
    MEDICINE = "medicine", _("Medicine")
    MEDICAL_VISIT = "medical_visit", _("Medical visit or transport")
    PAPERWORK = "paperwork", _("Paperwork on the resident's behalf (代办)")
    REPAIRS = "repairs", _("Repairs and utilities")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


# Hours from intake to the due time (urgent, normal); TONGZHOU_HELP_SLA_HOURS overrides per category.
DEFAULT_SLA_HOURS: dict[str, tuple[int, int]] = {
    Category.GROCERIES: (4, 24),
    Category.MEDICINE: (2, 12),
    Category.MEDICAL_VISIT: (1, 12),
    Category.PAPERWORK: (24, 120),
    Category.REPAIRS: (4, 48),
    Category.PSYCHOLOGICAL: (2, 24),
    Category.OTHER: (8, 48),
}


class Source(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("In person")
    LINK = "link", _("Resident's personal link")
    HEALTH_CHECK = "health_check", _("Daily health check")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Taken")
    IN_PROGRESS = "in_progress", _("In progress")
    CALL_BACK = "call_back", _("No answer, call back")
    WAITING = "waiting", _("Waiting for a department")
    DONE = "done", _("Done")
    CONFIRMED = "confirmed", _("Confirmed")
    REOPENED = "reopened", _("Reopened")
    TRANSFERRED = "transferred", _("Transferred")
    DUPLICATE = "duplicate", _("Duplicate")
    CANCELLED = "cancelled", _("Cancelled")


# The only moves a request can make. Claiming and assigning are the moves into ASSIGNED.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ASSIGNED, Status.CALL_BACK, Status.TRANSFERRED, Status.DUPLICATE, Status.CANCELLED}),
    Status.ASSIGNED: frozenset(
        {
            Status.NEW,
            Status.IN_PROGRESS,
            Status.CALL_BACK,
            Status.WAITING,
            Status.TRANSFERRED,
            Status.DUPLICATE,
            Status.CANCELLED,
        }
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.DONE, Status.CALL_BACK, Status.WAITING, Status.TRANSFERRED, Status.CANCELLED}
    ),
    Status.CALL_BACK: frozenset({Status.NEW, Status.IN_PROGRESS, Status.CANCELLED}),
    Status.WAITING: frozenset({Status.IN_PROGRESS, Status.DONE, Status.CANCELLED}),
    Status.DONE: frozenset({Status.CONFIRMED, Status.REOPENED}),
    Status.CONFIRMED: frozenset({Status.REOPENED}),
    Status.REOPENED: frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.CANCELLED}),
    Status.TRANSFERRED: frozenset(),
    Status.DUPLICATE: frozenset(),
    Status.CANCELLED: frozenset(),
}
# Still someone's job: counted as open and as overdue once past the due time.
OPEN_STATUSES = frozenset(
    {Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.CALL_BACK, Status.WAITING, Status.REOPENED}
)
# Moves that must say why (and, for a transfer or duplicate, where to or of which request).
NEEDS_NOTE = frozenset({Status.CALL_BACK, Status.WAITING, Status.TRANSFERRED, Status.DUPLICATE, Status.CANCELLED})


class HelpRequest(Transitional, TimeStampedModel):
    TRANSITIONS = TRANSITIONS
    HISTORY = "assistance.HelpEvent"

    household = models.ForeignKey(
        "places.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    # The household's place path, so "requests in my area" is one index range.
    place_path = PathField(_("place path"))
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_requests",
    )
    contact_name = models.CharField(_("contact name"), max_length=50)
    contact_phone = EncryptedField(_("contact phone"))
    contact_last4 = models.CharField(_("last 4 digits of the phone"), max_length=4, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    summary = models.TextField(_("what is needed"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.PHONE)
    # Where it came from in another module, e.g. "monitoring.healthcheck:42".
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    due_at = models.DateTimeField(_("due"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_jobs",
    )
    claimed_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    auto_confirmed = models.BooleanField(_("confirmed automatically"), default=False)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "place_path"], name="help_status_place"),
            models.Index(fields=["assignee", "status"], name="help_assignee_status"),
            models.Index(fields=["place_path", "created_at"], name="help_place_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class HelpEvent(StatusHistory):
    """One move of a request's status, with who, when and why. Written by `core.transitions` only."""

    SUBJECT_FIELD = "help_request"

    help_request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    # "resident" or "system" when there is no user.
    actor_name = models.CharField(_("by"), max_length=150)

    @property
    def actor_label(self) -> str:
        """Who moved it, for the page: a user's log-in, else "resident" or "system" in words."""
        words = {"resident": _("resident"), "system": _("system")}
        return str(words.get(self.actor_name, self.actor_name))


class Purchase(TimeStampedModel):
    """Goods bought for the resident: what, the money advanced, the receipt; repaid and received."""

    help_request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="purchases")
    items = models.TextField(_("items"))
    amount = models.DecimalField(_("money advanced (yuan)"), max_digits=9, decimal_places=2)
    bought_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("bought by"), on_delete=models.PROTECT, related_name="+"
    )
    # The photo shows what was bought and may show the address: encrypted like other personal data.
    receipt = EncryptedBinaryField(null=True, blank=True, editable=False)
    receipt_type = models.CharField(max_length=20, blank=True)
    repaid_at = models.DateTimeField(_("repaid at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.items[:40]} ¥{self.amount}"
