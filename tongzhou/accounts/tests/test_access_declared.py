"""Deny by default: every view of ours declares its access, and undeclared ones are refused."""

from django.urls import URLPattern, URLResolver, get_resolver

from tongzhou.accounts.access import ACCESS_ATTR, DeclaredAccessMiddleware
from tongzhou.api import api


def _views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_view_declares_access():
    ours = [
        (route, view) for route, view in _views(get_resolver().url_patterns) if view.__module__.startswith("tongzhou.")
    ]
    assert len(ours) > 10
    undeclared = [route for route, view in ours if getattr(view, ACCESS_ATTR, None) is None]
    assert undeclared == []


def test_every_api_operation_declares_a_permission():
    operations = [
        operation
        for router_path, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    ]
    assert len(operations) >= 5
    assert [op.view_func.__name__ for op in operations if getattr(op.view_func, ACCESS_ATTR, None) is None] == []


def test_middleware_refuses_an_undeclared_view(rf):
    def undeclared(request):
        raise AssertionError("must not run")

    undeclared.__module__ = "tongzhou.places.views"
    middleware = DeclaredAccessMiddleware(lambda request: None)
    response = middleware.process_view(rf.get("/"), undeclared, (), {})
    assert response.status_code == 403
