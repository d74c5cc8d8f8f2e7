from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tongzhou.accounts.audit import AccountsAudit
from tongzhou.core import audit


class AccountsConfig(AppConfig):
    name = "tongzhou.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        audit.register(AccountsAudit)
