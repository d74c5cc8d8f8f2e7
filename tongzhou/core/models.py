from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.audit import actor_label, detail_label, label_for


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
    # No choices: each app declares its actions (core.audit), so a new one needs no migration here.
    action = models.CharField(_("action"), max_length=40, db_index=True)
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
        # A person's history (who changed and who viewed their record): by index, newest first.
        indexes = [models.Index(fields=["object_type", "object_id", "-created_at"], name="audit_object_history")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit log is append-only.")

    def get_action_display(self) -> str:
        return label_for(self.action)

    def actor_display(self) -> str:
        return actor_label(self.actor_id, self.actor_name)

    def role_display(self) -> str:
        return detail_label(self.action, "role", self.details.get("role"))

    def reason_display(self) -> str:
        return detail_label(self.action, "reason", self.details.get("reason"))


# The import framework's job model lives with the framework; importing it here registers it in core.
from tongzhou.core.imports.models import ImportJob, ImportStatus  # noqa: E402, F401

# The message pipeline's outbox, likewise.
from tongzhou.core.outbox.models import Channel, MessageStatus, OutboxKey, OutboxMessage  # noqa: E402, F401
