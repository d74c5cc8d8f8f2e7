"""Writes of the notices app: write a notice, send it (or ask a second person first when it goes
to a whole street or wider), supersede it, tick a household visited, acknowledge it from the door."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from celery import current_app
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core import pii
from tongzhou.core.access import require
from tongzhou.core.bulk import insert_rows, update_rows
from tongzhou.core.outbox.dispatch import Outgoing, enqueue_many, schedule
from tongzhou.core.outbox.models import MessageStatus
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import ancestor_paths
from tongzhou.core.services import audit_log
from tongzhou.core.transitions import ApprovalState, decide
from tongzhou.notices import audiences
from tongzhou.notices.audit import NoticesAudit
from tongzhou.notices.models import (
    AttachmentKind,
    Audience,
    Notice,
    NoticeApproval,
    NoticeAttachment,
    NoticeStatus,
    Reach,
    Recipient,
    Texted,
)
from tongzhou.notices.selectors import WIDE_KINDS
from tongzhou.people.models import Tag
from tongzhou.places.models import Place

# The frozen recipient list is written as plain rows (COPY on PostgreSQL): a street is 100,000.
REACH_COLUMNS = ("created_at", "updated_at", "notice_id", "household_id", "building_id", "place_path", "texted")
RECIPIENT_COLUMNS = ("notice_id", "reach_id", "name", "sealed_to", "to_index", "to_masked", "message_id", "status")
MAX_TEXT = 500  # one SMS text, with the title; longer ones are cut with a link to the signed page


@dataclass(frozen=True)
class NoticeDraft:
    place: Place
    title: str
    body: str
    valid_from: date
    valid_to: date | None
    audience: str
    audience_ref: str = ""  # the tag, or the volunteer team's id (none: every volunteer of the place)


def _check(draft: NoticeDraft) -> None:
    errors: dict[str, str] = {}
    if not draft.title.strip():
        errors["title"] = _("This is required.")
    if not draft.body.strip():
        errors["body"] = _("This is required.")
    if draft.valid_to and draft.valid_to < draft.valid_from:
        errors["valid_to"] = _("The end is before the start.")
    if draft.audience not in dict(audiences.available()):
        errors["audience"] = _("Choose who the notice is for.")
    elif draft.audience == Audience.TAG and draft.audience_ref not in Tag.values:
        errors["audience_ref"] = _("Choose a tag.")
    elif (
        draft.audience == Audience.VOLUNTEERS
        and draft.audience_ref
        and audiences.team_in(draft.place.path, draft.audience_ref) is None
    ):
        errors["team"] = _("Choose a volunteer team of this place.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def notice_create(
    *, actor: User, draft: NoticeDraft, supersedes: Notice | None = None, request: HttpRequest | None = None
) -> Notice:
    """A draft notice at `draft.place` (NOTICES_SEND there, else PermissionDenied). A new version
    of a sent notice names it in `supersedes` (once: a notice is superseded by one version)."""
    require(actor, Perm.NOTICES_SEND, draft.place.path)
    _check(draft)
    if supersedes is not None:
        require(actor, Perm.NOTICES_SEND, supersedes.place_path)
        if supersedes.status != NoticeStatus.SENT or Notice.objects.filter(supersedes=supersedes).exists():
            raise ValidationError(_("Only a sent notice that has no newer version can be superseded."))
    return Notice.objects.create(
        place=draft.place,
        place_path=draft.place.path,
        title=draft.title.strip()[:200],
        body=draft.body.strip(),
        valid_from=draft.valid_from,
        valid_to=draft.valid_to,
        audience=draft.audience,
        audience_ref=draft.audience_ref if draft.audience in (Audience.TAG, Audience.VOLUNTEERS) else "",
        created_by=actor,
        supersedes=supersedes,
    )


def needs_approval(notice: Notice) -> bool:
    return notice.place.kind in WIDE_KINDS


def audience_count(notice: Notice) -> tuple[int, int, int]:
    """(people, with a number to text, households) the notice would reach now."""
    found = audiences.contacts(notice.audience, notice.place_path, notice.audience_ref)
    spots = audiences.households(notice.audience, notice.place_path, found)
    return len(found), sum(1 for c in found if c.reachable), len(spots)


def message_text(notice: Notice, url: str) -> str:
    head = f"【{notice.issuer_name or notice.place.name}】{notice.title}："
    text = head + notice.body
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return f"{text} {url}".strip()


@transaction.atomic
def notice_send(*, actor: User, notice: Notice, site_url: str = "", request: HttpRequest | None = None) -> Notice:
    """Send a draft: to a street or wider it waits for a second person (a NoticeApproval);
    otherwise the recipients are frozen now and the messages go through the outbox."""
    locked = Notice.objects.select_for_update().select_related("place").get(pk=notice.pk)
    require(actor, Perm.NOTICES_SEND, locked.place_path)
    if locked.status != NoticeStatus.DRAFT:
        raise ValidationError(_("This notice was sent already."))
    if needs_approval(locked):
        NoticeApproval.objects.create(notice=locked, place_path=locked.place_path, requested_by=actor)
        locked.status = NoticeStatus.AWAITING
        locked.save(update_fields=["status", "updated_at"])
        return locked
    return _freeze_and_send(locked, actor=actor, site_url=site_url, request=request)


def _issuer(author: User, notice: Notice) -> str:
    """The office that issues the notice (where its author holds the role that covers it: a
    community, a street) and the author."""
    role = (
        author.roles.filter(place__path__in=ancestor_paths(notice.place_path))
        .select_related("place")
        .order_by("place__path")
        .first()
    )
    office = role.place.name if role else notice.place.name
    return f"{office} · {author.display_name or author.username}"


def _freeze_and_send(notice: Notice, *, actor: User, site_url: str, request: HttpRequest | None) -> Notice:
    """Freeze the recipients (Reach and Recipient rows, with each number as the register stores
    it) and have the send task queue the texts: at once in this process without a broker, else
    by a worker after this transaction commits. No outbox row is written here: a street's
    100,000 texts take minutes at the gateway's rate anyway, so the task makes them in batches."""
    from tongzhou.notices.links import notice_url

    found = audiences.contacts(notice.audience, notice.place_path, notice.audience_ref)
    spots = audiences.households(notice.audience, notice.place_path, found)
    now = timezone.now()
    notice.issuer_name = _issuer(notice.created_by, notice)
    notice.sent_at = now
    notice.status = NoticeStatus.SENT
    notice.recipient_count = len(found)
    notice.message_text = message_text(notice, notice_url(notice, site_url))
    notice.save(update_fields=["issuer_name", "sent_at", "status", "recipient_count", "message_text", "updated_at"])
    with_number = {c.household_id for c in found if c.reachable}
    reach_ids = insert_rows(
        Reach,
        REACH_COLUMNS,
        [
            (now, now, notice.pk, s.household_id, s.building_id, s.path, _texted(s.household_id in with_number))
            for s in spots
        ],
    )
    reach_of = {s.household_id: pk for s, pk in zip(spots, reach_ids, strict=True)}
    insert_rows(
        Recipient, RECIPIENT_COLUMNS, [(notice.pk, reach_of.get(c.household_id or 0), *_sealed(c)) for c in found]
    )
    if notice.supersedes_id:
        Notice.objects.filter(pk=notice.supersedes_id).update(updated_at=timezone.now())
    audit_log(
        action=NoticesAudit.NOTICE_SENT,
        actor=actor,
        obj=notice,
        place_path=notice.place_path,
        request=request,
        details={
            "recipients": len(found),
            "texted": sum(1 for c in found if c.reachable),
            "households": len(spots),
        },
    )
    if current_app.conf.task_always_eager:
        notice_texts_queue(notice.pk)
    else:
        from tongzhou.notices import tasks

        pk = notice.pk
        transaction.on_commit(lambda: tasks.send_notice_texts.delay(pk))
    return notice


