import unicodedata
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.fields import EncryptedField, blind_index_field
from tongzhou.core.models import PathField, TimeStampedModel
from tongzhou.people.idnumbers import IdType, Sex
from tongzhou.places.models import Household


class ResidencyType(models.TextChoices):
    REGISTERED = "registered", _("Registered (户籍)")
    PERMANENT = "permanent", _("Permanent (常住)")
    TENANT = "tenant", _("Tenant (租户)")
    FLOATING = "floating", _("Floating (流动)")


class Tag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    DISABLED = "disabled", _("Disabled")
    PREGNANT = "pregnant", _("Pregnant")
    CHRONIC = "chronic", _("Chronic illness")
    LOW_INCOME = "low_income", _("Low-income")
    VETERAN = "veteran", _("Veteran")
    PARTY_MEMBER = "party_member", _("Party member")
    NEEDS_HELP = "needs_help", _("Needs help")


class Person(TimeStampedModel):
    """A resident in the register. ID and phone are encrypted, with blind indexes for exact lookup;
    the last four phone digits are kept in clear for the phone-call search, as on a paper list.

    `place_path` repeats the household's place path so the scoped register is one index range
    ordered by address; services keep it in step when a person moves."""

    name = models.CharField(_("name"), max_length=50)
    id_type = models.CharField(_("document type"), max_length=20, choices=IdType.choices, default=IdType.ID_CARD)
    id_number = EncryptedField(_("document number"), blind_index_field="id_index")
    id_index = blind_index_field()
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = EncryptedField(_("phone"), blind_index_field="phone_index")
    phone_index = blind_index_field()
    phone_last4 = models.CharField(_("last 4 digits of the phone"), max_length=4, blank=True, db_index=True)
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    place_path = PathField(_("place path"))
    residency_type = models.CharField(
        _("residency"), max_length=16, choices=ResidencyType.choices, default=ResidencyType.PERMANENT
    )
    notes = models.TextField(_("notes"), blank=True)
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["place_path", "name", "id"]
        indexes = [models.Index(fields=["place_path", "name", "id"], name="person_register_order")]

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("tag"), max_length=20, choices=Tag.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="person_tag_once")]
        indexes = [models.Index(fields=["tag", "person"])]

    def __str__(self) -> str:
        return self.get_tag_display()


class PersonalLink(models.Model):
    """A link sent to a resident's phone that opens their own record, isolation check-in and help
    requests without an account. The token is random (it says nothing about whom it belongs to)
    and only its SHA-256 is stored, so the database cannot be read back into working links. A link
    ends when it expires (TONGZHOU_PERSONAL_LINK_DAYS after it was made), when staff revoke it, or
    when a newer link is made for the same person: the latest message's link is the one that works."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True, db_index=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal link")
        verbose_name_plural = _("personal links")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def expires_at(self) -> datetime:
        return self.created_at + timedelta(days=settings.TONGZHOU_PERSONAL_LINK_DAYS)


class OrganisationKind(models.TextChoices):
    WORK_UNIT = "work_unit", _("Work unit")
    TRADE_UNION = "trade_union", _("Trade union")
    PARTY_ORGANISATION = "party_organisation", _("Party organisation")
    COMPANY = "company", _("Company")


def normalise_organisation_name(name: str) -> str:
    """The key two spellings of one organisation share: full-width folded, spaces dropped, case
    folded ("南明区 总工会" and "南明区总工会" are one union)."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


class Organisation(TimeStampedModel):
    """A work unit, trade union, party organisation or company, at a place (usually its street).
    Volunteers name theirs at sign-up; protection plans name one as sponsor and enroll its members.
    It lives in `people` because both volunteers and welfare use it and neither should own it."""

    name = models.CharField(_("name"), max_length=100)
    normalised_name = models.CharField(max_length=100, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"))

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["place", "normalised_name"], name="organisation_once_per_place")]

    def __str__(self) -> str:
        return self.name
