from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tongzhou.alerts.selectors import kinds_for_user


def inbox(request: HttpRequest) -> dict[str, Any]:
    """Whether the menu shows the alert inbox; computed only if a template asks."""
    if not request.user.is_authenticated:
        return {}
    return {"alerts_inbox": SimpleLazyObject(lambda: {"visible": bool(kinds_for_user(request.user))})}
