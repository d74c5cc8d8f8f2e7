"""The laboratories' API: `POST /api/v1/testing/results` with the lab's token
(`Authorization: Bearer lab_...`, issued with `manage.py lab_token LAB_ID`). Up to 10,000 results a
batch, for tubes in boxes sent to that lab only; sending a batch again changes nothing."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from tongzhou.accounts.access import ACCESS_ATTR
from tongzhou.core.permissions import Perm
from tongzhou.core.schemas import ErrorOut
from tongzhou.core.tokens import token_digest
from tongzhou.testing.models import Lab
from tongzhou.testing.selectors import get_round_for_user
from tongzhou.testing.services import LAB_TOKEN_PREFIX, LabItem, SampleItem, lab_results_post, samples_record

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


class SampleIn(Schema):
    client_uuid: UUID
    person_id: int = Field(..., ge=1, le=2**62)
    barcode: str = Field(..., min_length=1, max_length=40)
    taken_at: datetime


class SamplesIn(Schema):
    items: list[SampleIn] = Field(..., min_length=1, max_length=10_000)


class SampleOut(Schema):
    client_uuid: str
    outcome: Literal["stored", "already_stored", "refused"]
    error: str
    tube: str
    filled: int
    capacity: int


class SamplesOut(Schema):
    results: list[SampleOut]


@router.post(
    "/rounds/{round_id}/samples/batch",
    response={200: SamplesOut},
    url_name="testing_samples_batch",
    summary="Up to 10,000 samples from a phone (its offline queue), answered per item; a replay changes nothing",
)
def samples_batch(request: HttpRequest, round_id: int, payload: SamplesIn) -> Any:
    test_round = get_round_for_user(user=request.auth, pk=round_id)  # type: ignore[attr-defined]
    now = timezone.now()
    items = [
        SampleItem(
            client_uuid=i.client_uuid,
            person_id=i.person_id,
            barcode=i.barcode,
            taken_at=min(timezone.make_aware(i.taken_at) if timezone.is_naive(i.taken_at) else i.taken_at, now),
        )
        for i in payload.items
    ]
    outcomes = samples_record(actor=request.auth, test_round=test_round, items=items)  # type: ignore[attr-defined]
    # Built as it is documented (SamplesOut), sent without validating 10,000 items a second time.
    return JsonResponse({"results": [o.__dict__ for o in outcomes]})


setattr(samples_batch, ACCESS_ATTR, Perm.TESTING_SAMPLE)
