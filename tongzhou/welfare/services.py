"""Every write of the welfare app: plans, enrollments (by a unit, from a file, gifted after a second
approval), claims along their transitions, condolence campaigns and visits.

The budget is held by one conditional UPDATE (`_take_places`): it adds to `places_taken` only
while the sum stays within `places_total`, so two officers enrolling the last places at the same
moment cannot both succeed, whatever the database (the check constraint `plan_budget` backs it)."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant, user_create
from tongzhou.assistance.selectors import requests_of_id_number
from tongzhou.core.access import require, scope_of
from tongzhou.core.images import photo_kind, without_metadata
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.services import audit_log
from tongzhou.core.transitions import decide, move
from tongzhou.monitoring.selectors import orders_of_id_number
from tongzhou.people.idnumbers import IdType, normalize_id_number, normalize_phone
from tongzhou.people.models import Organisation
from tongzhou.places.models import Place
from tongzhou.supplies.models import Item, Store
from tongzhou.supplies.services.ledger import stock_issue
from tongzhou.supplies.services.quantities import plain_quantity, quantity_parse
from tongzhou.volunteers.models import Duty, Volunteer
from tongzhou.welfare.audit import WelfareAudit
from tongzhou.welfare.models import (
    Benefit,
    Campaign,
    CampaignTarget,
    Claim,
    ClaimStatus,
    Coverage,
    Enrollment,
    EnrollmentSource,
    GiftRequest,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Plan,
    UnitContact,
    Visit,
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


# Gifted enrollment -------------------------------------------------------------------------------


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


# Claims ------------------------------------------------------------------------------------------


@dataclass
class ClaimData:
    coverage: str
    event_on: date
    description: str
    amount: Decimal
    assignment_id: int | None = None
    isolation_order_id: int | None = None
    help_request_id: int | None = None


@transaction.atomic
def claim_file(*, actor: User, enrollment: Enrollment, data: ClaimData, request: HttpRequest | None = None) -> Claim:
    """The enrolled person (or the welfare officer for them) files a claim. An event before the
    waiting period ends, outside the plan's period, or for something the plan does not cover is
    refused with the reason; evidence links must be the claimant's own."""
    own = enrollment.user_id is not None and enrollment.user_id == actor.pk
    if not own:
        require(actor, Perm.WELFARE_CLAIMS, enrollment.place_path)
    plan = enrollment.plan
    errors: dict[str, str] = {}
    if data.event_on < enrollment.covered_from:
        errors["event_on"] = _("The waiting period ends on %(date)s; events before it are not covered.") % {
            "date": enrollment.covered_from.isoformat()
        }
    elif data.event_on > plan.ends_on or data.event_on > timezone.localdate():
        errors["event_on"] = _("The date is after the plan's period or in the future.")
    benefit = Benefit.objects.filter(plan=plan, coverage=data.coverage).first()
    if benefit is None:
        errors["coverage"] = _("The plan does not cover this.")
    elif not 0 < data.amount <= benefit.amount:
        errors["amount"] = _("Claim more than zero and at most the benefit, %(amount)s yuan.") % {
            "amount": benefit.amount
        }
    if not data.description.strip():
        errors["description"] = _("Say what happened.")
    if data.assignment_id and enrollment.volunteer_id is None:
        errors["assignment"] = _("This shift is not the claimant's.")
    if errors:
        raise ValidationError(errors)
    from tongzhou.volunteers.models import Assignment

    assignment = (
        Assignment.objects.filter(pk=data.assignment_id, volunteer=enrollment.volunteer).first()
        if data.assignment_id and enrollment.volunteer is not None
        else None
    )
    if data.assignment_id and assignment is None:
        raise ValidationError({"assignment": _("This shift is not the claimant's.")})
    _check_own_evidence(enrollment, data)
    claim = Claim.objects.create(
        enrollment=enrollment,
        place_path=enrollment.place_path,
        coverage=data.coverage,
        event_on=data.event_on,
        description=data.description.strip(),
        amount=data.amount,
        assignment=assignment,
        isolation_order_id=data.isolation_order_id,
        help_request_id=data.help_request_id,
        filed_by=actor,
    )
    audit_log(action=WelfareAudit.CLAIM_FILED, actor=actor, obj=claim, place_path=claim.place_path, request=request)
    return claim


