"""Daily health checks: by staff or by the resident; abnormal ones alerted, needs sent on as help requests."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import users_with_perm_over
from tongzhou.alerts.services import NewAlert, alerts_raise
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.monitoring.alert_kinds import SUBJECT
from tongzhou.monitoring.models import (
    AlertKind,
    CheckMethod,
    HealthCheck,
    IsolationOrder,
    Need,
    Symptom,
)
from tongzhou.monitoring.schedule import due_after_check, parse_check_times
from tongzhou.monitoring.services._base import _notify, _text
from tongzhou.monitoring.services.orders import _locked
from tongzhou.people.models import Person

TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))


@dataclass
class CheckData:
    temperature: str | Decimal
    symptoms: list[str] = field(default_factory=list)
    household_unwell: bool = False
    household_notes: str = ""
    needs: list[str] = field(default_factory=list)
    notes: str = ""


def _clean_check(data: CheckData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    try:
        temperature = Decimal(str(data.temperature)).quantize(Decimal("0.1"))
        if not TEMPERATURE_RANGE[0] <= temperature <= TEMPERATURE_RANGE[1]:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["temperature"] = _("A body temperature between 34.0 and 43.0 °C.")
        temperature = Decimal(0)
    if set(data.symptoms) - set(Symptom.values):
        errors["symptoms"] = _("Unknown symptom.")
    if set(data.needs) - set(Need.values):
        errors["needs"] = _("Unknown need.")
    values: dict[str, Any] = {}
    for name in ("household_notes", "notes"):
        try:
            values[name] = _text(getattr(data, name), name)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return {
        "temperature": temperature,
        "symptoms": sorted(set(data.symptoms)),
        "needs": sorted(set(data.needs)),
        "household_unwell": data.household_unwell,
        **values,
    }


@transaction.atomic
def check_record(
    *,
    actor: User | None,
    order: IsolationOrder,
    data: CheckData,
    method: str,
    person: Person | None = None,
    request: HttpRequest | None = None,
) -> HealthCheck:
    """Record a daily check: by staff (phone or visit) or by the resident through their link
    (`actor` None, `person` theirs). Abnormal: fever, a symptom, or an unwell household member —
    an alert for the health officer. Needs become help requests, linked back to the check."""
    if actor is not None:
        require(actor, Perm.HEALTH_CHECK, order.place_path)
    elif person is None or order.key_person.person_id != person.pk or method != CheckMethod.SELF:
        raise PermissionDenied
    if method not in CheckMethod.values:
        raise ValidationError({"method": _("Choose how the check was done.")})
    values = _clean_check(data)
    order = _locked(order)
    now = timezone.now()
    values["abnormal"] = bool(
        values["temperature"] >= Decimal(str(settings.TONGZHOU_FEVER_CELSIUS))
        or values["symptoms"]
        or values["household_unwell"]
    )
    check = HealthCheck.objects.create(order=order, done_at=now, method=method, checked_by=actor, **values)
    order.last_check_at = now
    order.next_due_at = due_after_check(now, parse_check_times(order.check_times))
    order.save(update_fields=["last_check_at", "next_due_at", "updated_at"])
    if check.abnormal:
        alerts_raise(
            alerts=[
                NewAlert(
                    kind=AlertKind.ABNORMAL,
                    place_path=order.place_path,
                    subject_type=SUBJECT,
                    subject_id=order.pk,
                    subject_label=mask_name(order.key_person.person.name),
                    details={"health_check": check.pk, "temperature": str(check.temperature)},
                    raised_by_id=actor.pk if actor else None,
                    once_key=f"{AlertKind.ABNORMAL}:{check.pk}",
                )
            ]
        )
        _notify(
            users_with_perm_over(order.place_path, Perm.ISOLATION_ORDER),
            gettext_lazy("Abnormal health check of a key person (order #%(n)s): please follow up."),
            n=order.pk,
        )
    if values["needs"]:
        _needs_to_help_requests(check, order)
    return check


@transaction.atomic
def check_not_reached(
    *, actor: User, order: IsolationOrder, notes: str = "", request: HttpRequest | None = None
) -> HealthCheck:
    """Record a phone check that nobody answered (电话未接通): the attempt is on the order's
    record, but the check stays due (and goes overdue, then escalates) until someone is reached."""
    require(actor, Perm.HEALTH_CHECK, order.place_path)
    notes = _text(notes, "notes")
    order = _locked(order)
    return HealthCheck.objects.create(
        order=order,
        done_at=timezone.now(),
        method=CheckMethod.PHONE,
        checked_by=actor,
        reached=False,
        temperature=None,
        notes=notes,
    )


def _needs_to_help_requests(check: HealthCheck, order: IsolationOrder) -> None:
    """The link point to the assistance module: one help request per need, marked as coming from
    this check (`source_ref`). The request carries the need only: whoever takes it (a volunteer,
    a building lead) learns nothing of the order, the temperature, the symptoms or the check's
    notes; health roles follow `source_ref` back to the check."""
    from tongzhou.assistance.models import Category, Source, Urgency
    from tongzhou.assistance.services import HelpData, help_request_create

    person = order.key_person.person
    summaries = {
        Need.GROCERIES: (Category.GROCERIES, gettext_lazy("Groceries and daily goods delivered to the door")),
        Need.MEDICINE: (Category.MEDICINE, gettext_lazy("Medicine bought and delivered to the door")),
        Need.PAPERWORK: (Category.PAPERWORK, gettext_lazy("Paperwork done on the resident's behalf")),
    }
    for need in check.needs:
        category, summary = summaries[need]
        with translation.override(settings.LANGUAGE_CODE):
            text = str(summary)
        help_request_create(
            actor=None,
            data=HelpData(
                category=category,
                urgency=Urgency.URGENT if need == Need.MEDICINE else Urgency.NORMAL,
                summary=text,
                person=person,
            ),
            source=Source.HEALTH_CHECK,
            source_ref=f"monitoring.healthcheck:{check.pk}",
        )