def _sealed(c: audiences.Contact) -> tuple[str, str, str, str, None, str]:
    """A contact's Recipient columns after the notice and household: name, the number sealed
    (the register's token as it is, or a staff member's number encrypted now), its blind index
    and mask, no message yet, and `queued` when there is a number to text."""
    if c.sealed_phone:
        sealed, index, masked = c.sealed_phone, c.phone_index, "*******" + c.phone_last4
    elif c.phone and (phone := pii.normalize(c.phone)):
        sealed, index, masked = pii.encrypt(phone), pii.blind_index(phone), pii.mask_phone(phone)
    else:
        return (c.name[:150], "", "", "", None, "")
    return (c.name[:150], sealed, index, masked[:32], None, MessageStatus.QUEUED.value)


QUEUE_BATCH = 2000


def recipient_key(notice_id: int, recipient_id: int) -> str:
    """The idempotency key of the text to one recipient: the outbox takes a key once, so a send
    task retried after a crash never queues (nor the gateway sends) one recipient twice."""
    return f"notice-{notice_id}-{recipient_id}"


def notice_texts_queue(notice_id: int, *, batch: int = QUEUE_BATCH, limit: int | None = None) -> int:
    """The send task: queue the texts of a sent notice to its recipients who have a number and no
    message yet, `batch` at a time; each batch writes its outbox rows and notes them on the
    recipients in one transaction, then has them sent. Safe to run again, or in two workers at
    once (rows locked, skipped by the other): a batch is queued once or not at all. A recipient
    whose message went with its month (outbox retention) has no message again but a final status:
    it is not texted twice. `limit` stops
    after about that many (tests). Returns the number queued."""
    notice = (
        Notice.objects.filter(pk=notice_id, status=NoticeStatus.SENT).only("pk", "place_path", "message_text").first()
    )
    if notice is None:
        return 0
    queued = 0
    while limit is None or queued < limit:
        with transaction.atomic():
            rows = Recipient.objects.filter(
                notice_id=notice_id, message__isnull=True, status=MessageStatus.QUEUED
            ).exclude(sealed_to="")
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True, of=("self",))
            found = list(
                rows.order_by("pk").values_list("pk", "sealed_to", "to_index", "to_masked", "reach__place_path")[:batch]
            )
            if not found:
                break
            ids = enqueue_many(
                (
                    Outgoing(
                        to="",
                        sealed_to=sealed,
                        to_index=index,
                        to_masked=masked,
                        text=notice.message_text,
                        scope=path or notice.place_path,
                        kind="notice",
                        key=recipient_key(notice_id, pk),
                    )
                    for pk, sealed, index, masked, path in found
                ),
                send=False,
            )
            update_rows(
                Recipient, ("message_id",), [(row[0], message) for row, message in zip(found, ids, strict=True)]
            )
            schedule(ids)
        queued += len(ids)
    return queued


