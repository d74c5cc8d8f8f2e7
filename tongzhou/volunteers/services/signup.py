"""Public sign-up and vetting: an approved applicant gets a log-in, sent by message."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant, user_create
from tongzhou.core.access import require
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.services import audit_log
from tongzhou.people.idnumbers import IdType, normalize_id_number, normalize_phone
from tongzhou.people.models import Organisation
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.audit import VolunteersAudit
from tongzhou.volunteers.models import (
    SLOT_TIMES,
    ApplicationStatus,
    Skill,
    SlotKind,
    Volunteer,
)

MAX_BLACKOUT_DATES = 60


PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (an alphabet; no 0/o, 1/l/i: read out by phone)


@dataclass
class SignupData:
    name: str
    phone: str
    id_number: str
    community_id: int | None
    organisation_id: int | None = None
    party_member: bool = False
    veteran: bool = False
    skills: list[str] = field(default_factory=list)
    slots: list[tuple[int, str]] = field(default_factory=list)
    blackout_dates: list[date] = field(default_factory=list)
    consent: bool = False


def _slot_windows(slots: Iterable[tuple[int, str]]) -> list[dict[str, object]]:
    return [
        {"weekday": weekday, "start": SLOT_TIMES[kind][0], "end": SLOT_TIMES[kind][1]}
        for weekday, kind in sorted(set(slots))
    ]


@transaction.atomic
def volunteer_signup(*, data: SignupData, request: HttpRequest | None = None) -> Volunteer:
    """The public sign-up. Every field is checked and named when wrong; nothing is written then.
    Whether the same person signed up before is shown to the vetting staff only, never here."""
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name or len(name) > 50:
        errors["name"] = _("A name of 1 to 50 characters is required.")
    try:
        phone = normalize_phone(data.phone)
    except ValidationError as error:
        errors["phone"] = error.messages[0]
    try:
        id_number = normalize_id_number(IdType.ID_CARD, data.id_number)
    except ValidationError as error:
        errors["id_number"] = error.messages[0]
    community = (
        Place.objects.filter(pk=data.community_id, kind=PlaceKind.COMMUNITY).first() if data.community_id else None
    )
    if community is None:
        errors["community"] = _("Choose your home community from the list.")
    organisation = Organisation.objects.filter(pk=data.organisation_id).first() if data.organisation_id else None
    if data.organisation_id and organisation is None:
        errors["organisation"] = _("Choose your organisation from the list.")
    if set(data.skills) - set(Skill.values):
        errors["skills"] = _("Unknown skill.")
    if any(weekday not in range(7) or kind not in SlotKind.values for weekday, kind in data.slots):
        errors["slots"] = _("Unknown time slot.")
    if len(data.blackout_dates) > MAX_BLACKOUT_DATES:
        errors["blackout_dates"] = _("At most %(n)d dates.") % {"n": MAX_BLACKOUT_DATES}
    if not data.consent:
        errors["consent"] = _("We need your consent to keep and use these data for the volunteer service.")
    if errors:
        raise ValidationError(errors)
    assert community is not None
    volunteer = Volunteer.objects.create(
        name=name,
        phone=phone,
        id_number=id_number,
        community=community,
        place_path=community.path,
        organisation=organisation,
        party_member=data.party_member,
        veteran=data.veteran,
        skills=sorted(set(data.skills)),
        availability=_slot_windows(data.slots),
        blackout_dates=sorted({d.isoformat() for d in data.blackout_dates}),
        consent_at=timezone.now(),
    )
    audit_log(
        action=VolunteersAudit.VOLUNTEER_SIGNED_UP,
        actor_name="public",
        obj=volunteer,
        place_path=volunteer.place_path,
        request=request,
    )
    return volunteer


def _username() -> str:
    while True:
        candidate = f"vol{secrets.randbelow(10**6):06d}"
        if not User.objects.filter(username=candidate).exists():
            return candidate


@transaction.atomic
def volunteer_vet(
    *,
    actor: User,
    volunteer: Volunteer,
    approve: bool,
    reason: str = "",
    site_url: str = "",
    request: HttpRequest | None = None,
    existing_user: User | None = None,
) -> Volunteer:
    """Approve (a log-in with the volunteer role at the home community, credentials by message)
    or reject with a reason (told to the applicant). Only staff of that community or above.
    `existing_user`: the applicant already has a log-in (without a volunteer record): approving
    links it and gives it the volunteer role instead of making a new one."""
    volunteer = Volunteer.objects.select_for_update().select_related("community").get(pk=volunteer.pk)
    require(actor, Perm.VOLUNTEERS_MANAGE, volunteer.place_path)
    if volunteer.status != ApplicationStatus.PENDING:
        raise ValidationError(_("This application was vetted already."))
    if existing_user is not None and (
        not approve or Volunteer.objects.filter(user=existing_user).exists() or not existing_user.is_active
    ):
        raise ValidationError(_("This log-in cannot be linked to the application."))
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why the application is rejected.")})
    volunteer.vetted_by = actor
    volunteer.vetted_at = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):  # the applicant's message in the site's language
        _vet(actor, volunteer, approve, reason, site_url, request, existing_user)
    volunteer.save(update_fields=["status", "reject_reason", "vetted_by", "vetted_at", "user", "updated_at"])
    audit_log(
        action=VolunteersAudit.VOLUNTEER_VETTED,
        actor=actor,
        obj=volunteer,
        place_path=volunteer.place_path,
        request=request,
        details={"approved": approve},
    )
    return volunteer


def _send_after_commit(phone: str, text: str, secrets: tuple[str, ...] = ()) -> None:
    """Sent only once the approval is saved: never credentials for a log-in that was rolled back."""
    transaction.on_commit(lambda: send_message(to=phone, text=text, secrets=secrets))


def _vet(
    actor: User,
    volunteer: Volunteer,
    approve: bool,
    reason: str,
    site_url: str,
    request: HttpRequest | None,
    existing_user: User | None = None,
) -> None:
    if approve and existing_user is not None:
        role_grant(actor=actor, user=existing_user, role=Role.VOLUNTEER, place=volunteer.community, request=request)
        volunteer.user = existing_user
        volunteer.status = ApplicationStatus.APPROVED
        _send_after_commit(
            volunteer.phone,
            _("Welcome to the volunteer service of %(community)s: log in as before to see your shifts.")
            % {"community": volunteer.community.name},
        )
    elif approve:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _n in range(12))
        user = user_create(
            actor=actor,
            username=_username(),
            password=password,
            display_name=volunteer.name,
            phone=volunteer.phone,
            request=request,
        )
        role_grant(actor=actor, user=user, role=Role.VOLUNTEER, place=volunteer.community, request=request)
        volunteer.user = user
        volunteer.status = ApplicationStatus.APPROVED
        _send_after_commit(
            volunteer.phone,
            _(
                "Welcome to the volunteer service of %(community)s. Log in at %(url)s with user name "
                "%(username)s and password %(password)s, then change the password."
            )
            % {
                "community": volunteer.community.name,
                "url": site_url.rstrip("/") + "/accounts/login/" if site_url else "/accounts/login/",
                "username": user.username,
                "password": password,
            },
            secrets=(password,),
        )
    else:
        volunteer.status = ApplicationStatus.REJECTED
        volunteer.reject_reason = reason
        _send_after_commit(
            volunteer.phone,
            _("Your volunteer application to %(community)s was not accepted: %(reason)s")
            % {"community": volunteer.community.name, "reason": reason},
        )
