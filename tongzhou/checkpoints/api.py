"""Gate API: `/api/v1/checkpoints/{gate_id}/...`.

Who may call: a gate device with its own token (`Authorization: Bearer gd_...`, made on the gates
page), which works only at the gates it is bound to; or a person holding GATE_SCAN over the gate
(API token or the site's session, as the scan page does). Any other gate answers 404.
"""

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import AuthenticationError
from ninja.responses import Status
from ninja.security import HttpBearer, django_auth
from pydantic import BaseModel

from tongzhou.accounts.access import ACCESS_ATTR
from tongzhou.accounts.models import User
from tongzhou.accounts.services import api_token_user
from tongzhou.checkpoints.models import Gate, GateDevice, Reason
from tongzhou.checkpoints.selectors import gate_pass_cache, get_gate_for_user, pass_search
from tongzhou.checkpoints.services import (
    DeviceScan,
    PassageItem,
    PassageResult,
    ScanDevice,
    device_gate,
    device_known,
    device_passage_record,
    device_scan_find,
    is_device_token,
    parse_item,
    passage_record_one,
    passages_record,
)
from tongzhou.core.permissions import Perm
from tongzhou.core.schemas import ErrorOut, Text

router = Router(tags=["checkpoints"])


@dataclass(frozen=True)
class DeviceToken:
    """A gate device's bearer token, checked against the gate in the same query that fetches it."""

    raw: str


class DeviceOrUserToken(HttpBearer):
    """A gate device's token (`gd_...`) or a person's API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if is_device_token(token):
            return DeviceToken(token)
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


AUTH = [DeviceOrUserToken(), django_auth]


def _gate(request: HttpRequest, gate_id: int) -> tuple[Gate, User | None, GateDevice | None]:
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, DeviceToken):
        found = device_gate(auth.raw, gate_id)
        if found is None:
            if not device_known(auth.raw):
                raise AuthenticationError
            raise Http404
        return found[0], None, found[1]
    return get_gate_for_user(user=auth, pk=gate_id, perm=Perm.GATE_SCAN), auth, None


def _declared(endpoint: Any) -> Any:
    # Access is decided in _gate (a device or a user in scope), declared here for the URL walk.
    setattr(endpoint, ACCESS_ATTR, Perm.GATE_SCAN)
    return endpoint


# A plain pydantic model, not ninja's Schema: a Schema reads its input through a getter made for
# model instances, which costs a scan more than validating it (a body is a plain dict).
class PassageIn(BaseModel):
    pass_token: str | None = None
    pass_id: int | None = None
    direction: str
    temperature: float | None = None
    client_uuid: str
    scanned_at: str
    offline_allowed: bool | None = None


class PassageOut(Schema):
    client_uuid: str
    allowed: bool
    reason: str
    message: str
    passage_id: int | None
    replayed: bool
    subject: str
    error: str = ""


class BatchIn(Schema):
    items: list[dict[str, Any]]


class BatchOut(Schema):
    results: list[PassageOut]


def _errors(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {field: " ".join(messages) for field, messages in error.message_dict.items()}
    return {"item": " ".join(error.messages)}


@functools.lru_cache(maxsize=256)
def _message(reason: str, language: str | None) -> str:
    """A reason's label in the active language (given, so each language has its own entry)."""
    return str(Reason(reason).label)


def _out(result: PassageResult, messages: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "client_uuid": result.client_uuid,
        "allowed": result.allowed,
        "reason": result.reason,
        "message": (messages or {}).get(result.reason) or _message(result.reason, get_language()),
        "passage_id": result.passage_id,
        "replayed": result.replayed,
        "subject": result.subject,
        "error": result.error,
    }