def notices_texts_due() -> int:
    """The sweep: texts of sent notices that no task queued (a broker that lost the task)."""
    waiting = (
        Recipient.objects.filter(message__isnull=True, status=MessageStatus.QUEUED)
        .exclude(sealed_to="")
        .values("notice_id")
        .distinct()
    )
    return sum(notice_texts_queue(pk) for pk in Notice.objects.filter(pk__in=waiting).values_list("pk", flat=True))


def _texted(has_number: bool) -> int:
    return Texted.PENDING if has_number else Texted.NONE


# A recipient's status as how far the text got, for its household's `texted` (the best of them).
_RANK = Case(
    When(status__in=[MessageStatus.SENT, MessageStatus.DELIVERED], then=Value(Texted.SENT)),
    When(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING], then=Value(Texted.PENDING)),
    When(status=MessageStatus.FAILED, then=Value(Texted.FAILED)),
    default=Value(Texted.NONE),
    output_field=IntegerField(),
)


def recipients_follow(changes: list[tuple[int, str]]) -> None:
    """The outbox's status listener: a notice's recipients take their message's new status, and
    their households how far their texts got now (two statements for the whole batch)."""
    if not update_rows(Recipient, ("status",), changes, match="message_id"):
        return
    households = Recipient.objects.filter(message_id__in=[pk for pk, _status in changes], reach__isnull=False)
    best = Recipient.objects.filter(reach=OuterRef("pk")).annotate(rank=_RANK).order_by("-rank").values("rank")[:1]
    Reach.objects.filter(pk__in=households.values("reach_id")).update(
        texted=Coalesce(Subquery(best), Value(Texted.NONE))
    )


def notice_approval_decide(
    *, actor: User, approval: NoticeApproval, approve: bool, note: str = "", site_url: str = ""
) -> NoticeApproval:
    """The second person's decision (never the requester's, once): approved, the notice is
    frozen and sent; rejected, it goes back to a draft."""

    def apply(locked: NoticeApproval) -> None:
        notice = Notice.objects.select_for_update().select_related("place", "created_by").get(pk=locked.notice_id)
        _freeze_and_send(notice, actor=actor, site_url=site_url, request=None)

    decided = decide(
        approval,
        actor=actor,
        approve=approve,
        perm=Perm.NOTICES_APPROVE,
        path=approval.place_path,
        note=note,
        apply=apply,
        audit_action=NoticesAudit.NOTICE_APPROVAL,
        audit_obj=approval.notice,
    )
    if decided.status == ApprovalState.REJECTED:
        Notice.objects.filter(pk=decided.notice_id, status=NoticeStatus.AWAITING).update(
            status=NoticeStatus.DRAFT, updated_at=timezone.now()
        )
    return decided


