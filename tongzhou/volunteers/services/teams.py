"""Volunteer teams and temporary party branches."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import scope_for
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.places.models import Place
from tongzhou.volunteers.models import (
    ApplicationStatus,
    Team,
    TeamKind,
    Volunteer,
)


@transaction.atomic
def team_create(*, actor: User, place: Place, name: str, kind: str, organizing_unit: str = "") -> Team:
    require(actor, Perm.VOLUNTEERS_MANAGE, place.path)
    errors: dict[str, str] = {}
    if not name.strip() or len(name.strip()) > 100:
        errors["name"] = _("A name of 1 to 100 characters is required.")
    if kind not in TeamKind.values:
        errors["kind"] = _("Choose a kind of team.")
    if len(organizing_unit) > 100:
        errors["organizing_unit"] = _("At most %(n)d characters.") % {"n": 100}
    if errors:
        raise ValidationError(errors)
    return Team.objects.create(
        name=name.strip(), kind=kind, place=place, place_path=place.path, organizing_unit=organizing_unit.strip()
    )


@transaction.atomic
def team_set_members(*, actor: User, team: Team, members: Iterable[Volunteer], leader: Volunteer | None = None) -> Team:
    """Members are approved volunteers whose home community lies within the team's place, or under
    the actor's scope (a team of a street takes volunteers from its communities)."""
    require(actor, Perm.VOLUNTEERS_MANAGE, team.place_path)
    scope = scope_for(actor, Perm.VOLUNTEERS_MANAGE)
    members = list(members)
    if any(m.status != ApplicationStatus.APPROVED or not scope.contains(m.place_path) for m in members):
        raise ValidationError({"members": _("Only approved volunteers of your area can be members.")})
    if leader is not None and leader not in members:
        raise ValidationError({"leader": _("The leader must be a member.")})
    team.members.set(members)
    team.leader = leader
    team.save(update_fields=["leader", "updated_at"])
    return team
