"""Every URL of the project, plus `/bench/bare/`: a plain Django view on the same stack that does
what the issue names as the baseline, one indexed SELECT (the pass by its nonce) and one INSERT."""

import json
import uuid

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare(request: HttpRequest) -> JsonResponse:
    data = json.loads(request.body)
    nonce = data["pass_token"].split(".", 1)[1].split(":", 1)[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM checkpoints_pass WHERE nonce = %s", [nonce])
        row = cursor.fetchone()
        cursor.execute(
            "INSERT INTO bench_bare (client_uuid, scanned_at, pass_id) VALUES (%s, %s, %s) RETURNING id",
            [uuid.UUID(data["client_uuid"]), data["scanned_at"], row[0] if row else None],
        )
        (passage_id,) = cursor.fetchone()
    return JsonResponse({"allowed": row is not None, "reason": "ok", "passage_id": passage_id})


urlpatterns = [path("bench/bare/", bare), path("", include("tongzhou.urls"))]