def _check_own_evidence(enrollment: Enrollment, data: ClaimData) -> None:
    """An isolation order or help request linked to a claim must be the claimant's own: the
    resident's with the enrollment's ID number (through monitoring's and assistance's selectors)."""
    errors: dict[str, str] = {}
    if data.isolation_order_id and data.isolation_order_id not in {
        o.pk for o in orders_of_id_number(enrollment.id_number, limit=100)
    }:
        errors["isolation_order"] = _("This isolation order is not the claimant's.")
    if data.help_request_id and data.help_request_id not in {
        h.pk for h in requests_of_id_number(enrollment.id_number, limit=100)
    }:
        errors["help_request"] = _("This help request is not the claimant's.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def claim_move(
    *,
    actor: User,
    claim: Claim,
    to: str,
    reason: str = "",
    public_notice: bool | None = None,
    request: HttpRequest | None = None,
) -> Claim:
    """Checked, approved, rejected (with a reason) or paid, by the welfare officer of the place;
    each move is a history row with who and when (`core.transitions.move`)."""
    require(actor, Perm.WELFARE_CLAIMS, claim.place_path)
    if to == ClaimStatus.REJECTED and not reason.strip():
        raise ValidationError({"reason": _("Say why the claim is rejected.")})
    changes = {"public_notice": public_notice} if public_notice is not None and to == ClaimStatus.APPROVED else None
    claim = move(claim, to=to, actor=actor, reason=reason.strip(), changes=changes)
    audit_log(
        action=WelfareAudit.CLAIM_MOVED,
        actor=actor,
        obj=claim,
        place_path=claim.place_path,
        request=request,
        details={"to": to},
    )
    return claim


# Condolence visits -------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    place: Place,
    name: str,
    organisation: Organisation,
    targets: Iterable[tuple[Volunteer, str]],
    thanks_text: str = "",
    target: str = CampaignTarget.GATE_DUTY,
    target_number: int = 0,
    request: HttpRequest | None = None,
) -> Campaign:
    """A condolence campaign at `place` with the people it targets (each with why), and which
    kind of target chose them."""
    require(actor, Perm.WELFARE_MANAGE, place.path)
    if not name.strip():
        raise ValidationError({"name": _("A name of 1 to 100 characters is required.")})
    campaign = Campaign.objects.create(
        name=name.strip()[:100],
        organisation=organisation,
        place=place,
        place_path=place.path,
        thanks_text=thanks_text.strip(),
        created_by=actor,
        target=target,
        target_number=target_number,
    )
    Visit.objects.bulk_create(
        [Visit(campaign=campaign, volunteer=v, reason=why[:200]) for v, why in targets],
        ignore_conflicts=True,
    )
    audit_log(action=WelfareAudit.CAMPAIGN_CREATED, actor=actor, obj=campaign, place_path=place.path, request=request)
    return campaign


@dataclass(frozen=True)
class Gift:
    """Goods handed over at a visit, out of a store: the item and how many."""

    store: Store
    item: Item
    quantity: Any


def visit_gift_issue(*, actor: User, visit: Visit, given: str, gift: Gift | None = None) -> None:
    """What was given at a visit. Goods out of a store are issued through the supplies ledger (one
    batch of issued entries, first-expiring lot first, never below zero), on the welfare officer's
    own authority over the store's place; the visit keeps the batch and says what it was. Words
    alone (`given`) are kept as they are, for what no store holds."""
    words = given.strip()
    if gift is not None:
        batch = uuid.uuid4()
        try:
            stock_issue(
                actor=actor,
                store=gift.store,
                item=gift.item,
                quantity=gift.quantity,
                note=visit.campaign.name,
                batch=batch,
                perm=Perm.WELFARE_MANAGE,
            )
        except ValidationError as error:
            raise ValidationError({"quantity": error.messages}) from None
        issued = quantity_parse(gift.item, gift.quantity)
        what = f"{gift.item.name} {plain_quantity(issued)} {gift.item.unit}"
        words = f"{what}; {words}" if words else what
        visit.gift_batch = batch
    visit.given = words[:200]


