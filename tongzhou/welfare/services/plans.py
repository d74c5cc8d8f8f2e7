"""Plans and enrollments: the budget held by one conditional UPDATE (`_take_places`), members
checked, certificates, and gifted enrollment after a second approval."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.access import require
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.services import audit_log
from tongzhou.core.transitions import decide
from tongzhou.people.idnumbers import IdType, normalize_id_number, normalize_phone
from tongzhou.people.models import Organisation
from tongzhou.places.models import Place
from tongzhou.volunteers.models import Duty, Volunteer
from tongzhou.welfare.audit import WelfareAudit
from tongzhou.welfare.models import (
    Benefit,
    Coverage,
    Enrollment,
    EnrollmentSource,
    GiftRequest,
    Plan,
)

CERTIFICATE_SALT = "tongzhou.welfare.certificate"


@dataclass
class PlanData:
    name: str
    sponsor: Organisation
    contribution: Decimal
    starts_on: date
    ends_on: date
    waiting_days: int
    places_total: int
    benefits: dict[str, Decimal] = field(default_factory=dict)
    eligible_roles: Sequence[str] = ()
    eligible_duties: Sequence[str] = ()


@transaction.atomic
def plan_create(*, actor: User, place: Place, data: PlanData, request: HttpRequest | None = None) -> Plan:
    """A protection plan held at `place` (WELFARE_MANAGE there). Every field is checked and named
    when wrong; nothing is written then."""
    require(actor, Perm.WELFARE_MANAGE, place.path)
    errors: dict[str, str] = {}
    if not data.name.strip() or len(data.name.strip()) > 100:
        errors["name"] = _("A name of 1 to 100 characters is required.")
    if data.ends_on < data.starts_on:
        errors["ends_on"] = _("The period ends before it starts.")
    if data.contribution < 0:
        errors["contribution"] = _("The contribution cannot be negative.")
    if data.places_total < 1:
        errors["places_total"] = _("The budget needs at least one place.")
    if not data.benefits or any(c not in Coverage.values for c in data.benefits):
        errors["benefits"] = _("Give a benefit for at least one thing the plan covers.")
    elif any(amount <= 0 for amount in data.benefits.values()):
        errors["benefits"] = _("Each benefit must be more than zero.")
    if set(data.eligible_roles) - set(Role.values):
        errors["eligible_roles"] = _("Unknown role.")
    if set(data.eligible_duties) - set(Duty.values):
        errors["eligible_duties"] = _("Unknown post.")
    if errors:
        raise ValidationError(errors)
    plan = Plan.objects.create(
        name=data.name.strip(),
        sponsor=data.sponsor,
        place=place,
        place_path=place.path,
        contribution=data.contribution,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        waiting_days=data.waiting_days,
        places_total=data.places_total,
        eligible_roles=sorted(set(data.eligible_roles)),
        eligible_duties=sorted(set(data.eligible_duties)),
        created_by=actor,
    )
    Benefit.objects.bulk_create(
        [Benefit(plan=plan, coverage=coverage, amount=amount) for coverage, amount in data.benefits.items()]
    )
    audit_log(action=WelfareAudit.PLAN_CREATED, actor=actor, obj=plan, place_path=place.path, request=request)
    return plan


def _take_places(plan: Plan, n: int) -> None:
    """Take `n` places of the budget or raise: one conditional UPDATE, so concurrent enrollments
    never overrun it."""
    taken = Plan.objects.filter(pk=plan.pk, places_taken__lte=F("places_total") - n).update(
        places_taken=F("places_taken") + n
    )
    if not taken:
        plan.refresh_from_db(fields=["places_taken"])
        raise ValidationError(
            _("The plan's budget has %(left)d places left; %(n)d asked for.") % {"left": plan.places_left, "n": n}
        )


@dataclass
class MemberData:
    name: str
    id_number: str
    phone: str
    organisation: Organisation | None = None
    post_label: str = ""
    volunteer: Volunteer | None = None
    user: User | None = None


def clean_member(data: MemberData) -> tuple[str, str, str]:
    """The member's name, ID number and phone normalised, or a ValidationError naming the field."""
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name or len(name) > 50:
        errors["name"] = _("A name of 1 to 50 characters is required.")
    id_number = phone = ""
    try:
        id_number = normalize_id_number(IdType.ID_CARD, data.id_number)
    except ValidationError as error:
        errors["id_number"] = error.messages[0]
    try:
        phone = normalize_phone(data.phone)
    except ValidationError as error:
        errors["phone"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return name, id_number, phone


def _already_enrolled() -> ValidationError:
    return ValidationError({"id_number": _("This person is enrolled in the plan already.")})


@transaction.atomic
def enrollments_create(
    *,
    actor: User,
    plan: Plan,
    members: Sequence[MemberData],
    source: str = EnrollmentSource.UNIT,
    request: HttpRequest | None = None,
    audit: bool = True,
) -> list[Enrollment]:
    """Enroll members in one go (WELFARE_MANAGE at the plan's place): all or none. A person
    enrolled already, or more people than places left, refuse the whole call. Each member's
    waiting period starts today (or when the plan starts); each gets their certificate link by
    message after the commit."""
    require(actor, Perm.WELFARE_MANAGE, plan.place_path)
    return _enroll(actor=actor, plan=plan, members=members, source=source, request=request, audit=audit)


def _enroll(
    *,
    actor: User,
    plan: Plan,
    members: Sequence[MemberData],
    source: str,
    request: HttpRequest | None = None,
    audit: bool = True,
) -> list[Enrollment]:
    today = timezone.localdate()
    if today > plan.ends_on:
        raise ValidationError(_("The plan's period is over."))
    rows = []
    for member in members:
        name, id_number, phone = clean_member(member)
        rows.append(
            Enrollment(
                plan=plan,
                place_path=plan.place_path,
                name=name,
                id_number=id_number,
                phone=phone,
                organisation=member.organisation,
                volunteer=member.volunteer,
                user=member.user or (member.volunteer.user if member.volunteer else None),
                post_label=member.post_label[:100],
                source=source,
                covered_from=Enrollment.waiting_ends(plan, today),
                enrolled_by=actor,
            )
        )
    _take_places(plan, len(rows))
    created = []
    for row in rows:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise _already_enrolled() from None
        created.append(row)
    for enrollment in created:
        _send_certificate_after_commit(enrollment)
        if audit:
            audit_log(
                action=WelfareAudit.ENROLLED,
                actor=actor,
                obj=enrollment,
                place_path=plan.place_path,
                request=request,
                details={"source": source},
            )
    return created


def certificate_token(enrollment: Enrollment) -> str:
    """The signed token in the certificate's QR code: which enrollment, in which plan."""
    return signing.dumps({"e": enrollment.pk, "p": enrollment.plan_id}, salt=CERTIFICATE_SALT)


def certificate_from_token(token: str) -> Enrollment | None:
    try:
        data = signing.loads(token, salt=CERTIFICATE_SALT)
        return Enrollment.objects.select_related("plan__sponsor").get(pk=data["e"], plan_id=data["p"])
    except (signing.BadSignature, Enrollment.DoesNotExist, KeyError, TypeError):
        return None


def _send_certificate_after_commit(enrollment: Enrollment) -> None:
    """The member's message with the link to their certificate's check page (the PDF itself is on
    their own page once logged in, and printed by the unit)."""
    from django.urls import reverse

    with translation.override(settings.LANGUAGE_CODE):
        text = _("You are enrolled in %(plan)s, covered from %(date)s. Your certificate: %(url)s") % {
            "plan": enrollment.plan.name,
            "date": enrollment.covered_from.isoformat(),
            "url": settings.TONGZHOU_SITE_URL.rstrip("/")
            + reverse("welfare:verify", args=[certificate_token(enrollment)]),
        }
    phone, scope = enrollment.phone, enrollment.place_path
    transaction.on_commit(lambda: send_message(to=phone, text=text, scope=scope, kind="welfare"))


@transaction.atomic
def gift_request_create(
    *,
    actor: User,
    plan: Plan,
    volunteers: Iterable[Volunteer],
    facts: dict[str, dict[str, str]] | None = None,
    request: HttpRequest | None = None,
) -> GiftRequest:
    """The officer's pick of front-line workers for gifted places; it waits for a second person.
    Those enrolled already are refused here, the budget is checked again on approval."""
    require(actor, Perm.WELFARE_MANAGE, plan.place_path)
    picked = list({v.pk: v for v in volunteers}.values())
    if not picked:
        raise ValidationError(_("Pick at least one person."))
    for volunteer in picked:
        require(actor, Perm.WELFARE_MANAGE, volunteer.place_path)
    if len(picked) > plan.places_left:
        raise ValidationError(
            _("The plan's budget has %(left)d places left; %(n)d asked for.")
            % {"left": plan.places_left, "n": len(picked)}
        )
    enrolled = set(
        Enrollment.objects.filter(plan=plan, id_index__in=[v.id_index for v in picked]).values_list(
            "id_index", flat=True
        )
    )
    twice = [v.name for v in picked if v.id_index in enrolled]
    if twice:
        raise ValidationError(_("Enrolled in the plan already: %(names)s.") % {"names": "、".join(twice)})
    facts = {str(v.pk): {**(facts or {}).get(str(v.pk), {}), "name": v.name} for v in picked}
    gift = GiftRequest.objects.create(plan=plan, place_path=plan.place_path, requested_by=actor, facts=facts)
    gift.volunteers.set(picked)
    audit_log(action=WelfareAudit.GIFT_REQUESTED, actor=actor, obj=gift, place_path=plan.place_path, request=request)
    return gift


def _gift_apply(gift: GiftRequest, actor: User) -> None:
    facts = gift.facts or {}
    _enroll(
        actor=actor,
        plan=Plan.objects.get(pk=gift.plan_id),
        members=[
            MemberData(
                name=v.name,
                id_number=v.id_number,
                phone=v.phone,
                organisation=v.organisation,
                post_label=facts.get(str(v.pk), {}).get("posts", ""),
                volunteer=v,
            )
            for v in gift.volunteers.select_related("organisation", "user").order_by("pk")
        ],
        source=EnrollmentSource.GIFT,
    )


def gift_request_decide(
    *, actor: User, gift: GiftRequest, approve: bool, note: str = "", request: HttpRequest | None = None
) -> GiftRequest:
    """The second person's decision (WELFARE_APPROVE, never the one who picked): on approval each
    picked person is enrolled and their waiting period starts today."""
    return decide(
        gift,
        actor=actor,
        approve=approve,
        perm=Perm.WELFARE_APPROVE,
        path=gift.place_path,
        note=note,
        apply=lambda g: _gift_apply(g, actor),
        audit_action=WelfareAudit.GIFT_DECIDED,
    )
