"""Visitors registered at a gate."""

import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.checkpoints.models import (
    Direction,
    Gate,
    Passage,
    Reason,
    Visitor,
)
from tongzhou.checkpoints.rules import decide_visitor
from tongzhou.checkpoints.services._fields import _text
from tongzhou.checkpoints.services.control import effective_levels
from tongzhou.checkpoints.services.fevers import _raise_fever_alerts
from tongzhou.checkpoints.services.passages import TEMPERATURE_RANGE
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name
from tongzhou.places.models import Household


def visitor_register(
    *,
    actor: User,
    gate: Gate,
    name: str,
    phone: str,
    reason: str,
    household: Household | None,
    temperature: Decimal | str | None,
) -> Visitor:
    """An outsider asking to come in: recorded whether let in or turned away."""
    require(actor, Perm.GATE_SCAN, gate.place_path)
    errors: dict[str, str] = {}
    name = _text(name, "name", errors, limit=50)
    phone = _text(phone, "phone", errors, limit=20)
    if phone and not phone.replace("-", "").replace(" ", "").lstrip("+").isdigit():
        errors["phone"] = _("Enter a phone number.")
    reason = _text(reason, "reason", errors, limit=200)
    if household is None or not household.place.path.startswith(gate.place_path):
        errors["household"] = _("Choose the household visited, in this compound.")
    value = None
    try:
        value = Decimal(str(temperature)).quantize(Decimal("0.1"))
        if not TEMPERATURE_RANGE[0] <= value <= TEMPERATURE_RANGE[1]:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["temperature"] = _("A body temperature between 34.0 and 43.0 °C.")
    if errors:
        raise ValidationError(errors)
    assert household is not None
    level = effective_levels([household.place.path])[household.place.path]
    refusal = decide_visitor(temperature=value, fever_from=Decimal(str(settings.TONGZHOU_FEVER_CELSIUS)), level=level)
    now = timezone.now()
    with transaction.atomic():
        passage = Passage.objects.create(
            scanned_at=now,
            received_at=now,
            gate=gate,
            place_path=gate.place_path,
            client_uuid=uuid.uuid4(),
            household_id=household.pk,
            direction=Direction.IN,
            temperature=value,
            allowed=refusal == Reason.OK,
            reason=refusal,
            level=level,
            visitor=True,
            scanned_by=actor,
        )
        visitor = Visitor.objects.create(
            gate=gate,
            place_path=gate.place_path,
            name=name,
            phone=phone,
            reason=reason,
            household=household,
            temperature=value,
            allowed=refusal == Reason.OK,
            refusal=refusal,
            passage_id=passage.pk,
            registered_by=actor,
        )
        if refusal == Reason.FEVER:
            _raise_fever_alerts(gate, [(passage, _("Visitor %(name)s") % {"name": mask_name(name)})])
    return visitor