@transaction.atomic
def visit_record(
    *,
    actor: User,
    visit: Visit,
    visited_by: str,
    given: str = "",
    note: str = "",
    gift: Gift | None = None,
    photo: UploadedFile | None = None,
    request: HttpRequest | None = None,
) -> Visit:
    """A visit done: who went, what was given (through `visit_gift_issue`), a note, a photo (JPEG,
    PNG or WebP, its type read from the bytes, redrawn without EXIF); the campaign's thank-you
    message goes to the person after the commit."""
    campaign = visit.campaign
    require(actor, Perm.WELFARE_MANAGE, campaign.place_path)
    visit = Visit.objects.select_for_update().select_related("volunteer", "campaign").get(pk=visit.pk)
    if visit.visited_at is not None:
        raise ValidationError(_("This visit is recorded already."))
    if not visited_by.strip():
        raise ValidationError({"visited_by": _("Say who went.")})
    extension, photo_type = photo_kind(photo, field="photo") if photo is not None else ("", "")
    visit_gift_issue(actor=actor, visit=visit, given=given, gift=gift)
    if photo is not None:
        visit.photo_type = photo_type
        visit.photo.save(f"photo.{extension}", without_metadata(photo), save=False)
    visit.visited_at = timezone.now()
    visit.visited_by = visited_by.strip()[:200]
    visit.note = note.strip()
    visit.recorded_by = actor
    visit.save(
        update_fields=[
            "visited_at",
            "visited_by",
            "given",
            "gift_batch",
            "note",
            "recorded_by",
            "photo",
            "photo_type",
            "updated_at",
        ]
    )
    if campaign.thanks_text:
        phone, text, scope = visit.volunteer.phone, campaign.thanks_text, campaign.place_path
        transaction.on_commit(lambda: send_message(to=phone, text=text, scope=scope, kind="welfare"))
    audit_log(
        action=WelfareAudit.VISIT_RECORDED, actor=actor, obj=visit, place_path=campaign.place_path, request=request
    )
    return visit


# Member units' own accounts and their invoices ---------------------------------------------------

INVOICE_SALT = "tongzhou.welfare.invoice"


@transaction.atomic
def unit_contact_create(
    *,
    actor: User,
    place: Place,
    organisation: Organisation,
    username: str,
    password: str,
    display_name: str = "",
    request: HttpRequest | None = None,
) -> UnitContact:
    """A member unit's own account, made by the welfare officer of `place` (WELFARE_MANAGE there):
    a new log-in holding the unit-contact role at `place` (the plans there are open to it), linked
    to the organisation. The welfare officer gives the role on their own authority here (the roles
    page would ask for a permission only this role carries)."""
    require(actor, Perm.WELFARE_MANAGE, place.path)
    if not password:
        raise ValidationError({"password": _("Give the new account a password.")})
    try:
        with transaction.atomic():
            user = user_create(actor=actor, username=username, password=password, display_name=display_name)
    except ValidationError as error:
        raise ValidationError(
            {k if k in ("username", "password") else "username": v for k, v in error.message_dict.items()}
            if hasattr(error, "error_dict")
            else {"password": error.messages}
        ) from None
    role_grant(actor=None, user=user, role=Role.UNIT_CONTACT, place=place, request=request)
    contact = UnitContact.objects.create(user=user, organisation=organisation, place_path=place.path, added_by=actor)
    audit_log(
        action=WelfareAudit.UNIT_CONTACT_ADDED,
        actor=actor,
        obj=contact,
        place_path=place.path,
        request=request,
        details={"organisation": organisation.name, "username": user.username},
    )
    return contact


