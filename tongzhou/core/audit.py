"""Audit actions: each app declares its own and registers them here, so a new action needs no core
migration (`AuditEvent.action` is a plain string column).

An app keeps a `TextChoices` in its `audit.py` and calls `register(ItsAudit)` in `AppConfig.ready()`;
pages that show an action ask `label_for(action)`. The stored value is the enum's value: renaming a
member is harmless, changing a value orphans the rows already written under it.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_registry: dict[str, tuple[type[models.TextChoices], str | Promise]] = {}


class CoreAudit(models.TextChoices):
    """What core writes itself, and the export every app logs the same way (one value for all)."""

    PII_KEY_ROTATED = "pii_key_rotated", _("Personal-data key rotated")
    EXPORTED = "exported", _("Data exported")


def register(actions: type[models.TextChoices]) -> None:
    """Make `actions` known to the audit log. Idempotent for one enum; two enums claiming one
    value is a programming error, refused at start-up."""
    for member in actions:
        owner = _registry.get(member.value)
        if owner is not None and owner[0] is not actions:
            raise ImproperlyConfigured(
                f"Audit action {member.value!r} is declared by both {owner[0].__qualname__} and {actions.__qualname__}."
            )
        _registry[member.value] = (actions, member.label)


def is_registered(action: str) -> bool:
    return str(action) in _registry


def label_for(action: str) -> str:
    """The translated label of a stored action; the raw value for one no app declares (any more)."""
    entry = _registry.get(str(action))
    return str(entry[1]) if entry is not None else str(action)


def choices() -> list[tuple[str, str]]:
    """Every registered action with its label, sorted by label, for a filter list."""
    return sorted(((value, str(label)) for value, (_owner, label) in _registry.items()), key=lambda c: c[1])
