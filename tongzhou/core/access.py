"""The access base every layer uses: `require` for services, `get_for_user` for accessors.

Who holds what is the accounts app's business; core asks the actor itself (`actor.scope_for(perm)`,
implemented by `accounts.User`), so places and every app above can check a permission without
importing upward. An anonymous user has no `scope_for` and holds nothing.
"""

from typing import Any, Protocol, TypeVar

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import IntegerField, Model, QuerySet
from django.http import Http404

from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope

M = TypeVar("M", bound=Model)
NOWHERE = Scope(())
PK_MAX = 2**63 - 1  # the largest bigint: a larger id is out of every id column's range (PostgreSQL raises)


class Actor(Protocol):
    def scope_for(self, perm: Perm) -> Scope: ...


def scope_of(actor: Any, perm: Perm) -> Scope:
    """Where `actor` holds `perm`; empty for anonymous users and anything that is not an account."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return NOWHERE
    scope_for = getattr(actor, "scope_for", None)
    return scope_for(perm) if scope_for is not None else NOWHERE


def require(actor: Any, perm: Perm, path: str) -> None:
    """Raises PermissionDenied unless `actor` holds `perm` at `path` (a place path)."""
    if not scope_of(actor, perm).contains(path):
        raise PermissionDenied


def id_or_404(pk: Any) -> int:
    """`pk` (an int or a string of digits) as an id a row may have, else Http404: junk such as
    "abc", "1.5" or an integer beyond any id column's range names no object (and would be a
    ValueError, or a DataError on PostgreSQL, if it reached the query)."""
    if isinstance(pk, bool):
        raise Http404
    if isinstance(pk, str):
        pk = pk.strip()
        if not pk.isascii() or not pk.isdigit():
            raise Http404
        pk = int(pk)
    if not isinstance(pk, int) or not 0 < pk <= PK_MAX:
        raise Http404
    return pk


def get_for_user(
    queryset: QuerySet[M], *, user: Any, pk: Any, perm: Perm, path_field: str = "path", write: bool = False
) -> M:
    """The object `pk` of `queryset` if it lies where `user` holds `perm`, else Http404: an object
    outside the user's places answers exactly as one that does not exist (a junk pk too).

    `write=True` locks the row (SELECT ... FOR UPDATE of the object's own table) for a change made
    in the caller's transaction.
    """
    scope = scope_of(user, perm)
    if scope.is_empty:
        raise Http404
    if isinstance(pk, str | int) and isinstance(queryset.model._meta.pk, IntegerField):
        pk = id_or_404(pk)
    rows = queryset.filter(scope.q(path_field))
    if write:
        rows = rows.select_for_update(of=("self",))
    # get(), not first(): first() orders by the path, and the planner may then walk the whole
    # subtree in path order looking for the one id.
    try:
        return rows.get(pk=pk)
    except (ObjectDoesNotExist, MultipleObjectsReturned, ValueError, TypeError, ValidationError):
        raise Http404 from None