def unit_may_enroll(actor: User, organisation: Organisation, plan: Plan) -> bool:
    """Whether `actor` is a contact of `organisation` and holds the unit-contact permission at the
    plan's place."""
    return UnitContact.objects.filter(user_id=actor.pk, organisation=organisation).exists() and scope_of(
        actor, Perm.WELFARE_UNIT
    ).contains(plan.place_path)


@transaction.atomic
def unit_enroll(
    *,
    actor: User,
    organisation: Organisation,
    plan: Plan,
    members: Sequence[MemberData],
    source: str = EnrollmentSource.UNIT,
    request: HttpRequest | None = None,
    audit: bool = True,
) -> list[Enrollment]:
    """A member unit's contact enrolls the unit's own members (all or none, the budget held as for
    the officer); each enrollment names the unit, whatever the rows said."""
    if not unit_may_enroll(actor, organisation, plan):
        raise PermissionDenied
    rows = [replace(m, organisation=organisation, volunteer=None, user=None) for m in members]
    return _enroll(actor=actor, plan=plan, members=rows, source=source, request=request, audit=audit)


@transaction.atomic
def invoice_issue(
    *, actor: User, plan: Plan, organisation: Organisation, request: HttpRequest | None = None
) -> Invoice:
    """The member unit's invoice for the plan (WELFARE_MANAGE at the plan's place): its members
    enrolled by the unit or from a file and not billed yet (gifted places are free) × the
    contribution, for the plan's period. Each enrollment is billed once: two officers issuing at
    the same moment cannot both bill it (the line's one-to-one)."""
    require(actor, Perm.WELFARE_MANAGE, plan.place_path)
    due = list(
        Enrollment.objects.filter(plan=plan, organisation=organisation, invoice_line__isnull=True)
        .exclude(source=EnrollmentSource.GIFT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not due:
        raise ValidationError(_("Nobody of this unit is waiting to be billed in this plan."))
    invoice = Invoice.objects.create(
        plan=plan,
        organisation=organisation,
        place_path=plan.place_path,
        members=len(due),
        contribution=plan.contribution,
        total=plan.contribution * len(due),
        period_start=plan.starts_on,
        period_end=plan.ends_on,
        issued_by=actor,
    )
    try:
        with transaction.atomic():
            InvoiceLine.objects.bulk_create([InvoiceLine(invoice=invoice, enrollment_id=pk) for pk in due])
    except IntegrityError:
        raise ValidationError(_("Some of these members were billed a moment ago; look again.")) from None
    audit_log(
        action=WelfareAudit.INVOICE_ISSUED,
        actor=actor,
        obj=invoice,
        place_path=plan.place_path,
        request=request,
        details={"organisation": organisation.name, "members": len(due), "total": str(invoice.total)},
    )
    return invoice


@transaction.atomic
def invoice_mark_paid(*, actor: User, invoice: Invoice, note: str = "", request: HttpRequest | None = None) -> Invoice:
    """Issued → paid, with who and when, by the welfare officer of the plan's place; once."""
    require(actor, Perm.WELFARE_MANAGE, invoice.place_path)
    now = timezone.now()
    done = Invoice.objects.filter(pk=invoice.pk, status=InvoiceStatus.ISSUED).update(
        status=InvoiceStatus.PAID, paid_at=now, paid_by=actor, payment_note=note.strip()[:200], updated_at=now
    )
    if not done:
        raise ValidationError(_("This invoice is paid already."))
    invoice.refresh_from_db()
    audit_log(
        action=WelfareAudit.INVOICE_PAID, actor=actor, obj=invoice, place_path=invoice.place_path, request=request
    )
    return invoice


def invoice_token(invoice: Invoice) -> str:
    """The signed token in the invoice's QR code."""
    return signing.dumps({"i": invoice.pk, "o": invoice.organisation_id}, salt=INVOICE_SALT)


def invoice_from_token(token: str) -> Invoice | None:
    try:
        data = signing.loads(token, salt=INVOICE_SALT)
        return Invoice.objects.select_related("plan__sponsor", "organisation").get(
            pk=data["i"], organisation_id=data["o"]
        )
    except (signing.BadSignature, Invoice.DoesNotExist, KeyError, TypeError):
        return None
