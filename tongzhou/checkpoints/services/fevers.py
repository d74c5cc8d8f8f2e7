"""A fever at the gate raises an alert in the shared inbox and tells the health roles."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongzhou.accounts.selectors import users_with_perm_over
from tongzhou.alerts.services import NewAlert, alerts_raise
from tongzhou.checkpoints.alert_kinds import FEVER, SUBJECT, once_key
from tongzhou.checkpoints.models import (
    Gate,
    Passage,
)
from tongzhou.checkpoints.services.rows import NewPassage, ScanGate
from tongzhou.core.messaging import send_message
from tongzhou.core.permissions import Perm, Role


def _raise_fever_alerts(
    gate: Gate | ScanGate, fevers: list[tuple[NewPassage, str]] | list[tuple[Passage, str]]
) -> None:
    alerts = alerts_raise(
        alerts=[
            NewAlert(
                kind=FEVER,
                place_id=gate.place_id,
                place_path=gate.place_path,
                subject_type=SUBJECT if passage.pass_ref_id else "",
                subject_id=passage.pass_ref_id,
                subject_label=subject or _("Unknown person"),
                details={
                    "passage": passage.id,
                    "gate": gate.pk,
                    "gate_name": gate.name,
                    "temperature": str(passage.temperature or Decimal(0)),
                    "scanned_at": passage.scanned_at.isoformat(),
                    "scanned_local": f"{timezone.localtime(passage.scanned_at):%m-%d %H:%M}",
                },
                once_key=once_key(passage.id or 0),
            )
            for passage, subject in fevers
        ]
    )
    count = len(alerts)
    users = users_with_perm_over(gate.place_path, Perm.HEALTH_CHECK, roles=[Role.COMMUNITY_STAFF, Role.HEALTH_OFFICER])
    phones = [u.phone for u in users if u.phone]
    gate_name = gate.name

    def notify() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Fever at %(gate)s: %(n)d alert(s) to close.") % {"gate": gate_name, "n": count}
        for phone in phones:
            send_message(to=phone, text=text)

    transaction.on_commit(notify)
