"""Testing rounds (核酸筛查 and any later kind of test): who is eligible, who was sampled into which
tube, the tubes' results, and who is recalled for a single-tube retest.

Nothing here assumes one disease: a round has a `kind` of test, nucleic acid being the first. A
tube holds at most `capacity` samples (its round's pool size when it was opened); `filled` is kept
in step by one conditional UPDATE, so two phones filling the last place of a tube cannot both win.
A person is sampled once per round, a retest aside (a partial unique constraint).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzhou.core.models import PathField, TimeStampedModel
from tongzhou.people.models import Person
from tongzhou.places.models import Household, Place


class TestKind(models.TextChoices):
    NUCLEIC_ACID = "nucleic_acid", _("Nucleic acid")


class Coverage(models.TextChoices):
    EVERYONE = "everyone", _("Everyone in the area")
    KEY_GROUPS = "key_groups", _("Key groups")
    DOOR_TO_DOOR = "door_to_door", _("Door to door (sealed places)")


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Sampling")
    CLOSED = "closed", _("Closed")


# Pool sizes offered: single tubes and 5-, 10-, 20-in-1.
POOL_SIZES = (1, 5, 10, 20)


class Round(TimeStampedModel):
    place = models.ForeignKey(Place, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("test"), max_length=20, choices=TestKind.choices, default=TestKind.NUCLEIC_ACID)
    coverage = models.CharField(_("who"), max_length=20, choices=Coverage.choices, default=Coverage.EVERYONE)
    pool_size = models.PositiveSmallIntegerField(
        _("pool size"), choices=[(k, k) for k in POOL_SIZES], default=10, help_text=_("Samples per tube.")
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.PLANNED)
    # When the people's results were purged (TONGZHOU_HEALTH_RETENTION_DAYS after the round ended).
    purged_at = models.DateTimeField(_("results purged"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("testing round")
        verbose_name_plural = _("testing rounds")
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="round_days")]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A sampling site of a round: where it is, how many people an hour it samples, its hours each
    day of the round. Its "keep order" duty is a volunteers' post with a shift each day."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sites")
    place = models.ForeignKey(Place, verbose_name=_("where"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    name = models.CharField(_("name"), max_length=100)
    per_hour = models.PositiveSmallIntegerField(_("people sampled an hour"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    post = models.ForeignKey("volunteers.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("sampling site")
        verbose_name_plural = _("sampling sites")
        ordering = ["round", "name"]
        constraints = [models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="site_hours")]

    def __str__(self) -> str:
        return self.name


class Slot(models.Model):
    """A building's time at a site: its residents come then (1栋 08:00–08:30, 2栋 08:30–09:10…)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="slots")
    building = models.ForeignKey(Place, verbose_name=_("building"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("to"))
    expected = models.PositiveIntegerField(_("people expected"))

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["day", "starts", "id"]

    def __str__(self) -> str:
        return f"{self.day} {self.starts:%H:%M}"


class ExemptReason(models.TextChoices):
    IN_HOSPITAL = "in_hospital", _("In hospital")
    AWAY = "away", _("Away from home")
    BEDRIDDEN = "bedridden", _("Bedridden: sample at home")
    INFANT = "infant", _("Infant")
    OTHER = "other", _("Other")


class Exemption(models.Model):
    """Someone eligible who is not expected at the site. The bedridden are not exempt from the test
    but from the queue: they are on the door-to-door sampling list and still counted as untested
    until sampled."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="exemptions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=ExemptReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="one_exemption_per_round")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.reason}"


class Result(models.TextChoices):
    PENDING = "pending", _("Waiting for the result")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    INVALID = "invalid", _("Invalid")


class Lab(models.Model):
    """A laboratory that tests a street's samples; boxes are sent to it and its results come back."""

    name = models.CharField(_("name"), max_length=100)
    place = models.ForeignKey(Place, verbose_name=_("serves"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    # The SHA-256 of the lab's API token (lab_...); the token itself is shown once when issued.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("laboratory")
        verbose_name_plural = _("laboratories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Box(models.Model):
    """Tubes sealed into a box at the site, handed to a courier, received and counted at the lab:
    the chain of custody. A count at receipt that differs from the count at sealing is flagged."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="boxes")
    code = models.CharField(_("box code"), max_length=40, unique=True)
    lab = models.ForeignKey(Lab, verbose_name=_("laboratory"), on_delete=models.PROTECT, related_name="boxes")
    place_path = PathField(_("place path"), db_index=True)  # the round's
    tube_count = models.PositiveIntegerField(_("tubes sealed"))
    sealed_at = models.DateTimeField(_("sealed at"))
    sealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    courier = models.CharField(_("courier"), max_length=50, blank=True)
    handed_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_count = models.PositiveIntegerField(_("tubes counted at the lab"), null=True, blank=True)

    class Meta:
        verbose_name = _("box")
        verbose_name_plural = _("boxes")
        ordering = ["-sealed_at", "-id"]

    def __str__(self) -> str:
        return self.code

    @property
    def count_differs(self) -> bool:
        return self.received_count is not None and self.received_count != self.tube_count


class Tube(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="tubes")
    box = models.ForeignKey(Box, null=True, blank=True, on_delete=models.PROTECT, related_name="tubes")
    barcode = models.CharField(_("tube barcode"), max_length=40, unique=True)
    capacity = models.PositiveSmallIntegerField(_("samples it holds"))
    filled = models.PositiveSmallIntegerField(_("samples in it"), default=0)
    retest = models.BooleanField(_("retest"), default=False)
    place_path = PathField(_("place path"), db_index=True)  # the round's: who may see the tube
    opened_at = models.DateTimeField(auto_now_add=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PENDING)
    ct_value = models.DecimalField(_("Ct value"), max_digits=5, decimal_places=2, null=True, blank=True)
    result_at = models.DateTimeField(_("result time"), null=True, blank=True)

    class Meta:
        verbose_name = _("tube")
        verbose_name_plural = _("tubes")
        constraints = [
            models.CheckConstraint(condition=Q(filled__lte=models.F("capacity")), name="tube_not_overfilled")
        ]

    def __str__(self) -> str:
        return self.barcode


class Sample(models.Model):
    """One person's sample in a tube. Partitioned by month of `round_on` on PostgreSQL (issue #22,
    testing/partitions.py): the round's first day, copied when the sample is written, so the
    unique keys can carry the partition key and lose nothing (the round fixes the day, and a
    phone's replay of a sample carries the same round). Read a round's samples through
    `round_samples()`, which names the day, so PostgreSQL reads one month."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="samples")
    # The round's starts_on (never changed once the round exists): the partition key.
    round_on = models.DateField(_("round's first day"))
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="samples")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)  # the person's, for the untested list
    retest = models.BooleanField(_("retest"), default=False)
    taken_at = models.DateTimeField(_("sampled at"))
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    client_uuid = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person", "round_on"], condition=Q(retest=False), name="sampled_once_per_round"
            ),
            models.UniqueConstraint(fields=["client_uuid", "round_on"], name="sample_stored_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.tube_id}"


def round_samples(test_round: Round) -> "models.QuerySet[Sample]":
    """The round's samples, with its day named so that PostgreSQL reads one month's partition."""
    return Sample.objects.filter(round=test_round, round_on=test_round.starts_on)


def samples_of_rounds(rounds: "list[Round]") -> "models.QuerySet[Sample]":
    """The samples of a few rounds, pruned to their months."""
    return Sample.objects.filter(round__in=rounds, round_on__in={r.starts_on for r in rounds})


class RecallStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the retest")
    CLEARED = "cleared", _("Retest negative")


class Recall(models.Model):
    """A member of a positive or invalid pooled tube, called back for a single-tube retest. While
    open, the person may not go out (the gate asks `testing.restrictions`)."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="recalls")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="recalls")
    status = models.CharField(_("status"), max_length=10, choices=RecallStatus.choices, default=RecallStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        constraints = [models.UniqueConstraint(fields=["round", "person", "tube"], name="recalled_once_per_tube")]
        indexes = [models.Index(fields=["status", "place_path"], name="recall_open_by_place")]

    def __str__(self) -> str:
        return f"{self.person_id} ({self.status})"


class DoorAnswer(models.TextChoices):
    NOTIFIED = "notified", _("Told at the door")
    NO_ANSWER = "no_answer", _("No answer")


class Notification(models.Model):
    """Whether a household was told of the round: by a message to a member's phone, and at the door
    by a building lead or volunteer (told, or nobody answered). "Notified" is either a message or
    "told at the door"; the untested list splits on it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="notifications")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    messaged_at = models.DateTimeField(_("message sent"), null=True, blank=True)
    door = models.CharField(_("at the door"), max_length=10, choices=DoorAnswer.choices, blank=True)
    door_at = models.DateTimeField(null=True, blank=True)
    door_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["round", "household"], name="one_notification_per_household")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.household_id}"

    @property
    def notified(self) -> bool:
        return self.messaged_at is not None or self.door == DoorAnswer.NOTIFIED
