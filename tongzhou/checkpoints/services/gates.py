"""Gates (each a duty post on the roster) and the device tokens bound to them."""

import secrets
from collections.abc import Sequence
from datetime import UTC, time

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.checkpoints.audit import CheckpointsAudit
from tongzhou.checkpoints.models import (
    Gate,
    GateDevice,
)
from tongzhou.checkpoints.services._fields import _text
from tongzhou.core.access import require
from tongzhou.core.permissions import Perm
from tongzhou.core.services import audit_log
from tongzhou.core.tokens import token_digest
from tongzhou.places.models import Place, PlaceKind
from tongzhou.volunteers.models import Duty, Post
from tongzhou.volunteers.services import post_create

DEVICE_TOKEN_PREFIX = "gd_"  # noqa: S105 (a prefix, not a secret)


def gate_create(
    *, actor: User, compound: Place, name: str, opens: time | None = None, closes: time | None = None
) -> Gate:
    """A gate of a compound, with its duty post for the volunteers' roster (an existing gate post
    of the same name at the compound is reused)."""
    require(actor, Perm.GATES_MANAGE, compound.path)
    errors: dict[str, str] = {}
    if compound.kind != PlaceKind.COMPOUND:
        errors["place"] = _("Gates belong to a compound.")
    name = _text(name, "name", errors, limit=100)
    if (opens is None) != (closes is None):
        errors["closes"] = _("Give both opening and closing times, or neither for a gate open day and night.")
    if not errors.get("name") and Gate.objects.filter(place=compound, name=name).exists():
        errors["name"] = _("This compound has a gate named %(name)s already.") % {"name": name}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        post = Post.objects.filter(place=compound, name=name, duty=Duty.GATE).first()
        if post is None:
            # The roster's own service: one token format, one set of checks for every post.
            post = post_create(actor=actor, place=compound, name=name, duty=Duty.GATE)
        return Gate.objects.create(
            place=compound, place_path=compound.path, name=name, opens=opens, closes=closes, post=post
        )


def device_create(*, actor: User, name: str, gates: Sequence[Gate]) -> tuple[GateDevice, str]:
    """A device token bound to these gates (all in the actor's places). The raw token is shown
    once; only its digest is kept."""
    errors: dict[str, str] = {}
    name = _text(name, "name", errors, limit=100)
    if not gates:
        errors["gates"] = _("Choose at least one gate.")
    if errors:
        raise ValidationError(errors)
    for gate in gates:
        require(actor, Perm.GATES_MANAGE, gate.place_path)
    raw = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    common = min((g.place_path for g in gates), key=len)
    while not all(g.place_path.startswith(common) for g in gates):
        common = common[: common.rstrip("/").rfind("/") + 1]
    with transaction.atomic():
        device = GateDevice.objects.create(
            name=name, place_path=common, digest=token_digest(raw), prefix=raw[:8], created_by=actor
        )
        device.gates.set(gates)
        audit_log(action=CheckpointsAudit.GATE_DEVICE_CREATED, actor=actor, obj=device, place_path=common)
    return device, raw


def is_device_token(raw: str) -> bool:
    return raw.startswith(DEVICE_TOKEN_PREFIX)


_DEVICE_GATE_SQL = """
SELECT g.id, g.place_id, g.place_path, g.name, d.id, d.last_seen_at
  FROM checkpoints_gate g
  JOIN checkpoints_gatedevice_gates m ON m.gate_id = g.id
  JOIN checkpoints_gatedevice d ON d.id = m.gatedevice_id
 WHERE g.id = %s AND d.digest = %s AND d.active
"""


def device_gate(raw: str, gate_id: int) -> tuple[Gate, GateDevice] | None:
    """The gate, if this active device token is bound to it: one query, the hot path of a scan.
    The gate comes back with the fields a scan uses (id, place, path, name)."""
    digest = token_digest(raw)
    with connection.cursor() as cursor:
        cursor.execute(_DEVICE_GATE_SQL, [gate_id, digest])
        row = cursor.fetchone()
    if row is None:
        return None
    gate_pk, place_id, place_path, name, device_pk, last_seen = row
    if last_seen is not None and timezone.is_naive(last_seen):  # SQLite hands back naive UTC
        last_seen = timezone.make_aware(last_seen, UTC)
    gate = Gate(pk=gate_pk, place_id=place_id, place_path=place_path, name=name)
    return gate, GateDevice(pk=device_pk, digest=digest, last_seen_at=last_seen)


def device_known(raw: str) -> bool:
    return GateDevice.objects.filter(digest=token_digest(raw), active=True).exists()


def device_revoke(*, actor: User, device: GateDevice) -> None:
    require(actor, Perm.GATES_MANAGE, device.place_path)
    GateDevice.objects.filter(pk=device.pk).update(active=False)
