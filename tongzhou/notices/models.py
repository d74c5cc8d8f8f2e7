"""Notices to residents and others by scope, with the recipients frozen when sent and the reach
per household (delivered, failed, not reached, acknowledged)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.models import PathField, TimeStampedModel
from tongzhou.core.outbox.models import MessageStatus
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
    # The text message as frozen at sending (title, body, the signed link): the send task queues
    # it to each recipient in batches.
    message_text = models.TextField(_("text message"), blank=True)

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


class Texted(models.IntegerChoices):
    """How far the texts to a household got: the best of its recipients' (a household is
    reached when any member's text was sent)."""

    NONE = 0, _("No number to text")
    FAILED = 1, _("Failed")
    PENDING = 2, _("Pending")
    SENT = 3, _("Sent")


class Reach(TimeStampedModel):
    """One household told by a notice, frozen at sending: its building (for the report and the
    door-to-door list), how far its texts got (`texted`, kept in step with its recipients'
    statuses, so the reach report counts these rows alone) and whether it acknowledged or was
    visited."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="reach")
    household = models.ForeignKey(
        "places.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey("places.Place", verbose_name=_("building"), on_delete=models.PROTECT, related_name="+")
    place_path = PathField(_("place path"), db_index=True)
    texted = models.PositiveSmallIntegerField(_("texts"), choices=Texted.choices, default=Texted.NONE)
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
    """One person a notice tells, frozen at sending: the name, the household (if a resident), the
    number as the register stores it (`sealed_to`: the encrypted token, with its blind index and a
    mask; '' when there is none to text), and then the outbox message that carries it, queued by
    the send task in batches. `status` is that message's status, kept in step by the outbox (each
    batch it records, each delivery receipt), so the reach report reads the recipients alone."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="recipients")
    reach = models.ForeignKey(Reach, verbose_name=_("household"), null=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=150, blank=True)
    sealed_to = models.TextField(blank=True, editable=False)
    to_index = models.CharField(max_length=64, blank=True, editable=False)
    to_masked = models.CharField(_("to"), max_length=32, blank=True)
    # Without a database constraint: the outbox is partitioned by month, and a month past its
    # retention is dropped after this is set NULL (the status stays; the send task skips it).
    message = models.OneToOneField(
        "core.OutboxMessage",
        verbose_name=_("message"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["reach", "status"], name="notice_recipient_state"),
            # The send task's queue: those with a number and no message yet (still `queued`: one
            # whose message went with its month keeps the status it had reached).
            models.Index(
                fields=["notice", "id"],
                name="notice_recipient_unsent",
                condition=models.Q(message__isnull=True, status="queued") & ~models.Q(sealed_to=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name


# Publicity stories: written by staff, checked for real names and numbers before a second person
# approves them for the street's public page.


class StoryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING = "awaiting", _("Waiting for approval")
    PUBLISHED = "published", _("Published")


class Story(TimeStampedModel):
    """A story of the response, published (after the pseudonym check and a second person's
    approval) on the public page of `street`, the street of `place`. `pseudonyms` says a name or
    number in it was replaced, so the page says the key persons are pseudonyms."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("published for"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), db_index=True)
    street = models.ForeignKey("places.Place", verbose_name=_("street"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=StoryStatus.choices, default=StoryStatus.DRAFT)
    pseudonyms = models.BooleanField(_("names replaced"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["street", "status", "published_at"], name="story_public")]

    def __str__(self) -> str:
        return self.title


def story_photo_path(instance: "StoryPhoto", filename: str) -> str:
    # The uploaded name is not kept: it may carry a name, and it is not needed.
    import uuid

    return f"stories/{instance.story_id}/{uuid.uuid4().hex}.{instance.extension}"


class StoryPhoto(TimeStampedModel):
    story = models.ForeignKey(Story, verbose_name=_("story"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=story_photo_path, max_length=200)
    extension = models.CharField(max_length=5)
    content_type = models.CharField(max_length=40)
    credit = models.CharField(_("photographer"), max_length=100)
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]


class StoryApproval(ApprovalRequest, TimeStampedModel):
    """A story waits for a second person before it is published (`core.transitions.decide`)."""

    story = models.ForeignKey(Story, verbose_name=_("story"), on_delete=models.CASCADE, related_name="approvals")
    place_path = PathField(_("place path"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class NamingConsent(TimeStampedModel):
    """A person agreed to be named in stories: recorded by staff for a resident, or by a volunteer
    for themself (then `person` is each register entry with the volunteer's ID or phone number)."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("volunteer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=50)
    place_path = PathField(_("place path"), db_index=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("how it was given"), max_length=200)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent to be named")
        verbose_name_plural = _("consents to be named")
        indexes = [models.Index(fields=["person", "withdrawn_at"], name="consent_person")]


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
