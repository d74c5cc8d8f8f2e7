"""Volunteers: who signed up, their vetting, and the teams and temporary party branches they serve
in. (Posts, shifts, rosters, check-in and hours come next; the roster solver is `roster.py`.)"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.fields import EncryptedField, blind_index_field
from tongzhou.core.models import PathField, TimeStampedModel


class Organization(models.TextChoices):
    WORK_UNIT = "work_unit", _("Work unit")
    TRADE_UNION = "trade_union", _("Trade union")
    PARTY_BRANCH = "party_branch", _("Party branch")
    NONE = "none", _("None")


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
    organization = models.CharField(_("organization"), max_length=20, choices=Organization.choices)
    organization_name = models.CharField(_("organization name"), max_length=100, blank=True)
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
