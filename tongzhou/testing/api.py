"""The laboratories' API: `POST /api/v1/testing/results` with the lab's token
(`Authorization: Bearer lab_...`, issued with `manage.py lab_token LAB_ID`). Up to 10,000 results a
batch, for tubes in boxes sent to that lab only; sending a batch again changes nothing."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from tongzhou.accounts.access import ACCESS_ATTR
from tongzhou.core.permissions import Perm
from tongzhou.core.schemas import ErrorOut
from tongzhou.core.tokens import token_digest
from tongzhou.testing.models import Lab
from tongzhou.testing.services import LAB_TOKEN_PREFIX, LabItem, lab_results_post

router = Router(tags=["testing"])


class LabToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.startswith(LAB_TOKEN_PREFIX) or len(token) > 100:
            return None
        return Lab.objects.filter(token_hash=token_digest(token)).first()


class ResultIn(Schema):
    barcode: str = Field(..., min_length=1, max_length=40)
    result: Literal["negative", "positive", "invalid"]
    ct: Decimal | None = Field(None, ge=0, lt=100, max_digits=5, decimal_places=2)
    result_at: datetime | None = None


class ResultsIn(Schema):
    items: list[ResultIn] = Field(..., min_length=1, max_length=10_000)


class ItemOut(Schema):
    barcode: str
    outcome: Literal["stored", "already_stored", "conflict", "unknown_tube"]


class ResultsOut(Schema):
    results: list[ItemOut]


@router.post(
    "/results",
    auth=[LabToken()],
    response={200: ResultsOut, 422: ErrorOut},
    url_name="testing_results",
    summary="A laboratory's results for the tubes it received; the same batch again changes nothing",
)
def post_results(request: HttpRequest, payload: ResultsIn) -> Any:
    lab: Lab = request.auth  # type: ignore[attr-defined]
    now = timezone.now()
    items = [
        LabItem(
            barcode=i.barcode,
            result=i.result,
            ct_value=i.ct,
            result_at=min(timezone.make_aware(i.result_at) if timezone.is_naive(i.result_at) else i.result_at, now)
            if i.result_at
            else None,
        )
        for i in payload.items
    ]
    outcomes = lab_results_post(lab=lab, items=items)
    return {"results": [{"barcode": i.barcode, "outcome": o} for i, o in zip(payload.items, outcomes, strict=True)]}


# Access: the lab's own token (not a person's); declared for the access walk.
setattr(post_results, ACCESS_ATTR, Perm.TESTING_PLAN)
