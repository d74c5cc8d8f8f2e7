"""The registry of alert kinds. The alerts app knows none: each domain app declares its own in its
AppConfig.ready() (`register(AlertKind(...))`), with the outcomes a person may close it with, who
it is for and the permission needed to see and to close it."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tongzhou.core.permissions import Perm

Label = str | Promise


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


@dataclass(frozen=True)
class AlertKind:
    """One kind of alert. `key` is stored on every alert and never changes; `outcomes` are the
    (key, label) pairs an alert of this kind is closed with; closing with an outcome in
    `note_required_for` needs a note. Seeing an alert needs `view_perm` over its place, closing it
    `close_perm` (the view permission unless told). `subject_url` is the name of a URL that takes
    the subject's id (the page of the thing the alert is about)."""

    key: str
    label: Label
    outcomes: Sequence[tuple[str, Label]]
    view_perm: Perm
    close_perm: Perm | None = None
    assignee_roles: Sequence[str] = ()
    severity: str = Severity.MEDIUM
    subject_url: str = ""
    # One line of the kind's facts for the inbox, from the alert's `details`.
    describe: Callable[[Mapping[str, Any]], str] | None = None
    note_required_for: frozenset[str] = field(default_factory=lambda: frozenset({"other"}))

    @property
    def closing_perm(self) -> Perm:
        return self.close_perm or self.view_perm

    @property
    def outcome_keys(self) -> list[str]:
        return [key for key, _label in self.outcomes]

    def outcome_label(self, key: str) -> Label:
        return dict(self.outcomes).get(key, key)


_KINDS: dict[str, AlertKind] = {}


def register(*kinds: AlertKind) -> None:
    """Declare kinds; declaring the same kind again is harmless, another kind under a taken key is
    a configuration error."""
    for kind in kinds:
        known = _KINDS.get(kind.key)
        if known is not None and known != kind:
            raise ImproperlyConfigured(f"Two alert kinds are declared with the key {kind.key!r}.")
        if kind.severity not in Severity.values:
            raise ImproperlyConfigured(f"Alert kind {kind.key!r} has an unknown severity {kind.severity!r}.")
        if not kind.outcomes:
            raise ImproperlyConfigured(f"Alert kind {kind.key!r} declares no outcome.")
        _KINDS[kind.key] = kind


def kind_of(key: str) -> AlertKind | None:
    return _KINDS.get(key)


def all_kinds() -> list[AlertKind]:
    return list(_KINDS.values())


def view_perms() -> dict[Perm, list[str]]:
    """The kinds' keys by the permission that shows them."""
    by_perm: dict[Perm, list[str]] = {}
    for kind in _KINDS.values():
        by_perm.setdefault(kind.view_perm, []).append(kind.key)
    return by_perm
