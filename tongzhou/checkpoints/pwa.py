"""The guard's scan page, a progressive web app: the page, its service worker and its manifest.

The service worker is served from /checkpoints/sw.js (not /static/) so that its scope can be
/checkpoints/, where the scan pages live; it caches the page and its assets so the page opens with
no network. The page itself (static/checkpoints/scan.js) keeps the compound's passes and the queue
of offline scans in IndexedDB; see there for the offline rules and the sync.
"""

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongzhou.accounts.access import ScopedRequest, public, require_perm
from tongzhou.checkpoints.models import Reason
from tongzhou.checkpoints.selectors import get_gate_for_user
from tongzhou.core.permissions import Perm
from tongzhou.core.pwa import service_worker_response

SCAN_ASSETS = (
    "vendor/bootstrap/bootstrap.min.css",
    "tongzhou/app.css",
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "tongzhou/app.js",
    "tongzhou/favicon.svg",
    "vendor/jsqr/jsQR.js",
    "checkpoints/scan.js",
)


@require_perm(Perm.GATE_SCAN)
def scan(request: ScopedRequest, gate_id: int) -> HttpResponse:
    gate = get_gate_for_user(user=request.user, pk=gate_id, perm=Perm.GATE_SCAN)
    kwargs = {"gate_id": gate.pk}
    config = {
        "gate_id": gate.pk,
        "passes_url": reverse("api:checkpoint_passes", kwargs=kwargs),
        "passage_url": reverse("api:checkpoint_passage", kwargs=kwargs),
        "batch_url": reverse("api:checkpoint_passage_batch", kwargs=kwargs),
        "search_url": reverse("api:checkpoint_search", kwargs=kwargs),
        "sw_url": reverse("checkpoints:sw"),
        "sw_scope": reverse("checkpoints:levels"),
        "page_url": request.path,
        "assets": [static(path) for path in SCAN_ASSETS],
        "fever_from": settings.TONGZHOU_FEVER_CELSIUS,
        "outings_per_day": settings.TONGZHOU_OUTINGS_PER_DAY,
        "messages": {reason: str(label) for reason, label in Reason.choices},
        "text": {
            "online": _("Online"),
            "offline": _("Offline"),
            "cached": _("%(n)s passes cached"),
            "no_cache": _("No passes cached yet"),
            "queued": _("%(n)s waiting to sync"),
            "synced": _("Synced %(time)s"),
            "allowed": pgettext("gate answer", "Pass"),
            "refused": pgettext("gate answer", "Stop"),
            "offline_decision": _("Decided offline; it will be synced."),
            "need_pass": _("Scan a pass or pick a resident."),
            "need_temperature": _("Enter the temperature (35–42 °C)."),
            "error": _("The server refused the scan: %(error)s"),
            "camera_error": _("The camera cannot be opened: type or paste the code instead."),
            "login": _("Your log-in has expired: log in again to sync."),
            "fever_offline": _(
                "Fever: no passage. Staff and the health officer will be alerted when this scan is sent (back online)."
            ),
            "search_none": _("Nobody found in this compound."),
            "search_offline": _(
                "Offline: only room numbers and pass holders' names can be searched; scan or type the pass code."
            ),
            "search_offline_none": _(
                "Offline: names of other residents and phone digits cannot be searched. "
                "Search the room number (e.g. 502), or scan or type the pass code."
            ),
        },
    }
    return render(request, "checkpoints/scan.html", {"gate": gate, "config": config})


@public
def service_worker(request: HttpRequest) -> HttpResponse:
    return service_worker_response(reverse("checkpoints:levels"))


@public
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": _("Tongzhou gate scan"),
        "short_name": _("Gate scan"),
        "start_url": reverse("checkpoints:my_gates"),
        "scope": reverse("checkpoints:levels"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#dc3545",
        "icons": [{"src": static("tongzhou/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
