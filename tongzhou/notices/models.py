"""Notices to residents and others by scope, with the recipients frozen when sent and the reach
per household (delivered, failed, not reached, acknowledged)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.models import PathField, TimeStampedModel
from tongzhou.core.transitions import ApprovalRequest


class Audience(models.TextChoices):
    RESIDENTS = "residents", _("All residents")
    HOUSEHOLDS = "households", _("One person per household")
    TAG = "tag", _("Residents with a tag")
    KEY_PERSONS = "key_persons", _("Key persons under isolation")
    VOLUNTEERS = "volunteers", _("Volunteers")
    STAFF = "staff", _("Staff")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING = "awaiting", _("Waiting for approval")
    SENT = "sent", _("Sent")


class Notice(TimeStampedModel):
    """A notice for the people of `place`'s subtree chosen by `audience` (and `audience_ref`: the
    tag or team). Its recipients are frozen when it is sent; a newer version points at the one it
    supersedes, and the old one then says so."""

    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.RESIDENTS)
    audience_ref = models.CharField(_("tag or team"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    issuer_name = models.CharField(_("issued by"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NoticeApproval(ApprovalRequest, TimeStampedModel):
    """A notice to a whole street or wider waits for a second person (`core.transitions.decide`)."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="approvals")
    place_path = PathField(_("place path"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Reach(TimeStampedModel):
    """One household told by a notice, frozen at sending: its building (for the report and the
    door-to-door list) and whether it acknowledged or was visited."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="reach")
    household = models.ForeignKey(
        "places.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey("places.Place", verbose_name=_("building"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    visited_at = models.DateTimeField(_("visited"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "household"], name="notice_reach_once")]
        indexes = [models.Index(fields=["notice", "place_path"], name="notice_reach_path")]


class Recipient(models.Model):
    """One message of a notice: to whom (masked), for which household (if a resident), and the
    outbox message that carries it (none when there was no number to send to)."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="recipients")
    reach = models.ForeignKey(Reach, verbose_name=_("household"), null=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=150, blank=True)
    message = models.OneToOneField(
        "core.OutboxMessage", verbose_name=_("message"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["notice", "reach"], name="notice_recipient_reach")]

    def __str__(self) -> str:
        return self.name


class AttachmentKind(models.TextChoices):
    PDF = "application/pdf", _("PDF")
    JPEG = "image/jpeg", _("JPEG image")
    PNG = "image/png", _("PNG image")
    WEBP = "image/webp", _("WebP image")


class NoticeAttachment(TimeStampedModel):
    """A file sent with a notice (a PDF or an image), kept in Django's default storage and served
    only through the notice's pages: to staff who may open the notice, and on the signed public
    page once it is sent. Added while the notice is a draft, so the sent version stays as issued."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="notices/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40, choices=AttachmentKind.choices)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
