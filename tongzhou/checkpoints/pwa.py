# Placeholder until the scan page lands (helper is writing it); replaced wholesale.
from django.http import HttpRequest, HttpResponse

from tongzhou.accounts.access import ScopedRequest, public, require_perm
from tongzhou.core.permissions import Perm


@require_perm(Perm.GATE_SCAN)
def scan(request: ScopedRequest, gate_id: int) -> HttpResponse:
    return HttpResponse("scan")


@public
def service_worker(request: HttpRequest) -> HttpResponse:
    return HttpResponse("", content_type="application/javascript")


@public
def manifest(request: HttpRequest) -> HttpResponse:
    return HttpResponse("{}", content_type="application/manifest+json")
