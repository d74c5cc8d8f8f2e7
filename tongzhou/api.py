"""The HTTP API at /api/v1/ (django-ninja). OpenAPI document: /api/v1/openapi.json.

Authentication: `Authorization: Bearer <token>` (python manage.py create_api_token USERNAME) for
devices and integrations, or the site's session (with its CSRF token) for our own pages.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer, django_auth

from tongzhou.accounts.services import api_token_user
from tongzhou.checkpoints.api import router as checkpoints_router
from tongzhou.core.schemas import ErrorOut
from tongzhou.places.api import router as places_router
from tongzhou.reports.api import router as reports_router
from tongzhou.testing.api import router as testing_router
from tongzhou.welfare.api import router as welfare_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


class VendoredSwagger(Swagger):
    """Swagger UI from our static files (vendor/swagger-ui), not a CDN: the page works on an
    intranet and under our content security policy (no inline script)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(request, "core/api_docs.html", {"api": api, "swagger_settings": self.settings})


# Answers every operation may give besides its own, all shaped as ErrorOut.
COMMON_ERRORS = {
    400: "The request could not be read (e.g. a body that is not JSON).",
    404: "Not found, or outside your places (the same answer).",
    422: "Bad input: `errors` names each field (`query.limit`, `body.payload.items`, ...) and what is wrong.",
}


class TongzhouAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for path in schema["paths"].values():
            for operation in path.values():
                responses = operation["responses"]
                declared = {str(status) for status in responses}  # ninja's keys are ints
                for status, description in COMMON_ERRORS.items():
                    if str(status) not in declared:
                        responses[status] = {"description": description, **error}
        return schema


api = TongzhouAPI(
    title="Tongzhou API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), django_auth],
    docs=VendoredSwagger(),
    docs_url="/docs",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Bad input answers as ErrorOut: one message per field, the field named by where it was."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        field = ".".join(str(part) for part in error.get("loc", ())) or "request"
        errors[field] = " ".join(filter(None, (errors.get(field), str(error.get("msg", "")))))
    return api.create_response(request, {"detail": _("Invalid input."), "errors": errors}, status=422)


api.add_router("/places", places_router)
api.add_router("/checkpoints", checkpoints_router)
api.add_router("/testing", testing_router)
api.add_router("/reports", reports_router)
api.add_router("/welfare", welfare_router)
