"""Control levels: asking for a level, the second person's decision, and the level in force."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import users_with_perm_over
from tongzhou.checkpoints.approval_kinds import CONTROL
from tongzhou.checkpoints.audit import CheckpointsAudit
from tongzhou.checkpoints.models import (
    LEVEL_RANK,
    ChangeStatus,
    ControlChange,
    ControlLevel,
    PlaceControl,
)
from tongzhou.checkpoints.services._fields import _text
from tongzhou.core import transitions
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import ancestor_paths
from tongzhou.core.services import audit_log
from tongzhou.places.models import Place, PlaceKind

CONTROLLABLE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)


def effective_levels(paths: Iterable[str]) -> dict[str, str]:
    """The level in force at each path: the strictest level set on it or on any place above it."""
    paths = set(paths)
    wanted = {ancestor for path in paths for ancestor in ancestor_paths(path)}
    if not wanted:
        return {}
    set_levels = dict(PlaceControl.objects.filter(place_path__in=wanted).values_list("place_path", "level"))
    result = {}
    for path in paths:
        levels = [set_levels[a] for a in ancestor_paths(path) if a in set_levels]
        result[path] = max(levels, key=lambda level: LEVEL_RANK[ControlLevel(level)], default=ControlLevel.NONE)
    return result


def control_request(
    *,
    actor: User,
    place: Place,
    level: str,
    reason: str,
    evidence: str = "",
    planned_end: datetime | None = None,
) -> ControlChange:
    """Asks for a new level. Sealing and unsealing wait for a second person's approval and change
    nothing until then; the other changes take effect at once. Either way it is in the history."""
    require(actor, Perm.CONTROL_SET, place.path)
    errors: dict[str, str] = {}
    if place.kind not in CONTROLLABLE_KINDS:
        errors["place"] = _("Control levels are set on a community, grid, compound or building.")
    if level not in ControlLevel.values:
        errors["level"] = _("Choose a level.")
    reason = _text(reason, "reason", errors)
    evidence = _text(evidence, "evidence", errors, required=False)
    if planned_end is not None and planned_end <= timezone.now():
        errors["planned_end"] = _("The planned end must be in the future.")
    with transaction.atomic():
        current = PlaceControl.objects.select_for_update().filter(place=place).first()
        previous = current.level if current else ControlLevel.NONE
        if level == previous:
            errors["level"] = _("The place is at this level already.")
        if ControlChange.objects.filter(place=place, status=ChangeStatus.PENDING).exists():
            errors["level"] = _("A change of this place is waiting for approval; decide it first.")
        if errors:
            raise ValidationError(errors)
        change = ControlChange(
            place=place,
            place_path=place.path,
            previous_level=previous,
            level=level,
            reason=reason,
            evidence=evidence,
            planned_end=planned_end,
            requested_by=actor,
        )
        change.status = ChangeStatus.PENDING if change.needs_approval else ChangeStatus.APPROVED
        change.save()
        if change.needs_approval:
            transitions.approvers_notify(
                request_obj=change,
                kind_key=CONTROL,
                users=users_with_perm_over(place.path, Perm.CONTROL_APPROVE),
                text=gettext_lazy("%(place)s: %(level)s waits for your approval:"),
                params={"place": place.name, "level": ControlLevel(level).label},
            )
        else:
            _apply(change)
        audit_log(
            action=CheckpointsAudit.CONTROL_CHANGED,
            actor=actor,
            obj=place,
            place_path=place.path,
            details={"change": change.pk, "from": previous, "to": level, "status": change.status},
        )
    return change


def control_decide(*, actor: User, change: ControlChange, approve: bool, note: str = "") -> ControlChange:
    """The second person approves or rejects sealing or unsealing; never the one who asked
    (`core.transitions.decide`: locked, decided once, audited). Refused when the place's level
    changed since the change was asked."""

    def level_unchanged(locked: ControlChange) -> None:
        current = PlaceControl.objects.select_for_update().filter(place_id=locked.place_id).first()
        if (current.level if current else ControlLevel.NONE) != locked.previous_level:
            raise ValidationError(_("The place's level changed since this was asked; ask again."))

    return transitions.decide(
        change,
        actor=actor,
        approve=approve,
        note=note,
        perm=Perm.CONTROL_APPROVE,
        path=change.place_path,
        apply=_apply,
        check=level_unchanged,
        audit_action=CheckpointsAudit.CONTROL_CHANGED,
        audit_obj=change.place,
        audit_details={"change": change.pk, "to": change.level},
    )


def _apply(change: ControlChange) -> None:
    PlaceControl.objects.update_or_create(
        place_id=change.place_id,
        defaults={
            "place_path": change.place_path,
            "level": change.level,
            "since": timezone.now(),
            "planned_end": change.planned_end,
            "change": change,
        },
    )
