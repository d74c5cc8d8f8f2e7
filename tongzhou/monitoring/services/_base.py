"""What every monitoring write shares: text fields, messages to staff, the audit of an order."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.core.messaging import send_message
from tongzhou.core.services import audit_log
from tongzhou.monitoring.audit import MonitoringAudit
from tongzhou.monitoring.models import (
    IsolationOrder,
)

MAX_TEXT = 2000


def _text(value: str, field_name: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError({field_name: _("This is required.")})
    if len(value) > MAX_TEXT:
        raise ValidationError({field_name: _("At most %(n)d characters.") % {"n": MAX_TEXT}})
    return value


def _notify(users: list[User], text: Any, **params: object) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        message = str(text) % {key: str(value) for key, value in params.items()}
        for user in users:
            if user.phone:
                send_message(to=user.phone, text=message)


def _audit(order: IsolationOrder, action: str, actor: User | None, request: HttpRequest | None = None) -> None:
    audit_log(
        action=MonitoringAudit.ISOLATION_CHANGED,
        actor=actor,
        actor_name="" if actor else "system",
        obj=order.key_person.person,
        place_path=order.place_path,
        request=request,
        details={"order": order.pk, "action": action},
    )