@router.post(
    "/{gate_id}/passages",
    auth=AUTH,
    response={200: PassageOut, 422: ErrorOut},
    url_name="checkpoint_passage",
    summary="One scan at the gate; the same client_uuid again answers as the first time",
)
@_declared
def passage(request: HttpRequest, gate_id: int, payload: PassageIn) -> Any:
    auth = request.auth  # type: ignore[attr-defined]
    if not isinstance(auth, DeviceToken):
        _gate(request, gate_id)  # a person: 404 outside their scope, before looking at the payload
    try:
        item = parse_item(payload.model_dump())
    except ValidationError as error:
        return Status(422, {"detail": _("Invalid scan."), "errors": _errors(error)})
    if isinstance(auth, DeviceToken):
        return device_scan(auth.raw, gate_id, item)
    gate, user, device = _gate(request, gate_id)
    result = passage_record_one(gate=gate, item=item, actor=user, device=device)
    _seen(device)
    # Built as it is documented (PassageOut), sent without validating it a second time.
    return JsonResponse(_out(result))


def device_scan(raw: str, gate_id: int, item: PassageItem) -> JsonResponse:
    """A gate device's scan once its token and item are read. Raises AuthenticationError (401)
    or Http404 as `_gate` does."""
    found = device_scan_find(raw=raw, gate_id=gate_id, item=item)  # the device, gate and pass in one query
    if found is None:
        if device_gate(raw, gate_id) is None and not device_known(raw):
            raise AuthenticationError
        raise Http404
    return device_scan_answer(found, item)


def device_scan_answer(found: DeviceScan, item: PassageItem) -> JsonResponse:
    """A device's scan after `device_scan_find` found its gate: decided, stored and answered. The
    operation above and `checkpoints.middleware.DeviceScanMiddleware` (the same scan on a shorter
    way through the stack) both answer with it."""
    result = device_passage_record(found=found, item=item)
    _seen(found.device)
    # Built as it is documented (PassageOut), sent without validating it a second time.
    return JsonResponse(_out(result))


@router.post(
    "/{gate_id}/passages/batch",
    auth=AUTH,
    response={200: BatchOut, 413: ErrorOut},
    url_name="checkpoint_passage_batch",
    summary="Up to 10,000 scans (a device back online), stored all or none, answered per item",
)
@_declared
def passage_batch(request: HttpRequest, gate_id: int, payload: BatchIn) -> Any:
    gate, user, device = _gate(request, gate_id)
    limit = settings.TONGZHOU_PASSAGE_BATCH_MAX
    if len(payload.items) > limit:
        return Status(413, {"detail": _("At most %(n)d items per batch.") % {"n": limit}})
    answers: list[dict[str, Any] | None] = [None] * len(payload.items)
    good = []
    for index, raw in enumerate(payload.items):
        try:
            good.append((index, parse_item(raw)))
        except ValidationError as error:
            message = "; ".join(f"{field}: {text}" for field, text in _errors(error).items())
            uuid = str(raw.get("client_uuid", "")) if isinstance(raw, dict) else ""
            answers[index] = _out(PassageResult(uuid, False, Reason.INVALID, None, error=f"item {index}: {message}"))
    results = passages_record(gate=gate, items=[item for _i, item in good], actor=user, device=device)
    messages = {reason: str(label) for reason, label in Reason.choices}
    for (index, _item), result in zip(good, results, strict=True):
        answers[index] = _out(result, messages)
    _seen(device)
    # Built as it is documented (BatchOut), sent without validating 10,000 items a second time.
    return JsonResponse({"results": answers})


@router.get("/{gate_id}/passes", auth=AUTH, url_name="checkpoint_passes", summary="The gate's pass cache")
@_declared
def passes(request: HttpRequest, gate_id: int) -> Any:
    gate, _user, device = _gate(request, gate_id)
    _seen(device)
    return gate_pass_cache(gate)


@router.get(
    "/{gate_id}/search", auth=AUTH, url_name="checkpoint_search", summary="Residents by name or last phone digits"
)
@_declared
def search(request: HttpRequest, gate_id: int, q: Text = "") -> Any:
    gate, _user, _device = _gate(request, gate_id)
    return pass_search(gate, q)


def _seen(device: GateDevice | ScanDevice | None) -> None:
    if device is not None and (
        device.last_seen_at is None or (timezone.now() - device.last_seen_at).total_seconds() > 60
    ):
        GateDevice.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