@transaction.atomic
def reach_visit(*, actor: User, reach: Reach, visited: bool = True, request: HttpRequest | None = None) -> Reach:
    """The building lead ticks a household visited (or unticks a mistake)."""
    require(actor, Perm.NOTICES_VISIT, reach.place_path)
    changed = Reach.objects.filter(pk=reach.pk).update(
        visited_at=timezone.now() if visited else None, visited_by=actor if visited else None
    )
    if changed:
        audit_log(
            action=NoticesAudit.NOTICE_VISITED,
            actor=actor,
            obj=reach.notice,
            place_path=reach.place_path,
            request=request,
            details={"household": reach.household_id, "visited": visited},
        )
    reach.refresh_from_db()
    return reach


def reach_acknowledge(*, notice: Notice, household_id: Any) -> bool:
    """A resident who scanned the door notice acknowledges it for their household (a household the
    notice was sent to). True when it was recorded now, False when it was already."""
    return bool(
        Reach.objects.filter(notice=notice, household_id=household_id, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now()
        )
    )


MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10


def attachment_kind(data: bytes) -> str:
    """The type of an upload by its first bytes (not its name or the browser's word): a PDF or a
    JPEG, PNG or WebP image; '' for anything else."""
    if data.startswith(b"%PDF-"):
        return AttachmentKind.PDF
    if data.startswith(b"\xff\xd8\xff"):
        return AttachmentKind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return AttachmentKind.PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return AttachmentKind.WEBP
    return ""


@transaction.atomic
def notice_attach(
    *, actor: User, notice: Notice, name: str, data: bytes, request: HttpRequest | None = None
) -> NoticeAttachment:
    """Attach a file to a draft notice (NOTICES_SEND at its place): a PDF or an image of at most
    10 MB, ten files at most; else a ValidationError naming the field `file`, and nothing stored."""
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    require(actor, Perm.NOTICES_SEND, locked.place_path)
    if locked.status != NoticeStatus.DRAFT:
        raise ValidationError({"file": _("Files can be attached only before the notice is sent.")})
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    kind = attachment_kind(data)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 10 MB.")})
    if not kind:
        raise ValidationError({"file": _("Attach a PDF or an image (JPEG, PNG or WebP).")})
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": _("A notice has ten files at most.")})
    clean_name = (name.replace("/", "_").replace("\\", "_").strip() or "file")[-200:]
    attachment = NoticeAttachment(notice=locked, name=clean_name, content_type=kind, size=len(data))
    attachment.file.save(f"{uuid.uuid4().hex}{EXTENSIONS[kind]}", ContentFile(data), save=False)
    attachment.save()
    audit_log(
        action=NoticesAudit.NOTICE_ATTACHED,
        actor=actor,
        obj=locked,
        place_path=locked.place_path,
        request=request,
        details={"file": clean_name, "size": len(data)},
    )
    return attachment


@transaction.atomic
def notice_attachment_remove(*, actor: User, attachment: NoticeAttachment, request: HttpRequest | None = None) -> None:
    """Remove a file from a draft notice (NOTICES_SEND at its place); once sent, the notice stays
    as issued (ValidationError)."""
    locked = Notice.objects.select_for_update().get(pk=attachment.notice_id)
    require(actor, Perm.NOTICES_SEND, locked.place_path)
    if locked.status != NoticeStatus.DRAFT:
        raise ValidationError(_("Files can be removed only before the notice is sent."))
    name = attachment.name
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))
    audit_log(
        action=NoticesAudit.NOTICE_ATTACHMENT_REMOVED,
        actor=actor,
        obj=locked,
        place_path=locked.place_path,
        request=request,
        details={"file": name},
    )


EXTENSIONS: dict[str, str] = {
    AttachmentKind.PDF: ".pdf",
    AttachmentKind.JPEG: ".jpg",
    AttachmentKind.PNG: ".png",
    AttachmentKind.WEBP: ".webp",
}
