from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.fields import EncryptedField, blind_index_field
from tongzhou.core.permissions import ROLE_PERMS, Perm, Role
from tongzhou.core.scope import Scope


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = EncryptedField(_("phone"), blind_index_field="phone_index")
    phone_index = blind_index_field()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def held_roles(self) -> list["RoleAssignment"]:
        """The user's roles with their places, loaded once per user object (one query a request)."""
        cached: list[RoleAssignment] | None = getattr(self, "_tongzhou_roles", None)
        if cached is None:
            cached = list(
                RoleAssignment.objects.filter(user=self).select_related("place").order_by("place__path", "role")
            )
            self._tongzhou_roles = cached
        return cached

    def scope_for(self, perm: Perm) -> Scope:
        """Where this user may use `perm`: the subtrees of the places of the roles that grant it.
        Superusers get nothing here: the superuser is for the Django admin, not for daily work."""
        return Scope.of(ra.place.path for ra in self.held_roles() if perm in ROLE_PERMS[ra.role])


class RoleAssignment(models.Model):
    """A role held at a place; it covers the place's subtree."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role", "place"], name="role_once_per_place")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.place}"


class ApiToken(models.Model):
    """A bearer token for a device or an integration. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
