"""The pages that work offline share one service worker (static/tongzhou/offline-sw.js) and one
queue of work done offline (static/tongzhou/offline-queue.js: IndexedDB, client UUIDs, batches
sent until the server answered for each item). A module serves the worker under its own path, so
that the worker's scope is that module's pages."""

from django.contrib.staticfiles import finders
from django.http import HttpResponse

WORKER = "tongzhou/offline-sw.js"


def service_worker_response(scope: str) -> HttpResponse:
    """The offline service worker, allowed to control `scope` (a path such as /checkpoints/)."""
    path = finders.find(WORKER)
    with open(str(path), encoding="utf-8") as script:
        response = HttpResponse(script.read(), content_type="application/javascript")
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response
