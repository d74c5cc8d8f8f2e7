"""Care for front-line workers: mutual-aid protection plans, who is enrolled in them (bought by a
member unit or gifted to key positions), claims against them, and condolence visits.

A plan's budget is a number of places, not money: the contribution is fixed per person, so money is
places × contribution, and a count is what two officers race for (an integer compare-and-set on
`places_taken`, never a rounding question)."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tongzhou.core.fields import EncryptedField, blind_index_field
from tongzhou.core.models import PathField, TimeStampedModel
from tongzhou.core.pii import mask_name
from tongzhou.core.transitions import ApprovalRequest, StatusHistory, Transitional


class Coverage(models.TextChoices):
    INFECTION_ON_DUTY = "infection", _("Infection on duty")
    ACCIDENT_ON_DUTY = "accident", _("Accident on duty")
    HOSPITALISATION = "hospital", _("Hospitalisation")
    DEATH = "death", _("Death")


class Plan(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    sponsor = models.ForeignKey(
        "people.Organisation", verbose_name=_("sponsor"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"))
    contribution = models.DecimalField(_("contribution per person (yuan)"), max_digits=8, decimal_places=2)
    starts_on = models.DateField(_("covers from"))
    ends_on = models.DateField(_("covers until"))
    waiting_days = models.PositiveSmallIntegerField(_("waiting period (days)"), default=0)
    eligible_roles = models.JSONField(_("roles that may be enrolled"), default=list, blank=True)
    eligible_duties = models.JSONField(_("posts that may be enrolled"), default=list, blank=True)
    places_total = models.PositiveIntegerField(_("places in the budget"))
    places_taken = models.PositiveIntegerField(_("places taken"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("protection plan")
        verbose_name_plural = _("protection plans")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(places_taken__lte=models.F("places_total")), name="plan_budget"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="plan_period"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def places_left(self) -> int:
        return self.places_total - self.places_taken

    @property
    def budget_money(self) -> Decimal:
        return self.contribution * self.places_total


class Benefit(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="benefits")
    coverage = models.CharField(_("covers"), max_length=20, choices=Coverage.choices)
    amount = models.DecimalField(_("benefit (yuan)"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["plan", "coverage"], name="benefit_once_per_plan")]

    def __str__(self) -> str:
        return f"{self.get_coverage_display()} {self.amount}"


class EnrollmentSource(models.TextChoices):
    UNIT = "unit", _("Enrolled by the member unit")
    FILE = "file", _("Enrolled from a file")
    GIFT = "gift", _("Gifted for a key position")


class Enrollment(TimeStampedModel):
    """One person in one plan (at most once: the blind index of the ID number is unique per plan).
    `covered_from` is the day the waiting period ends; claims for events before it are refused."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="enrollments")
    place_path = PathField(_("place path"))
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedField(_("ID number"), blind_index_field="id_index")
    id_index = blind_index_field()
    phone = EncryptedField(_("phone"), blind_index_field="phone_index")
    phone_index = blind_index_field()
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("member unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments"
    )
    post_label = models.CharField(_("post"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=EnrollmentSource.choices)
    covered_from = models.DateField(_("covered from"))
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan", "id_index"], name="enrollment_once_per_plan")]
        indexes = [models.Index(fields=["place_path"], name="enrollment_place")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.plan}"

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @staticmethod
    def waiting_ends(plan: Plan, enrolled_on: date) -> date:
        return max(enrolled_on, plan.starts_on) + timedelta(days=plan.waiting_days)


class GiftRequest(ApprovalRequest, TimeStampedModel):
    """The officer's pick of front-line workers for gifted places; a second person approves it
    (`core.transitions.decide`) and each becomes an enrollment."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="gift_requests")
    place_path = PathField(_("place path"))
    volunteers = models.ManyToManyField("volunteers.Volunteer", related_name="+")
    # What the proposal showed for each pick: {volunteer id: {"hours": "36.0", "posts": "..."}}.
    facts = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.plan} ({self.pk})"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CHECKED = "checked", _("Checked")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


class Claim(Transitional, TimeStampedModel):
    """Health data: read by the welfare officer of the place and the claimant, nobody else."""

    TRANSITIONS = {
        ClaimStatus.SUBMITTED: frozenset({ClaimStatus.CHECKED, ClaimStatus.REJECTED}),
        ClaimStatus.CHECKED: frozenset({ClaimStatus.APPROVED, ClaimStatus.REJECTED}),
        ClaimStatus.APPROVED: frozenset({ClaimStatus.PAID}),
    }
    HISTORY = "welfare.ClaimHistory"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="claims")
    place_path = PathField(_("place path"))
    coverage = models.CharField(_("covers"), max_length=20, choices=Coverage.choices)
    event_on = models.DateField(_("date of the event"))
    description = models.TextField(_("what happened"))
    amount = models.DecimalField(_("amount claimed (yuan)"), max_digits=10, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    # Evidence the system holds, linked rather than uploaded.
    assignment = models.ForeignKey(
        "volunteers.Assignment",
        verbose_name=_("shift"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    isolation_order = models.ForeignKey(
        "monitoring.IsolationOrder",
        verbose_name=_("isolation order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    help_request = models.ForeignKey(
        "assistance.HelpRequest",
        verbose_name=_("help request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    public_notice = models.BooleanField(_("in the public notice (公示)"), default=False)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["place_path", "status"], name="claim_place_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.enrollment.name_masked}"


class ClaimHistory(StatusHistory):
    SUBJECT_FIELD = "claim"
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("from"), max_length=20, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ClaimStatus.choices, blank=True)


class CampaignTarget(models.TextChoices):
    GATE_DUTY = "gate", _("On duty at a gate in the last days")
    UNDER_ISOLATION = "isolated", _("Under isolation now")
    CLAIM_PAID = "claim_paid", _("Claim paid")
    NIGHTS_IN_A_ROW = "nights", _("Overnight sealed-building shifts in a row (19:00–07:00)")


class Campaign(TimeStampedModel):
    """A condolence campaign (慰问): "Spring Festival thanks to the gate guards", by an organisation."""

    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        "people.Organisation", verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"))
    thanks_text = models.TextField(_("thank-you message"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Whom it targets, from the data, and the number that goes with it (days on gate duty, nights
    # in a row; unused for the others).
    target = models.CharField(
        _("targets"), max_length=12, choices=CampaignTarget.choices, default=CampaignTarget.GATE_DUTY
    )
    target_number = models.PositiveSmallIntegerField(_("days or nights"), default=0)

    def why(self, count: int) -> str:
        """The words for a target chosen with `count` (campaign_targets' number), in the language
        of the moment."""
        if self.target == CampaignTarget.GATE_DUTY:
            return gettext("%(n)d gate shifts in the last %(days)d days") % {"n": count, "days": self.target_number}
        if self.target == CampaignTarget.NIGHTS_IN_A_ROW:
            return gettext("%(n)d overnight watches in a row") % {"n": count}
        return str(self.get_target_display())

    def __str__(self) -> str:
        return self.name


def visit_photo_path(instance: "Visit", filename: str) -> str:
    # The uploaded name is not kept: it may carry a name.
    return f"welfare/visits/{instance.campaign_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class Visit(TimeStampedModel):
    """One person a campaign targets; `visited_at` empty means not yet visited."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="visits")
    volunteer = models.ForeignKey("volunteers.Volunteer", on_delete=models.PROTECT, related_name="+")
    # Why the campaign chose them, as the number its label is made from when shown (gate shifts,
    # nights in a row; 0 when the kind says it all), so each reader sees it in their language.
    why_count = models.PositiveIntegerField(_("why (count)"), null=True, blank=True)
    # Campaigns made before why_count kept the words, in their creator's language.
    reason = models.CharField(_("why"), max_length=200, blank=True)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    visited_by = models.CharField(_("who went"), max_length=200, blank=True)
    given = models.CharField(_("what was given"), max_length=200, blank=True)
    # The supplies ledger's batch of the gift issued at the visit (its issued entries), if any.
    gift_batch = models.UUIDField(_("gift's ledger batch"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A photo of the visit, redrawn without its EXIF (core.images); served only through the visit.
    photo = models.FileField(_("photo"), upload_to=visit_photo_path, max_length=200, blank=True)
    photo_type = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "volunteer"], name="visit_once_per_campaign")]

    @property
    def why(self) -> str:
        """Why the campaign chose them, in the reader's language."""
        if self.why_count is None:
            return self.reason
        return self.campaign.why(self.why_count)

    def __str__(self) -> str:
        return f"{self.campaign}: {self.volunteer}"


# Member units' own accounts and their invoices ------------------------------------------------


class UnitContact(TimeStampedModel):
    """A member unit's own account: the user (holding the unit-contact role at `place_path`, which
    opens the plans there to them) enrolls this organisation's members and reads their enrollments
    and the unit's invoices, never a claim. A role covers places, not organisations: this record
    says which unit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="welfare_units")
    organisation = models.ForeignKey(
        "people.Organisation", verbose_name=_("member unit"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("unit contact")
        verbose_name_plural = _("unit contacts")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="unit_contact_once")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.user}"


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
    PAID = "paid", _("Paid")


class Invoice(TimeStampedModel):
    """What a member unit owes for a plan: its members enrolled by the unit or from its file (gifted
    places are free) and not billed before, × the plan's contribution, for the plan's period.
    Issued, then marked paid by the welfare officer."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="invoices")
    organisation = models.ForeignKey(
        "people.Organisation", verbose_name=_("member unit"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"))
    members = models.PositiveIntegerField(_("members"))
    contribution = models.DecimalField(_("contribution per person (yuan)"), max_digits=8, decimal_places=2)
    total = models.DecimalField(_("total (yuan)"), max_digits=12, decimal_places=2)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_note = models.CharField(_("payment note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["place_path"], name="invoice_place")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"WF{self.plan_id:04d}-{self.pk:06d}"


class InvoiceLine(models.Model):
    """One member on an invoice; an enrollment is billed at most once (the one-to-one)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="invoice_line")

    def __str__(self) -> str:
        return f"{self.invoice}: {self.enrollment_id}"
