import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from tongzhou.core import audit, pii
from tongzhou.core.audit import CoreAudit
from tongzhou.core.fields import EncryptedBinaryField, EncryptedField
from tongzhou.core.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    if settings.AXES_IPWARE_META_PRECEDENCE_ORDER[0] == "HTTP_X_FORWARDED_FOR":
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def _check_registered(action: str) -> None:
    if not audit.is_registered(action):
        raise ValueError(f"Audit action {action!r} is not registered: declare it in an app's audit.py.")


def audit_log(
    *,
    action: str,
    actor: Any = None,
    actor_name: str = "",
    obj: models.Model | None = None,
    place_path: str = "",
    request: HttpRequest | None = None,
    purpose: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log. Joins the caller's transaction, so an audited write that
    rolls back leaves no event, and an event is never written for a change that did not happen.
    `action` is a member of an enum registered with core.audit (ValueError otherwise)."""
    _check_registered(action)
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


@dataclass(frozen=True)
class AuditTarget:
    object_type: str
    object_id: str
    object_repr: str
    place_path: str


def audit_log_many(
    *, action: str, actor: Any, targets: Iterable[AuditTarget], details: dict[str, Any] | None = None
) -> int:
    """One audit event per target, for bulk work (an import of 100,000 residents): the same as
    calling audit_log for each, written with COPY on PostgreSQL and one prepared INSERT elsewhere.
    Joins the caller's transaction. Returns the number of events."""
    _check_registered(action)
    now = timezone.now()
    actor_id = actor.pk if actor is not None else None
    actor_name = actor.get_username() if actor is not None else ""
    payload = json.dumps(details or {})
    columns = (
        "created_at",
        "actor_id",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "place_path",
        "ip",
        "purpose",
        "details",
    )
    rows = [
        (
            now,
            actor_id,
            actor_name,
            str(action),
            t.object_type,
            t.object_id,
            t.object_repr[:200],
            t.place_path,
            None,
            "",
            payload,
        )
        for t in targets
    ]
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            stamp = connection.ops.adapt_datetimefield_value(now)
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 (constants only)
            cursor.executemany(sql, [(stamp, *row[1:]) for row in rows])
    return len(rows)


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
    audit_log(action=CoreAudit.PII_KEY_ROTATED, details={"rows": counts})
    return counts
