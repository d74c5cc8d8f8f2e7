from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tongzhou.accounts.audit import AccountsAudit
from tongzhou.core import audit
from tongzhou.core.permissions import Role


class AccountsConfig(AppConfig):
    name = "tongzhou.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        audit.register(AccountsAudit)
        audit.register_detail(AccountsAudit, "role", Role)
        from django.contrib.auth.signals import user_logged_in

        from tongzhou.accounts.middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="tongzhou_idle_clock")
