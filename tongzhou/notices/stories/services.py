"""Writes of publicity stories: write and edit a story, add its photos, replace what the
pseudonym check found, record consent to be named, submit it, and the second person's decision
that publishes it. A story with an unresolved finding is never submitted nor published."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require
from tongzhou.core.images import photo_kind, without_metadata
from tongzhou.core.scope import ancestor_paths
from tongzhou.core.services import audit_log
from tongzhou.core.transitions import ApprovalState, decide
from tongzhou.notices.audit import NoticesAudit
from tongzhou.notices.models import NamingConsent, Story, StoryApproval, StoryPhoto, StoryStatus
from tongzhou.notices.stories.permissions import STORIES_APPROVE, STORIES_WRITE, STORY_PLACE_KINDS
from tongzhou.notices.stories.pseudonyms import NAME_KINDS, check_story, check_text, unresolved
from tongzhou.people.models import Person
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.models import Volunteer

MAX_PHOTOS = 12


@dataclass(frozen=True)
class StoryDraft:
    place: Place
    title: str
    body: str


def _street_of(place: Place) -> Place | None:
    return Place.objects.filter(path__in=ancestor_paths(place.path), kind=PlaceKind.STREET).first()


def _check(draft: StoryDraft) -> Place:
    errors: dict[str, str] = {}
    if not draft.title.strip():
        errors["title"] = _("This is required.")
    if not draft.body.strip():
        errors["body"] = _("This is required.")
    street = _street_of(draft.place) if draft.place.kind in STORY_PLACE_KINDS else None
    if street is None:
        errors["place"] = _("Choose a street or a place in a street.")
    if errors:
        raise ValidationError(errors)
    assert street is not None
    return street


@transaction.atomic
def story_create(*, actor: User, draft: StoryDraft) -> Story:
    """A draft story for `draft.place` (STORIES_WRITE there, else PermissionDenied), to be
    published on the page of its street."""
    require(actor, STORIES_WRITE, draft.place.path)
    street = _check(draft)
    return Story.objects.create(
        place=draft.place,
        place_path=draft.place.path,
        street=street,
        title=draft.title.strip()[:200],
        body=draft.body.strip(),
        created_by=actor,
    )


def _locked_draft(actor: User, story: Story) -> Story:
    locked = Story.objects.select_for_update().get(pk=story.pk)
    require(actor, STORIES_WRITE, locked.place_path)
    if locked.status != StoryStatus.DRAFT:
        raise ValidationError(_("Only a draft can be changed."))
    return locked


@transaction.atomic
def story_update(*, actor: User, story: Story, draft: StoryDraft) -> Story:
    """Changes a draft's place, title and text (the new place must be the actor's too)."""
    locked = _locked_draft(actor, story)
    require(actor, STORIES_WRITE, draft.place.path)
    street = _check(draft)
    locked.place, locked.place_path, locked.street = draft.place, draft.place.path, street
    locked.title, locked.body = draft.title.strip()[:200], draft.body.strip()
    locked.save(update_fields=["place", "place_path", "street", "title", "body", "updated_at"])
    return locked


@transaction.atomic
def story_photo_add(*, actor: User, story: Story, upload: UploadedFile, credit: str, caption: str = "") -> StoryPhoto:
    """A photo (JPEG, PNG or WebP, at most 5 MB) with its photographer, on a draft."""
    locked = _locked_draft(actor, story)
    if not credit.strip():
        raise ValidationError({"credit": _("Name the photographer.")})
    if locked.photos.count() >= MAX_PHOTOS:
        raise ValidationError({"image": _("A story has at most %(n)d photos.") % {"n": MAX_PHOTOS}})
    extension, content_type = photo_kind(upload)
    photo = StoryPhoto(
        story=locked,
        extension=extension,
        content_type=content_type,
        credit=credit.strip()[:100],
        caption=caption.strip()[:200],
    )
    photo.image.save("photo", without_metadata(upload), save=False)
    photo.save()
    return photo


@transaction.atomic
def story_photo_remove(*, actor: User, photo: StoryPhoto) -> None:
    _locked_draft(actor, photo.story)
    photo.image.delete(save=False)
    photo.delete()


@transaction.atomic
def story_replace(
    *, actor: User, story: Story, kind: str, text: str, pseudonym: str = "", request: HttpRequest | None = None
) -> Story:
    """Replaces every occurrence of a finding (`kind`, `text`) in the draft's title and text: a
    name by its surname and a star or by `pseudonym`, a phone by its masked form, an ID number by
    nothing, a room by its building. Refuses a text the check does not find now, and a pseudonym
    that is itself a name of the register there."""
    locked = _locked_draft(actor, story)
    finding = next((f for f in check_story(locked) if f.kind == kind and f.text == text), None)
    if finding is None:
        raise ValidationError(_("The check does not find this any more; run it again."))
    replacement = finding.replacement
    if pseudonym.strip():
        if kind not in NAME_KINDS:
            raise ValidationError(_("Only a name is replaced by a chosen pseudonym."))
        replacement = pseudonym.strip()[:20]
        if check_text(replacement, locked.place_path):
            raise ValidationError({"pseudonym": _("This pseudonym is itself a name or number of the register.")})
    locked.title = locked.title.replace(text, replacement)[:200]
    locked.body = locked.body.replace(text, replacement)
    locked.pseudonyms = True
    locked.save(update_fields=["title", "body", "pseudonyms", "updated_at"])
    audit_log(
        action=NoticesAudit.STORY_REPLACED,
        actor=actor,
        obj=locked,
        place_path=locked.place_path,
        request=request,
        details={"kind": kind, "occurrences": finding.count},
    )
    return locked


@transaction.atomic
def story_submit(*, actor: User, story: Story, request: HttpRequest | None = None) -> Story:
    """Asks a second person to publish the draft. Refused (ValidationError) while the pseudonym
    check finds a name, number or room that was neither replaced nor consented to."""
    locked = _locked_draft(actor, story)
    left = unresolved(check_story(locked))
    if left:
        raise ValidationError(
            _("Replace or get consent for what the check found first: %(what)s")
            % {"what": "、".join(f.text for f in left)}
        )
    StoryApproval.objects.create(story=locked, place_path=locked.place_path, requested_by=actor)
    locked.status = StoryStatus.AWAITING
    locked.save(update_fields=["status", "updated_at"])
    audit_log(
        action=NoticesAudit.STORY_SUBMITTED, actor=actor, obj=locked, place_path=locked.place_path, request=request
    )
    return locked


@transaction.atomic
def story_withdraw(*, actor: User, story: Story) -> Story:
    """The author (or a colleague) takes a story waiting for approval back to a draft."""
    locked = Story.objects.select_for_update().get(pk=story.pk)
    require(actor, STORIES_WRITE, locked.place_path)
    if locked.status != StoryStatus.AWAITING:
        raise ValidationError(_("This story is not waiting for approval."))
    # Nothing was decided: the request goes, as a dropped shift takes its request with it.
    StoryApproval.objects.filter(story=locked, status=ApprovalState.PENDING).delete()
    locked.status = StoryStatus.DRAFT
    locked.save(update_fields=["status", "updated_at"])
    return locked


def story_approval_decide(*, actor: User, approval: StoryApproval, approve: bool, note: str = "") -> StoryApproval:
    """The second person's decision (never the requester's, decided once): approved, the story is
    published on its street's page, after the check finds nothing unresolved once more; rejected,
    it goes back to a draft."""

    def check(locked: StoryApproval) -> None:
        if approve and unresolved(check_story(Story.objects.get(pk=locked.story_id))):
            raise ValidationError(_("The pseudonym check finds names or numbers in this story now."))

    def apply(locked: StoryApproval) -> None:
        Story.objects.filter(pk=locked.story_id, status=StoryStatus.AWAITING).update(
            status=StoryStatus.PUBLISHED, published_at=timezone.now(), updated_at=timezone.now()
        )

    decided = decide(
        approval,
        actor=actor,
        approve=approve,
        perm=STORIES_APPROVE,
        path=approval.place_path,
        note=note,
        apply=apply,
        check=check,
        audit_action=NoticesAudit.STORY_APPROVAL,
        audit_obj=approval.story,
    )
    if decided.status == ApprovalState.REJECTED:
        Story.objects.filter(pk=decided.story_id, status=StoryStatus.AWAITING).update(
            status=StoryStatus.DRAFT, updated_at=timezone.now()
        )
    return decided


@transaction.atomic
def naming_consent_record(
    *, actor: User, person: Person, note: str, request: HttpRequest | None = None
) -> NamingConsent:
    """Staff record that a resident agreed to be named in stories (how: `note`)."""
    require(actor, STORIES_WRITE, person.place_path)
    if not note.strip():
        raise ValidationError({"note": _("Say how the consent was given.")})
    consent = NamingConsent.objects.create(
        person=person, name=person.name, place_path=person.place_path, given_by=actor, note=note.strip()[:200]
    )
    audit_log(
        action=NoticesAudit.NAMING_CONSENT,
        actor=actor,
        obj=consent,
        place_path=person.place_path,
        request=request,
        details={"person": person.pk},
    )
    return consent


@transaction.atomic
def naming_consent_withdraw(
    *, actor: User, consent: NamingConsent, request: HttpRequest | None = None
) -> NamingConsent:
    """Staff withdraw a consent recorded by staff (the resident no longer agrees, or it was
    recorded by mistake): from now on the check flags the name again. A volunteer's own consent is
    theirs to withdraw, on their page."""
    require(actor, STORIES_WRITE, consent.place_path)
    if consent.volunteer_id is not None:
        raise ValidationError(_("The volunteer withdraws their own consent on their page."))
    now = timezone.now()
    changed = NamingConsent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now, updated_at=now
    )
    if changed:
        audit_log(
            action=NoticesAudit.NAMING_CONSENT_WITHDRAWN,
            actor=actor,
            obj=consent,
            place_path=consent.place_path,
            request=request,
            details={"person": consent.person_id},
        )
    consent.refresh_from_db()
    return consent


def _own_register_entries(volunteer: Volunteer) -> list[Person]:
    same = Q()
    if volunteer.id_index:
        same |= Q(id_index=volunteer.id_index)
    if volunteer.phone_index:
        same |= Q(phone_index=volunteer.phone_index)
    return list(Person.objects.filter(same)) if same else []


@transaction.atomic
def naming_consent_own(*, actor: User, give: bool, note: str = "") -> list[NamingConsent]:
    """A volunteer agrees (or no longer agrees) to be named in stories: for each register entry
    with their ID or phone number, or for themself when the register has none."""
    volunteer = Volunteer.objects.filter(user=actor).first()
    if volunteer is None:
        raise ValidationError(_("Only a volunteer records their own consent."))
    active = NamingConsent.objects.filter(volunteer=volunteer, withdrawn_at__isnull=True)
    if not give:
        active.update(withdrawn_at=timezone.now(), updated_at=timezone.now())
        return []
    if active.exists():
        return list(active)
    text = note.strip()[:200] or _("Given by the volunteer on their own page")
    people: list[Person | None] = [*_own_register_entries(volunteer)] or [None]
    consents = [
        NamingConsent.objects.create(
            person=person,
            volunteer=volunteer,
            name=volunteer.name,
            place_path=person.place_path if person else volunteer.place_path,
            given_by=actor,
            note=text,
        )
        for person in people
    ]
    audit_log(
        action=NoticesAudit.NAMING_CONSENT,
        actor=actor,
        obj=consents[0],
        place_path=volunteer.place_path,
        details={"volunteer": volunteer.pk},
    )
    return consents
