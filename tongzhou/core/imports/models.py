"""The import job: one uploaded file, checked and then imported in the background. Part of the
core app (imported at the end of core.models)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.fields import EncryptedBinaryField
from tongzhou.core.models import PathField, TimeStampedModel


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused")


class ImportJob(TimeStampedModel):
    """One uploaded file for the importer named `importer`, into the place at `place_path`. The file
    is kept encrypted only until it is imported or refused; the row errors stay for the result page."""

    importer = models.CharField(_("importer"), max_length=50)
    place_path = PathField(_("place path"), db_index=True)
    place_name = models.CharField(_("place"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("file"), max_length=200)
    file = EncryptedBinaryField(editable=False)
    all_or_nothing = models.BooleanField(_("all or nothing"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    good = models.PositiveIntegerField(_("good rows"), default=0)
    bad = models.PositiveIntegerField(_("bad rows"), default=0)
    created = models.PositiveIntegerField(_("rows imported"), default=0)
    errors = models.JSONField(_("row errors"), default=list)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        app_label = "core"
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        target = self.good if self.status == ImportStatus.IMPORTING else self.total
        return min(100, int(100 * self.processed / target)) if target else 0

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.CHECKED, ImportStatus.DONE, ImportStatus.FAILED)
