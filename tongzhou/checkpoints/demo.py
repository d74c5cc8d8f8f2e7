"""The demo's gates and passes (called by `tongzhou.demo`)."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.places.models import Place


def _gates(community: Place, *, staff: User, admin: User, log: Callable[[str], None]) -> None:
    """The gate of 泰安巷3号院 (the roster's gate post) with passes for every household, and
    泰安巷17号院 under controlled management; sealing 泰安巷45号院 waits for approval."""
    from tongzhou.checkpoints.models import Gate
    from tongzhou.checkpoints.services import (
        control_request,
        gate_create,
        parse_item,
        pass_token,
        passages_record,
        passes_issue,
    )

    compound = Place.objects.get(parent__parent=community, name="泰安巷3号院")
    if Gate.objects.filter(place=compound).exists():
        return
    gate = gate_create(actor=staff, compound=compound, name="泰安巷3号院东门")
    issued = passes_issue(actor=staff, place=compound)
    # A resident with a fever at the gate this morning: an open fever alert in the inbox.
    scan = {
        "pass_token": pass_token(issued[-1]),
        "direction": "in",
        "temperature": 38.2,
        "client_uuid": "5c0ff5c3-0d6e-4a3f-9a51-2f9d3b0e7a11",
        "scanned_at": (timezone.now() - timedelta(hours=2)).isoformat(),
    }
    passages_record(gate=gate, items=[parse_item(scan)], actor=staff)
    control_request(
        actor=admin,
        place=Place.objects.get(parent__parent=community, name="泰安巷17号院"),
        level="controlled",
        reason="密接者所在小区",
        evidence="区指挥部通知",
    )
    control_request(
        actor=admin,
        place=Place.objects.get(parent__parent=community, name="泰安巷45号院"),
        level="sealed",
        reason="出现确诊病例",
        evidence="流调报告",
    )
    log(
        f"{community.name}: one gate, {len(issued)} passes, a fever at the gate,"
        " one compound controlled, one sealing to approve"
    )
