from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest

from tongzhou.core import pii
from tongzhou.core.fields import EncryptedBinaryField, EncryptedField
from tongzhou.core.models import AuditAction, AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    if settings.AXES_IPWARE_META_PRECEDENCE_ORDER[0] == "HTTP_X_FORWARDED_FOR":
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def audit_log(
    *,
    action: AuditAction,
    actor: Any = None,
    actor_name: str = "",
    obj: models.Model | None = None,
    place_path: str = "",
    request: HttpRequest | None = None,
    purpose: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log. Joins the caller's transaction, so an audited write that
    rolls back leaves no event, and an event is never written for a change that did not happen."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor else ""),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        place_path=place_path,
        ip=client_ip(request),
        purpose=purpose,
        details=details or {},
    )


def _encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedField | EncryptedBinaryField]]]:
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField | EncryptedBinaryField)]
        if fields:
            found.append((model, fields))
    return found


@transaction.atomic
def pii_rotate(*, batch_size: int = 2000) -> dict[str, int]:
    """Re-encrypt every encrypted column with the newest TONGZHOU_PII_KEY and recompute the blind
    indexes under it. All or nothing: one transaction. Returns rows rewritten per model."""
    counts: dict[str, int] = {}
    for model, fields in _encrypted_fields():
        names = [f.attname for f in fields]
        index_names = [f.blind_index_field for f in fields if isinstance(f, EncryptedField) and f.blind_index_field]
        rewritten = 0
        last_pk: Any = None
        while True:
            batch_qs = model._default_manager.order_by("pk")
            if last_pk is not None:
                batch_qs = batch_qs.filter(pk__gt=last_pk)
            batch = list(batch_qs.only("pk", *names)[:batch_size])
            if not batch:
                break
            for row in batch:
                for field in fields:
                    value = getattr(row, field.attname)
                    if isinstance(field, EncryptedField) and field.blind_index_field:
                        setattr(row, field.blind_index_field, pii.blind_index(value) if value else "")
            # get_prep_value encrypts with the newest key as the rows are written back.
            model._default_manager.bulk_update(batch, names + index_names)
            rewritten += len(batch)
            last_pk = batch[-1].pk
        counts[model._meta.label] = rewritten
    audit_log(action=AuditAction.PII_KEY_ROTATED, details={"rows": counts})
    return counts
