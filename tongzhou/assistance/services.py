"""Every write to help requests: intake, claim and assignment, status moves, purchases, the
resident's confirmation and feedback, and the scheduled auto-confirmation.

Status moves go through `core.transitions.move`, which refuses any move not in
`models.TRANSITIONS` and changes the row only if its status is still the one the caller saw (a
conditional UPDATE), so two people acting at the same moment cannot both succeed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import scope_for, users_with_perm_over
from tongzhou.assistance.audit import AssistanceAudit
from tongzhou.assistance.models import (
    DEFAULT_SLA_HOURS,
    NEEDS_NOTE,
    TRANSITIONS,
    Category,
    HelpRequest,
    Purchase,
    Source,
    Status,
    Urgency,
)
from tongzhou.core.access import require
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.core.transitions import MovedMeanwhile, check_move, move, record
from tongzhou.people.idnumbers import normalize_phone
from tongzhou.people.models import Person
from tongzhou.places.models import Household

MAX_SUMMARY = 2000
MAX_NOTE = 1000
MAX_RECEIPT_BYTES = 5 * 1024 * 1024
BAD_RATING = 2
RESIDENT = "resident"
SYSTEM = "system"
# What the assignee may do with their own job; everything else is the desk's (HELP_MANAGE).
ASSIGNEE_MOVES = frozenset({Status.NEW, Status.IN_PROGRESS, Status.CALL_BACK, Status.WAITING, Status.DONE})


def sla_hours(category: str, urgency: str) -> int:
    urgent, normal = settings.TONGZHOU_HELP_SLA_HOURS.get(category) or DEFAULT_SLA_HOURS[category]
    return urgent if urgency == Urgency.URGENT else normal


def due_at_for(category: str, urgency: str, start: datetime) -> datetime:
    return start + timedelta(hours=sla_hours(category, urgency))


@dataclass
class HelpData:
    """What intake gives: for whom (a resident from the register, or a caller at a household),
    what is needed and how urgently."""

    category: str
    summary: str
    urgency: str = Urgency.NORMAL
    person: Person | None = None
    household: Household | None = None
    contact_name: str = ""
    contact_phone: str = ""


@dataclass
class _Cleaned:
    person: Person | None
    household: Household
    contact_name: str
    contact_phone: str
    summary: str


def _clean(data: HelpData, source: str) -> _Cleaned:
    errors: dict[str, str] = {}
    if data.category not in Category.values:
        errors["category"] = _("Choose a category.")
    if data.urgency not in Urgency.values:
        errors["urgency"] = _("Choose an urgency.")
    summary = data.summary.strip()
    if not summary or len(summary) > MAX_SUMMARY:
        errors["summary"] = _("Say what is needed, in at most %(n)d characters.") % {"n": MAX_SUMMARY}

    person = data.person
    if person is not None and (person.merged_into_id or person.moved_out_on):
        errors["person"] = _("This record was merged or the resident moved out; choose the current one.")
    household = person.household if person is not None else data.household
    if household is None:
        errors["household"] = _("Choose the resident, or the building and room of the caller.")
    name = (data.contact_name.strip() or (person.name if person else "")).strip()
    if not name or len(name) > 50:
        errors["contact_name"] = _("A name of 1 to 50 characters is required.")
    phone = data.contact_phone.strip() or (person.phone if person and person.phone else "")
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as error:
            errors["contact_phone"] = error.messages[0]
    elif source in (Source.PHONE, Source.VISIT):
        errors["contact_phone"] = _("A phone number to call back is required.")
    if errors or household is None:
        raise ValidationError(errors)
    return _Cleaned(person=person, household=household, contact_name=name, contact_phone=phone, summary=summary)


def _notify(phone: str, text: StrPromise, **params: object) -> None:
    """Text a resident or helper in the site's language (LANGUAGE_CODE), whatever the sender's."""
    if phone:
        with translation.override(settings.LANGUAGE_CODE):
            send_message(to=phone, text=str(text) % {key: str(value) for key, value in params.items()})


def _link_url(help_request: HelpRequest, site_url: str) -> str:
    from tongzhou.people.services import personal_link_token

    if help_request.person is None or not site_url:
        return ""
    return site_url.rstrip("/") + reverse("portal:help", args=[personal_link_token(help_request.person)])


@transaction.atomic
def help_request_create(
    *,
    actor: User | None,
    data: HelpData,
    source: str = Source.PHONE,
    source_ref: str = "",
    request: HttpRequest | None = None,
) -> HelpRequest:
    """Record a request. `actor` None is the resident through their link or another module (a
    key person's daily check, with `source_ref` naming the check); a user must hold HELP_INTAKE
    over the household."""
    values = _clean(data, source)
    household = values.household
    if actor is not None:
        require(actor, Perm.HELP_INTAKE, household.place.path)
    now = timezone.now()
    phone = values.contact_phone
    help_request = HelpRequest.objects.create(
        household=household,
        place_path=household.place.path,
        person=values.person,
        contact_name=values.contact_name,
        contact_phone=phone,
        contact_last4=phone[-4:],
        category=data.category,
        urgency=data.urgency,
        summary=values.summary,
        source=source,
        source_ref=source_ref[:100],
        due_at=due_at_for(data.category, data.urgency, now),
        created_by=actor,
    )
    record(
        help_request,
        from_status="",
        to_status=Status.NEW,
        actor=actor,
        actor_name=actor.get_username() if actor else (RESIDENT if source == Source.LINK else SYSTEM),
    )
    audit_log(
        action=AssistanceAudit.HELP_REQUEST_CREATED,
        actor=actor,
        actor_name="" if actor else (RESIDENT if source == Source.LINK else SYSTEM),
        obj=help_request,
        place_path=help_request.place_path,
        request=request,
        details={"category": data.category, "source": source, "source_ref": source_ref},
    )
    return help_request


def _taken_audit(help_request: HelpRequest, actor: User, request: HttpRequest | None) -> None:
    """The assignee now sees the address and phone: in the log, and in the resident's own history."""
    target = help_request.person if help_request.person is not None else help_request
    audit_log(
        action=AssistanceAudit.HELP_REQUEST_TAKEN,
        actor=actor,
        obj=target,
        place_path=help_request.place_path,
        request=request,
        purpose=_("Help request #%(n)s") % {"n": help_request.pk},
        details={"help_request": help_request.pk, "shown": ["address", "phone"]},
    )


@transaction.atomic
def help_request_claim(*, actor: User, help_request: HelpRequest, request: HttpRequest | None = None) -> HelpRequest:
    """Take a new request in one's area. Of two people claiming at once exactly one gets it: the
    UPDATE matches only while the request is still new and unassigned."""
    require(actor, Perm.HELP_CLAIM, help_request.place_path)
    if help_request.status != Status.NEW:
        raise ValidationError(_("This request is not open for taking."))
    try:
        help_request = _move(
            help_request,
            to=Status.ASSIGNED,
            actor=actor,
            note=_("taken"),
            assignee=actor,
            claimed_at=timezone.now(),
        )
    except MovedMeanwhile:
        raise ValidationError(_("Someone else has just taken this request.")) from None
    _taken_audit(help_request, actor, request)
    _notify(
        help_request.contact_phone,
        gettext_lazy("Your request #%(n)s (%(category)s) has been taken by %(who)s, who will contact you."),
        n=help_request.pk,
        category=Category(help_request.category).label,
        who=actor.display_name or gettext_lazy("a volunteer"),
    )
    return help_request


def _manages(actor: User, help_request: HelpRequest) -> bool:
    return scope_for(actor, Perm.HELP_MANAGE).contains(help_request.place_path)


def assignee_candidates(help_request: HelpRequest) -> list[User]:
    """Users holding HELP_CLAIM at a place covering the request, for the desk's assign list."""
    return users_with_perm_over(help_request.place_path, Perm.HELP_CLAIM)


@transaction.atomic
def help_request_assign(
    *, actor: User, help_request: HelpRequest, assignee: User, request: HttpRequest | None = None
) -> HelpRequest:
    """The desk gives the job to someone who may take jobs there (or passes it to another)."""
    require(actor, Perm.HELP_MANAGE, help_request.place_path)
    if assignee not in assignee_candidates(help_request):
        raise ValidationError({"assignee": _("This person cannot take requests at this address.")})
    old = help_request.status
    if old not in (Status.NEW, Status.REOPENED, Status.ASSIGNED, Status.IN_PROGRESS):
        raise ValidationError(_("A request in this state cannot be assigned."))
    to = Status.ASSIGNED if old in (Status.NEW, Status.REOPENED) else old
    help_request = _move(
        help_request,
        to=to,
        actor=actor,
        note=_("assigned to %(who)s") % {"who": assignee.get_username()},
        allow_stay=True,
        assignee=assignee,
        claimed_at=timezone.now(),
    )
    _taken_audit(help_request, assignee, request)
    _notify(
        assignee.phone or "",
        gettext_lazy("Help request #%(n)s (%(category)s) is yours, due %(due)s."),
        n=help_request.pk,
        category=Category(help_request.category).label,
        due=timezone.localtime(help_request.due_at).strftime("%m-%d %H:%M"),
    )
    return help_request


def allowed_moves(actor: User, help_request: HelpRequest) -> list[str]:
    """The statuses `actor` may move this request to now (assignment is separate)."""
    legal = TRANSITIONS[help_request.status] - {Status.ASSIGNED, Status.CONFIRMED, Status.REOPENED}
    if _manages(actor, help_request):
        return [s for s in Status.values if s in legal]
    if help_request.assignee_id == actor.pk and help_request.status != Status.REOPENED:
        # A reopened request goes back to the desk, which decides who takes it up again.
        return [s for s in Status.values if s in legal & ASSIGNEE_MOVES]
    return []


def _move(
    help_request: HelpRequest,
    *,
    to: str,
    actor: User | None,
    actor_name: str = "",
    note: str = "",
    allow_stay: bool = False,
    **changes: Any,
) -> HelpRequest:
    """One status move through the shared mechanism; the event names the user, else the resident
    or the system."""
    return move(
        help_request,
        to=to,
        actor=actor,
        reason=note,
        changes=changes,
        allow_stay=allow_stay,
        actor_name=actor.get_username() if actor else actor_name,
    )


@transaction.atomic
def help_request_transition(
    *, actor: User, help_request: HelpRequest, to: str, note: str = "", site_url: str = ""
) -> HelpRequest:
    """Move a request on: its assignee along their own job, the desk along any legal path."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": MAX_NOTE}})
    if to in NEEDS_NOTE and not note:
        raise ValidationError({"note": _("Say why (and where to, or of which request).")})
    if to not in Status.values:
        raise ValidationError({"to": _("Unknown status.")})
    if not _may_work_on(actor, help_request):
        raise PermissionDenied
    check_move(help_request, to)  # refuses a move not in the table, naming both statuses
    if to not in allowed_moves(actor, help_request):
        raise PermissionDenied
    changes: dict[str, Any] = {}
    if to == Status.NEW:
        changes = {"assignee": None, "claimed_at": None}
    elif to == Status.DONE:
        # Done again after a reopening: the resident rates the new outcome (the old rating is in
        # the reopening's event).
        changes = {"done_at": timezone.now(), "rating": None, "feedback": ""}
    help_request = _move(help_request, to=to, actor=actor, note=note, **changes)
    if to == Status.DONE:
        link = _link_url(help_request, site_url)
        _notify(
            help_request.contact_phone,
            gettext_lazy("Your request #%(n)s is done. Please confirm or tell us what is missing: %(link)s"),
            n=help_request.pk,
            link=link or gettext_lazy("call your neighborhood committee"),
        )
    elif to in (Status.CANCELLED, Status.TRANSFERRED):
        _notify(
            help_request.contact_phone,
            gettext_lazy("Your request #%(n)s: %(status)s. %(note)s"),
            n=help_request.pk,
            status=Status(to).label,
            note=note,
        )
    return help_request


def _own(person: Person, help_request: HelpRequest) -> None:
    if help_request.person_id != person.pk:
        raise PermissionDenied


@transaction.atomic
def help_request_confirm(*, person: Person, help_request: HelpRequest) -> HelpRequest:
    """The resident confirms the work is done (through their personal link)."""
    _own(person, help_request)
    return _move(help_request, to=Status.CONFIRMED, actor=None, actor_name=RESIDENT, confirmed_at=timezone.now())


@transaction.atomic
def help_request_feedback(*, person: Person, help_request: HelpRequest, rating: int, comment: str) -> HelpRequest:
    """The resident rates a finished request, 1 to 5 stars; 2 or fewer reopens it for the desk."""
    _own(person, help_request)
    comment = comment.strip()
    if rating not in range(1, 6):
        raise ValidationError({"rating": _("Choose 1 to 5 stars.")})
    if len(comment) > MAX_NOTE:
        raise ValidationError({"comment": _("At most %(n)d characters.") % {"n": MAX_NOTE}})
    if help_request.status not in (Status.DONE, Status.CONFIRMED):
        raise ValidationError(_("You can rate a request once it is done."))
    HelpRequest.objects.filter(pk=help_request.pk).update(rating=rating, feedback=comment)
    if rating <= BAD_RATING:
        help_request = _move(
            help_request,
            to=Status.REOPENED,
            actor=None,
            actor_name=RESIDENT,
            note=f"{'★' * rating} {comment}".strip(),
            reopened_count=F("reopened_count") + 1,
        )
        if help_request.assignee is not None:
            _notify(
                help_request.assignee.phone or "",
                gettext_lazy("Request #%(n)s was reopened by the resident (%(rating)s of 5): %(comment)s"),
                n=help_request.pk,
                rating=rating,
                comment=comment,
            )
    elif help_request.status == Status.DONE:
        help_request = _move(
            help_request, to=Status.CONFIRMED, actor=None, actor_name=RESIDENT, confirmed_at=timezone.now()
        )
    help_request.refresh_from_db()
    return help_request


def help_requests_auto_confirm(*, now: datetime | None = None) -> int:
    """Confirm the requests done longer ago than TONGZHOU_HELP_AUTO_CONFIRM_HOURS that the resident
    has not confirmed; each gets its event. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.TONGZHOU_HELP_AUTO_CONFIRM_HOURS)
    count = 0
    for pk in HelpRequest.objects.filter(status=Status.DONE, done_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            help_request = HelpRequest.objects.get(pk=pk)
            try:
                _move(
                    help_request,
                    to=Status.CONFIRMED,
                    actor=None,
                    actor_name=SYSTEM,
                    note=_("confirmed automatically"),
                    confirmed_at=now,
                    auto_confirmed=True,
                )
            except ValidationError:
                continue  # the resident answered meanwhile
        count += 1
    return count


def _may_work_on(actor: User, help_request: HelpRequest) -> bool:
    return help_request.assignee_id == actor.pk or _manages(actor, help_request)


def _receipt_type(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise ValidationError({"receipt": _("The receipt must be a photo (JPEG, PNG or WebP).")})


@transaction.atomic
def purchase_add(
    *, actor: User, help_request: HelpRequest, items: str, amount: str | Decimal, receipt: bytes | None = None
) -> Purchase:
    """Record goods bought for the resident with the money advanced and, if taken, the receipt photo."""
    if not _may_work_on(actor, help_request):
        raise PermissionDenied
    errors: dict[str, str] = {}
    items = items.strip()
    if not items or len(items) > MAX_NOTE:
        errors["items"] = _("List what was bought, in at most %(n)d characters.") % {"n": MAX_NOTE}
    try:
        money = Decimal(str(amount)).quantize(Decimal("0.01"))
        if money < 0 or money >= Decimal("10000000"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["amount"] = _("An amount in yuan, such as 86.50.")
        money = Decimal(0)
    receipt_type = ""
    if receipt:
        if len(receipt) > MAX_RECEIPT_BYTES:
            errors["receipt"] = _("The photo is larger than 5 MB.")
        else:
            try:
                receipt_type = _receipt_type(receipt)
            except ValidationError as error:
                errors.update({k: v[0] for k, v in error.message_dict.items()})
    if help_request.status not in (Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.REOPENED):
        errors["items"] = _("Purchases are recorded while the request is being worked on.")
    if errors:
        raise ValidationError(errors)
    return Purchase.objects.create(
        help_request=help_request,
        items=items,
        amount=money,
        bought_by=actor,
        receipt=receipt or None,
        receipt_type=receipt_type,
    )


@transaction.atomic
def purchase_repaid(*, actor: User, purchase: Purchase) -> Purchase:
    """The money advanced was paid back to whoever bought the goods: the desk's word, at the
    request's place (the one who advanced it does not mark their own advance repaid)."""
    require(actor, Perm.HELP_MANAGE, purchase.help_request.place_path)
    Purchase.objects.filter(pk=purchase.pk, repaid_at__isnull=True).update(repaid_at=timezone.now())
    purchase.refresh_from_db()
    return purchase


@transaction.atomic
def purchase_received(*, person: Person, purchase: Purchase) -> Purchase:
    """The resident confirms they received the goods (through their personal link)."""
    _own(person, purchase.help_request)
    Purchase.objects.filter(pk=purchase.pk, received_at__isnull=True).update(received_at=timezone.now())
    purchase.refresh_from_db()
    return purchase
