from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountsAudit(models.TextChoices):
    """What the accounts app writes to the audit log: sessions, roles, users, tokens, unmasking.
    Registered with core.audit in apps.py; values are stored, never change one."""

    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOGOUT = "logout", _("Logged out")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REVOKED = "role_revoked", _("Role removed")
    ROLE_GRANT_REFUSED = "role_grant_refused", _("Role grant refused")
    PII_REVEALED = "pii_revealed", _("Personal data shown")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    USER_CREATED = "user_created", _("User created")
