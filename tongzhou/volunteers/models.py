"""Volunteers: who signed up, their vetting, and the teams and temporary party branches they serve
in. (Posts, shifts, rosters, check-in and hours come next; the roster solver is `roster.py`.)"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.fields import EncryptedField, blind_index_field
from tongzhou.core.models import PathField, TimeStampedModel
from tongzhou.core.pii import mask_phone
from tongzhou.core.transitions import ApprovalRequest


class Skill(models.TextChoices):
    DRIVING = "driving", _("Driving")
    MEDICAL = "medical", _("Medical")
    DIALECT = "dialect", _("Mandarin and local dialect")
    LIFTING = "lifting", _("Lifting and carrying")
    COUNSELLING = "counselling", _("Counselling")
    COMPUTER = "computer", _("Computers and phones")


class SlotKind(models.TextChoices):
    DAY = "day", _("Day 07:00–19:00")
    NIGHT = "night", _("Night 19:00–07:00")


# Weekly availability as shift-sized slots: (weekday 0 = Monday, day or night) -> window.
SLOT_TIMES: dict[str, tuple[str, str]] = {SlotKind.DAY: ("07:00", "19:00"), SlotKind.NIGHT: ("19:00", "07:00")}


WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for vetting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Volunteer(TimeStampedModel):
    """A sign-up, then (once community staff approve it) a volunteer with a log-in. ID and phone
    are encrypted with blind indexes, as in the residents register."""

    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedField(_("phone"), blind_index_field="phone_index")
    phone_index = blind_index_field()
    id_number = EncryptedField(_("ID number"), blind_index_field="id_index")
    id_index = blind_index_field()
    community = models.ForeignKey(
        "places.Place", verbose_name=_("home community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"))
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteers",
    )
    party_member = models.BooleanField(_("party member"), default=False)
    veteran = models.BooleanField(_("veteran"), default=False)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    # [{"weekday": 0, "start": "07:00", "end": "19:00"}, ...], the roster solver's format.
    availability = models.JSONField(_("weekly availability"), default=list, blank=True)
    blackout_dates = models.JSONField(_("dates not available"), default=list, blank=True)
    consent_at = models.DateTimeField(_("consent given at"))
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vetted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    vetted_at = models.DateTimeField(_("vetted at"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("log-in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer",
    )

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [models.Index(fields=["status", "place_path"], name="volunteer_status_place")]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone or "")

    @property
    def skill_labels(self) -> list[str]:
        return [str(Skill(s).label) if s in Skill.values else s for s in self.skills]

    @property
    def slot_labels(self) -> list[str]:
        """The weekly availability in words: "Mon 07:00–19:00"."""
        return [
            f"{WEEKDAYS[slot['weekday']]} {slot['start']}–{slot['end']}"
            for slot in self.availability
            if isinstance(slot, dict) and slot.get("weekday") in range(7)
        ]


class TeamKind(models.TextChoices):
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    PARTY_BRANCH = "party_branch", _("Temporary party branch")


class Team(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices)
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"))
    organizing_unit = models.CharField(_("organizing unit"), max_length=100, blank=True)
    leader = models.ForeignKey(
        Volunteer, verbose_name=_("leader"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(Volunteer, verbose_name=_("members"), related_name="teams", blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Duty(models.TextChoices):
    GATE = "gate", _("Gate checkpoint")
    SEALED_BUILDING = "sealed_building", _("Sealed-building watch")
    TESTING_ORDER = "testing_order", _("Order at the testing site")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door notices")
    DELIVERY = "delivery", _("Deliveries")
    DISINFECTION = "disinfection", _("Disinfection")
    PUBLICITY = "publicity", _("Publicity")


class Post(TimeStampedModel):
    """A duty at a place. Its QR code (the check-in link with `check_token`) hangs at the post."""

    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"))
    name = models.CharField(_("name"), max_length=100)
    duty = models.CharField(_("duty"), max_length=20, choices=Duty.choices)
    skills = models.JSONField(_("required skills"), default=list, blank=True)
    check_token = models.CharField(max_length=32, unique=True, editable=False)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return self.name

    @property
    def skill_labels(self) -> list[str]:
        return [str(Skill(s).label) if s in Skill.values else s for s in self.skills]


class ShiftTemplate(models.Model):
    """A recurring shift of a post: start and end times (an end not after the start is the next
    day, 19:00–07:00), head count, weekdays (0 = Monday)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="templates")
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    min_people = models.PositiveSmallIntegerField(_("minimum people"), default=1)
    max_people = models.PositiveSmallIntegerField(_("maximum people"), default=1)
    weekdays = models.JSONField(_("weekdays"), default=list)

    def __str__(self) -> str:
        return f"{self.post} {self.starts:%H:%M}–{self.ends:%H:%M}"


class Shift(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="shifts")
    place_path = PathField(_("place path"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    min_people = models.PositiveSmallIntegerField(_("minimum people"))
    max_people = models.PositiveSmallIntegerField(_("maximum people"))
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["start", "post_id"]
        constraints = [models.UniqueConstraint(fields=["post", "start"], name="shift_once_per_post_start")]
        indexes = [models.Index(fields=["place_path", "start"], name="shift_place_start")]

    def __str__(self) -> str:
        return f"{self.post} {self.start:%m-%d %H:%M}"


class RosterStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Solving")
    DONE = "done", _("Ready to check")
    FAILED = "failed", _("Failed")
    PUBLISHED = "published", _("Published")


class Roster(TimeStampedModel):
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=10, choices=RosterStatus.choices, default=RosterStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on}"


class Source(models.TextChoices):
    ROSTER = "roster", _("Roster")
    MANUAL = "manual", _("By the coordinator")
    SELF = "self", _("Signed up")


class Assignment(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="assignments")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shift", "volunteer"], name="assignment_once")]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.shift}"


class ChangeKind(models.TextChoices):
    DROP = "drop", _("Drop")
    SWAP = "swap", _("Swap")


class ChangeRequest(ApprovalRequest, TimeStampedModel):
    """A volunteer asks to drop or swap a shift; a coordinator decides (`core.transitions.decide`)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices)
    swap_with = models.ForeignKey(
        Volunteer, verbose_name=_("swap with"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))

    def __str__(self) -> str:
        return f"{self.kind} {self.assignment}"


class HoursEntry(models.Model):
    """The hours ledger: one entry per check-out, and corrections with their reason."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours")
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Copied from the shift when the entry is written (empty for corrections), so that "hours at
    # these posts since that day" is one range of the index below, without joining the ledger to
    # assignments and shifts (welfare's proposal list).
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    shift_start = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["post", "shift_start"],
                include=["volunteer", "hours"],
                condition=models.Q(post__isnull=False),
                name="hours_post_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.hours}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.assignment is not None and self.shift_start is None:
            shift = self.assignment.shift  # loaded with the assignment where it is written
            self.post_id, self.shift_start = shift.post_id, shift.start
        super().save(*args, **kwargs)
