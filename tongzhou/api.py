"""The HTTP API at /api/v1/ (django-ninja). OpenAPI document: /api/v1/openapi.json.

Authentication: `Authorization: Bearer <token>` (python manage.py create_api_token USERNAME) for
devices and integrations, or the site's session (with its CSRF token) for our own pages.
"""

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from tongzhou.accounts.services import api_token_user
from tongzhou.checkpoints.api import router as checkpoints_router
from tongzhou.places.api import router as places_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Tongzhou API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), django_auth],
    docs_url="/docs",
)
api.add_router("/places", places_router)
api.add_router("/checkpoints", checkpoints_router)
