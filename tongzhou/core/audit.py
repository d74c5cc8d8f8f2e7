"""Audit actions: each app declares its own and registers them here, so a new action needs no core
migration (`AuditEvent.action` is a plain string column).

An app keeps a `TextChoices` in its `audit.py` and calls `register(ItsAudit)` in `AppConfig.ready()`;
pages that show an action ask `label_for(action)`. The stored value is the enum's value: renaming a
member is harmless, changing a value orphans the rows already written under it.
"""

from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_registry: dict[str, tuple[type[models.TextChoices], str | Promise]] = {}
# (action, details key) -> the enum whose code that detail holds, so pages show its label.
_detail_choices: dict[tuple[str, str], type[models.TextChoices]] = {}
# Written as the actor's name where no user acted (no actor row): shown by these labels.
PSEUDO_ACTORS: dict[str, str | Promise] = {
    "system": _("system"),
    "public": _("the public"),
    "resident": _("resident"),
}


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


def register_detail(actions: Iterable[str], key: str, choices: type[models.TextChoices]) -> None:
    """The `key` of these actions' details holds a code of `choices`: pages show its label."""
    for action in actions:
        _detail_choices[(str(action), key)] = choices


def detail_label(action: str, key: str, value: object) -> str:
    """A detail as a user reads it: the label of a registered code, anything else as it is."""
    choices = _detail_choices.get((str(action), key))
    if choices is not None and isinstance(value, str) and value in choices.values:
        return str(choices(value).label)
    return "" if value is None else str(value)


def actor_label(actor_id: int | None, actor_name: str) -> str:
    """Who acted: the log-in name, or the label of a pseudo-actor (no user: the system, the
    public, a resident through their link)."""
    if actor_id is None and actor_name in PSEUDO_ACTORS:
        return str(PSEUDO_ACTORS[actor_name])
    return actor_name


def is_registered(action: str) -> bool:
    return str(action) in _registry


def label_for(action: str) -> str:
    """The translated label of a stored action; the raw value for one no app declares (any more)."""
    entry = _registry.get(str(action))
    return str(entry[1]) if entry is not None else str(action)


def choices() -> list[tuple[str, str]]:
    """Every registered action with its label, sorted by label, for a filter list."""
    return sorted(((value, str(label)) for value, (_owner, label) in _registry.items()), key=lambda c: c[1])
