"""Access declared on every view and endpoint, deny by default.

A view is served only if it is declared: `@require_perm(Perm.X)` (logged in, holding X somewhere;
`request.scope` is then the subtrees where X holds), `@logged_in` (any account) or `@public` (no
account needed). The
`DeclaredAccessMiddleware` refuses any of our views that is neither, so a forgotten decorator fails
closed. Objects are fetched through each app's `get_<thing>_for_user` accessor (built on
`get_for_user`), which answers 404 for "not yours" exactly as for "not there".
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import scope_for
from tongzhou.core.access import get_for_user, require
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope

__all__ = [
    "api_perm",
    "get_for_user",
    "logged_in",
    "public",
    "require",
    "require_perm",
]

ACCESS_ATTR = "tongzhou_access"
F = TypeVar("F", bound=Callable[..., Any])


class ScopedRequest(HttpRequest):
    """What a view behind `require_perm` receives: a logged-in user and the scope of the perm."""

    user: User
    scope: Scope


def require_perm(perm: Perm) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            scope = scope_for(request.user, perm)
            if scope.is_empty:
                # Holding the permission nowhere: the page does not exist for this user.
                raise Http404
            request.scope = scope  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, perm)
        return cast(F, wrapper)

    return decorator


def logged_in(view: F) -> F:
    """Any logged-in user, whatever their roles (their own password, say)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, "logged-in")
    return cast(F, wrapper)


def public(view: F) -> F:
    setattr(view, ACCESS_ATTR, "public")
    return view


class DeclaredAccessMiddleware:
    """Refuses our own views that declare no access. Django's admin, static files and the API
    (which declares per endpoint, see tongzhou.api) are outside this check."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        module = getattr(view_func, "__module__", "") or ""
        if not module.startswith("tongzhou."):
            return None
        if getattr(view_func, ACCESS_ATTR, None) is None:
            return HttpResponseForbidden("This view declares no access rule.")
        return None


def api_perm(perm: Perm) -> Callable[[F], F]:
    """The API's counterpart of require_perm: authentication is the API's (token or session);
    this sets `request.scope` and answers 404 to a user who holds `perm` nowhere."""

    def decorator(endpoint: F) -> F:
        @wraps(endpoint)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            scope = scope_for(request.auth, perm)  # type: ignore[attr-defined]
            if scope.is_empty:
                raise Http404
            request.scope = scope  # type: ignore[attr-defined]
            return endpoint(request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, perm)
        return cast(F, wrapper)

    return decorator
