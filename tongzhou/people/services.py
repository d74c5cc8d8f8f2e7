import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import scope_for
from tongzhou.core import pii
from tongzhou.core.access import require
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope
from tongzhou.core.services import audit_log
from tongzhou.core.tokens import token_digest
from tongzhou.people.audit import PeopleAudit
from tongzhou.people.idnumbers import IdType, id_card_facts, normalize_id_number, normalize_phone
from tongzhou.people.models import (
    Organisation,
    OrganisationKind,
    Person,
    PersonalLink,
    PersonTag,
    ResidencyType,
    Tag,
    normalise_organisation_name,
)
from tongzhou.people.selectors import live_personal_links, person_active_links
from tongzhou.places.models import Household, Place


@dataclass
class PersonData:
    """What a form, an import row or an API call gives to register or change a person."""

    name: str
    id_type: str
    id_number: str
    phone: str
    household: Household
    residency_type: str = ResidencyType.PERMANENT
    tags: Iterable[str] = ()
    notes: str = ""


def _register_scope(actor: User | None) -> Scope | None:
    return scope_for(actor, Perm.PEOPLE_VIEW) if actor is not None else None


def clean_person_data(
    data: PersonData, *, exclude_pk: int | None = None, scope: Scope | None = None
) -> dict[str, object]:
    """Validate and normalize; raise ValidationError keyed by field. The same ID number may be
    registered only once among the residents in `scope` who have not moved out (None: everywhere);
    outside one's own places the register says nothing, not even "already registered"."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {"name": data.name.strip(), "id_type": data.id_type}
    if not values["name"] or len(str(values["name"])) > 50:
        errors["name"] = _("A name of 1 to 50 characters is required.")
    if data.id_type not in IdType.values:
        errors["id_type"] = _("Unknown document type.")
    else:
        try:
            number = normalize_id_number(data.id_type, data.id_number)
        except ValidationError as error:
            errors["id_number"] = error.messages[0]
        else:
            values["id_number"] = number
            if data.id_type == IdType.ID_CARD:
                facts = id_card_facts(number)
                values.update(birth_date=facts.birth_date, sex=facts.sex)
            else:
                values.update(birth_date=None, sex="")
            taken = Person.objects.filter(
                id_index__in=pii.blind_index_candidates(number), moved_out_on__isnull=True, merged_into__isnull=True
            )
            if scope is not None:
                taken = taken.filter(scope.q("place_path"))
            if exclude_pk is not None:
                taken = taken.exclude(pk=exclude_pk)
            if taken.exists():
                errors["id_number"] = _("This document number is already registered.")
    if data.phone:
        try:
            values["phone"] = normalize_phone(data.phone)
            values["phone_last4"] = str(values["phone"])[-4:]
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    else:
        values.update(phone="", phone_last4="")
    if data.residency_type not in ResidencyType.values:
        errors["residency_type"] = _("Unknown residency type.")
    values["residency_type"] = data.residency_type
    unknown = [t for t in data.tags if t not in Tag.values]
    if unknown:
        errors["tags"] = _("Unknown tags: %(tags)s") % {"tags": ", ".join(unknown)}
    values["notes"] = data.notes.strip()
    if errors:
        raise ValidationError(errors)
    return values


def _set_tags(person: Person, tags: Iterable[str]) -> None:
    wanted = set(tags)
    PersonTag.objects.filter(person=person).exclude(tag__in=wanted).delete()
    have = set(PersonTag.objects.filter(person=person).values_list("tag", flat=True))
    PersonTag.objects.bulk_create(PersonTag(person=person, tag=t) for t in sorted(wanted - have))


@transaction.atomic
def person_create(*, actor: User | None, data: PersonData, request: HttpRequest | None = None) -> Person:
    """Register a resident in a household within the actor's places. All fields validated; the
    ID number must not be registered already. Audited."""
    if actor is not None:
        require(actor, Perm.PEOPLE_MANAGE, data.household.place.path)
    values = clean_person_data(data, scope=_register_scope(actor))
    person = Person.objects.create(household=data.household, place_path=data.household.place.path, **values)
    _set_tags(person, data.tags)
    audit_log(action=PeopleAudit.PERSON_CREATED, actor=actor, obj=person, place_path=person.place_path, request=request)
    return person


@transaction.atomic
def person_update(*, actor: User, person: Person, data: PersonData, request: HttpRequest | None = None) -> Person:
    """Change a resident's record (a different household is a move, see person_move). Audited
    with the names of the fields that changed, never their values."""
    require(actor, Perm.PEOPLE_MANAGE, person.household.place.path)
    values = clean_person_data(data, exclude_pk=person.pk, scope=_register_scope(actor))
    changed = [f for f, v in values.items() if getattr(person, f) != v]
    for field, value in values.items():
        setattr(person, field, value)
    person.save()
    old_tags = set(person.tags.values_list("tag", flat=True))
    _set_tags(person, data.tags)
    if set(data.tags) != old_tags:
        changed.append("tags")
    audit_log(
        action=PeopleAudit.PERSON_CHANGED,
        actor=actor,
        obj=person,
        place_path=person.place_path,
        request=request,
        details={"fields": changed},
    )
    return person


@transaction.atomic
def person_move(*, actor: User, person: Person, household: Household, request: HttpRequest | None = None) -> Person:
    """Move a resident to another household; both must be within the actor's places."""
    require(actor, Perm.PEOPLE_MANAGE, person.household.place.path)
    require(actor, Perm.PEOPLE_MANAGE, household.place.path)
    old = person.household
    person.household = household
    person.place_path = household.place.path
    person.save(update_fields=["household", "place_path", "updated_at"])
    audit_log(
        action=PeopleAudit.PERSON_MOVED,
        actor=actor,
        obj=person,
        place_path=person.place_path,
        request=request,
        details={"from_household": old.pk, "to_household": household.pk},
    )
    return person


