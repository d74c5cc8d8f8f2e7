"""The daily report (日报): each community's figures snapshotted for a day, and the report a
community or street writes and signs over them, in versions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.models import PathField, TimeStampedModel


class Snapshot(models.Model):
    """One community's figures for one day, as counted at `taken_at`. A street's, district's or
    city's figures are never stored: they are the sums of their communities' snapshots. `missing`
    names the figures a late run could not rebuild for a past day, with the reason."""

    place = models.ForeignKey("places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"))
    day = models.DateField(_("day"))
    cutoff = models.DateTimeField(_("cut-off"))
    taken_at = models.DateTimeField(_("taken at"))
    late = models.BooleanField(_("taken after the day"), default=False)
    values = models.JSONField(_("figures"), default=dict)
    missing = models.JSONField(_("not reproducible"), default=dict)

    class Meta:
        verbose_name = _("daily snapshot")
        verbose_name_plural = _("daily snapshots")
        constraints = [models.UniqueConstraint(fields=["place", "day"], name="snapshot_once_a_day")]
        indexes = [models.Index(fields=["day", "place_path"], name="snapshot_day_path")]

    def __str__(self) -> str:
        return f"{self.place_path} {self.day}"


class DailyReport(TimeStampedModel):
    """A community's or street's report for a day, in versions: editing a signed version makes the
    next one (a copy with the change), and the signed one stays as it was."""

    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"))
    day = models.DateField(_("day"))
    version = models.PositiveIntegerField(_("version"), default=1)
    key_work = models.TextField(_("key work"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    requests = models.TextField(_("requests to the street"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_late = models.BooleanField(_("signed after the deadline"), default=False)

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["place_path", "day", "version"]
        constraints = [models.UniqueConstraint(fields=["place", "day", "version"], name="report_version_once")]
        indexes = [models.Index(fields=["day", "place_path"], name="report_day_path")]

    def __str__(self) -> str:
        return f"{self.place_path} {self.day} v{self.version}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class Adjustment(models.Model):
    """A correction of one figure where the data lags, with its reason: shown as its own line,
    never folded into the counted figure."""

    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="adjustments")
    figure = models.CharField(_("figure"), max_length=60)
    delta = models.DecimalField(_("change"), max_digits=10, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.figure} {self.delta:+}"
