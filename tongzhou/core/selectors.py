from datetime import date

from django.db.models import QuerySet

from tongzhou.core.models import AuditEvent
from tongzhou.core.scope import Scope


def audit_events(scope: Scope, *, action: str = "", actor: str = "", day: date | None = None) -> QuerySet[AuditEvent]:
    """Audit events about places in `scope`, newest first. Events tied to no place (failed log-ins
    of unknown names, imports) are for the Django admin only."""
    qs = AuditEvent.objects.filter(scope.q("place_path"))
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_name=actor)
    if day:
        qs = qs.filter(created_at__date=day)
    return qs.order_by("-created_at", "-id")