@transaction.atomic
def person_move_out(
    *, actor: User, person: Person, on: date | None = None, request: HttpRequest | None = None
) -> Person:
    """Mark a resident as moved out (kept in the register's history, no longer counted)."""
    require(actor, Perm.PEOPLE_MANAGE, person.household.place.path)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"moved_out_on": _("The date cannot be in the future.")})
    person.moved_out_on = on
    person.save(update_fields=["moved_out_on", "updated_at"])
    audit_log(
        action=PeopleAudit.PERSON_MOVED,
        actor=actor,
        obj=person,
        place_path=person.place_path,
        request=request,
        details={"moved_out_on": on.isoformat()},
    )
    return person


@transaction.atomic
def person_merge(*, actor: User, keep: Person, duplicate: Person, request: HttpRequest | None = None) -> Person:
    """Merge two records of the same person: the duplicate points at the one kept, its tags join
    the kept record, and its history is shown with the kept record's."""
    require(actor, Perm.PEOPLE_MANAGE, keep.household.place.path)
    require(actor, Perm.PEOPLE_MANAGE, duplicate.household.place.path)
    if keep.pk == duplicate.pk or duplicate.merged_into_id or keep.merged_into_id:
        raise ValidationError(_("These records cannot be merged."))
    _set_tags(keep, set(keep.tags.values_list("tag", flat=True)) | set(duplicate.tags.values_list("tag", flat=True)))
    duplicate.merged_into = keep
    duplicate.moved_out_on = duplicate.moved_out_on or timezone.localdate()
    duplicate.save(update_fields=["merged_into", "moved_out_on", "updated_at"])
    for person in (keep, duplicate):
        audit_log(
            action=PeopleAudit.PERSON_MERGED,
            actor=actor,
            obj=person,
            place_path=person.place_path,
            request=request,
            details={"kept": keep.pk, "merged": duplicate.pk},
        )
    return keep


def person_view_record(*, actor: User, person: Person, request: HttpRequest | None = None) -> None:
    """Record that `actor` opened the person's record: the resident can see who looked."""
    audit_log(action=PeopleAudit.PERSON_VIEWED, actor=actor, obj=person, place_path=person.place_path, request=request)


@transaction.atomic
def personal_link_token(person: Person) -> str:
    """A new personal link for `person`: a random token, of which only the hash is kept. Earlier
    links of the person stop working, so the link in the latest message is the one that works."""
    now = timezone.now()
    PersonalLink.objects.filter(person=person, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    PersonalLink.objects.create(person=person, token_hash=token_digest(token))
    return token


def person_from_link(token: str) -> Person | None:
    """The resident a personal link belongs to, or None when it is unknown, expired, revoked,
    replaced by a newer link, or the record was merged into another (the kept record then has its
    own link)."""
    if not token or len(token) > 100:
        return None
    link = live_personal_links().filter(token_hash=token_digest(token)).first()
    if link is None:
        return None
    return Person.objects.filter(pk=link.person_id, merged_into__isnull=True).select_related("household").first()


@transaction.atomic
def person_links_revoke(*, actor: User, person: Person, request: HttpRequest | None = None) -> int:
    """Stop every personal link of the person (a lost phone, a link forwarded to the wrong
    person). Audited; returns how many links were revoked."""
    require(actor, Perm.PEOPLE_MANAGE, person.household.place.path)
    count = person_active_links(person).update(revoked_at=timezone.now())
    audit_log(
        action=PeopleAudit.PERSON_LINK_REVOKED,
        actor=actor,
        obj=person,
        place_path=person.place_path,
        request=request,
        details={"revoked": count},
    )
    return count


def person_link_send(*, actor: User, person: Person, site_url: str, request: HttpRequest | None = None) -> None:
    """Send the resident their personal link (their record and who viewed or changed it) by
    message to their phone. Audited; the link itself is not logged."""
    require(actor, Perm.PEOPLE_MANAGE, person.household.place.path)
    if not person.phone:
        raise ValidationError(_("This resident has no phone number to send the link to."))
    url = site_url.rstrip("/") + reverse("portal:record", args=[personal_link_token(person)])
    send_message(
        to=person.phone,
        text=_("Your record at the neighborhood committee, and who looked at it: %(url)s") % {"url": url},
    )
    audit_log(
        action=PeopleAudit.PERSON_LINK_SENT, actor=actor, obj=person, place_path=person.place_path, request=request
    )


@transaction.atomic
def organisation_get_or_create(
    *, actor: User | None, name: str, kind: str, place: Place, request: HttpRequest | None = None
) -> Organisation:
    """The organisation of that name at the place, made when there is none: two spellings of one
    name (spaces, full-width letters, case) are one record. `actor` None is the system (demo,
    migrations); otherwise the actor needs PEOPLE_MANAGE at the place."""
    if actor is not None:
        require(actor, Perm.PEOPLE_MANAGE, place.path)
    name = name.strip()
    key = normalise_organisation_name(name)
    if not key or len(name) > 100:
        raise ValidationError({"name": _("A name of 1 to 100 characters is required.")})
    if kind not in OrganisationKind.values:
        raise ValidationError({"kind": _("Choose a kind of organisation.")})
    organisation, created = Organisation.objects.get_or_create(
        place=place, normalised_name=key, defaults={"name": name, "kind": kind, "place_path": place.path}
    )
    if created and actor is not None:
        audit_log(
            action=PeopleAudit.ORGANISATION_CREATED,
            actor=actor,
            obj=organisation,
            place_path=place.path,
            request=request,
        )
    return organisation
