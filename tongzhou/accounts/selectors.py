from collections import defaultdict
from collections.abc import Sequence
from typing import Any, cast

from django.db.models import QuerySet, Subquery
from django.utils.translation import gettext as _

from tongzhou.accounts.models import RoleAssignment, User
from tongzhou.core.access import get_for_user, id_or_404, scope_of
from tongzhou.core.audit import actor_label
from tongzhou.core.models import AuditEvent
from tongzhou.core.permissions import ROLE_PERMS, ROLE_RANK, Perm, roles_with
from tongzhou.core.pii import blind_index_candidates
from tongzhou.core.scope import Scope, ancestor_paths, is_within


def user_roles(user: Any) -> list[RoleAssignment]:
    """The user's roles with their places, loaded once per user object (one query a request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return cast(list[RoleAssignment], user.held_roles())


def scope_for(user: Any, perm: Perm) -> Scope:
    """Where `user` may use `perm` (see `User.scope_for`); nowhere for an anonymous user."""
    return scope_of(user, perm)


def rank_at(user: Any, path: str, perm: Perm) -> int:
    """The highest rank among the user's roles that grant `perm` and cover `path` (0 if none)."""
    ranks = [
        ROLE_RANK[ra.role] for ra in user_roles(user) if perm in ROLE_PERMS[ra.role] and is_within(path, ra.place.path)
    ]
    return max(ranks, default=0)


def role_assignments_in_scope(scope: Scope) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(scope.q("place__path"))
        .select_related("user", "place", "granted_by")
        .order_by("place__path", "role", "user__username")
    )


def user_by_phone(phone: str) -> User | None:
    return User.objects.filter(phone_index__in=blind_index_candidates(phone)).first()


def users_with_perm_over(path: str, perm: Perm, roles: list[str] | None = None) -> list[User]:
    """Active users holding `perm` (optionally only through `roles`) at `path` or above it, by
    username: who may act on, or must be told about, something at that place."""
    wanted = [r for r in roles_with(perm) if roles is None or r in roles]
    assignments = (
        RoleAssignment.objects.filter(role__in=wanted, place__path__in=ancestor_paths(path), user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    return list({ra.user_id: ra.user for ra in assignments}.values())


# Accessors: 404 outside the user's places exactly as for a record that does not exist.


def get_role_assignment_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> RoleAssignment:
    return get_for_user(
        RoleAssignment.objects.select_related("place", "user"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="place__path",
        write=write,
    )


def get_member_for_user(*, user: Any, pk: Any, perm: Perm) -> RoleAssignment:
    """A role that account `pk` holds in the user's places (the highest place first), else 404."""
    held = RoleAssignment.objects.filter(scope_of(user, perm).q("place__path"), user_id=id_or_404(pk)).order_by(
        "place__path"
    )
    return get_role_assignment_for_user(user=user, pk=Subquery(held.values("pk")[:1]), perm=perm)


def actors_as_residents_read_them(events: Sequence[AuditEvent]) -> list[tuple[AuditEvent, str]]:
    """Each event with who acted as a resident reads it: the actor's role and the place it is held
    at (the most specific one covering the event), never a log-in name; the system, the public or
    the resident themself by those words. One query for all the actors' roles."""
    user_ids = {e.actor_id for e in events if e.actor_id is not None}
    roles: dict[int, list[RoleAssignment]] = defaultdict(list)
    for assignment in RoleAssignment.objects.filter(user_id__in=user_ids).select_related("place"):
        roles[assignment.user_id].append(assignment)
    labelled = []
    for event in events:
        if event.actor_id is None:
            labelled.append((event, actor_label(None, event.actor_name) or _("system")))
            continue
        held = roles.get(event.actor_id, [])
        covering = [r for r in held if event.place_path.startswith(r.place.path)] or held
        best = max(covering, key=lambda r: len(r.place.path), default=None)
        labelled.append((event, f"{best.get_role_display()} · {best.place.name}" if best else _("staff")))
    return labelled
