"""Member units' own accounts (their contacts), their enrollments and invoices."""

from collections.abc import Sequence
from dataclasses import replace

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant, user_create
from tongzhou.core.access import require, scope_of
from tongzhou.core.permissions import Perm, Role
from tongzhou.core.services import audit_log
from tongzhou.people.models import Organisation
from tongzhou.places.models import Place
from tongzhou.welfare.audit import WelfareAudit
from tongzhou.welfare.models import (
    Enrollment,
    EnrollmentSource,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Plan,
    UnitContact,
)
from tongzhou.welfare.services.plans import MemberData, _enroll

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
