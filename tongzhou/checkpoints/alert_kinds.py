"""Closed management's alert in the shared inbox: a fever at a gate, one per passage, closed with
what was done. Registered in CheckpointsConfig.ready()."""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.alerts.kinds import AlertKind, Severity, register
from tongzhou.core.permissions import Perm, Role

FEVER = "fever"
SUBJECT = "checkpoints.pass"


class Outcome(models.TextChoices):
    RECHECKED_NORMAL = "rechecked_normal", _("Rechecked: normal")
    TESTED = "tested", _("Sent for a test")
    ISOLATED = "isolated", _("Isolated at home")
    HOSPITAL = "hospital", _("Taken to a fever clinic")
    OTHER = "other", _("Other")


def once_key(passage_id: int) -> str:
    """A replayed scan is the same passage: one alert."""
    return f"{FEVER}:{passage_id}"


def _describe(details: Mapping[str, Any]) -> str:
    parts = (f"{details.get('temperature')} °C", details.get("gate_name"), details.get("scanned_local"))
    return " · ".join(str(part) for part in parts if part)


KINDS = (
    AlertKind(
        key=FEVER,
        label=_("Fever at a gate"),
        outcomes=tuple(Outcome.choices),
        view_perm=Perm.HEALTH_CHECK,
        assignee_roles=(Role.COMMUNITY_STAFF, Role.HEALTH_OFFICER),
        severity=Severity.HIGH,
        describe=_describe,
        note_required_for=frozenset({Outcome.OTHER.value}),
    ),
)


def register_kinds() -> None:
    register(*KINDS)
