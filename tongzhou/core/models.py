from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class PathField(models.CharField):
    """A materialized place path, compared byte by byte so that a subtree is one index range.

    PostgreSQL columns get `COLLATE "C"`; SQLite's default collation is already binary.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOGOUT = "logout", _("Logged out")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REVOKED = "role_revoked", _("Role removed")
    ROLE_GRANT_REFUSED = "role_grant_refused", _("Role grant refused")
    PII_REVEALED = "pii_revealed", _("Personal data shown")
    EXPORTED = "exported", _("Data exported")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    PLACE_CREATED = "place_created", _("Place created")
    PLACE_CHANGED = "place_changed", _("Place changed")
    USER_CREATED = "user_created", _("User created")
    PII_KEY_ROTATED = "pii_key_rotated", _("Personal-data key rotated")
    DIVISIONS_IMPORTED = "divisions_imported", _("Division codes imported")
    PERSON_CREATED = "person_created", _("Resident registered")
    PERSON_CHANGED = "person_changed", _("Resident changed")
    PERSON_VIEWED = "person_viewed", _("Resident record viewed")
    PERSON_MOVED = "person_moved", _("Resident moved")
    PERSON_MERGED = "person_merged", _("Resident records merged")
    PEOPLE_IMPORTED = "people_imported", _("Residents imported")
    PERSON_LINK_SENT = "person_link_sent", _("Personal link sent")
    HELP_REQUEST_CREATED = "help_request_created", _("Help request recorded")
    HELP_REQUEST_TAKEN = "help_request_taken", _("Help request taken: address and phone shown")
    KEY_PERSON_REGISTERED = "key_person_registered", _("Registered as a key person")
    ISOLATION_CHANGED = "isolation_changed", _("Isolation order changed")
    VOLUNTEER_SIGNED_UP = "volunteer_signed_up", _("Volunteer signed up")
    VOLUNTEER_VETTED = "volunteer_vetted", _("Volunteer application vetted")
    CONTROL_CHANGED = "control_changed", _("Control level asked for or decided")
    PASSES_ISSUED = "passes_issued", _("Passes issued")
    PASS_REVOKED = "pass_revoked", _("Pass revoked")
    GATE_DEVICE_CREATED = "gate_device_created", _("Gate device token created")


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One line of the append-only audit log. Write through `core.services.audit_log` only.

    Database triggers (migration 0002) refuse UPDATE on both engines and DELETE on PostgreSQL.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        # A user with audit entries cannot be deleted, only deactivated: the log keeps its actors.
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    place_path = PathField(_("place path"), blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit log is append-only.")


# The import framework's job model lives with the framework; importing it here registers it in core.
from tongzhou.core.imports.models import ImportJob, ImportStatus  # noqa: E402, F401
