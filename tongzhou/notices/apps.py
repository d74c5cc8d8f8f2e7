from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "tongzhou.notices"
    label = "notices"
    verbose_name = _("Notices and messages")

    def ready(self) -> None:
        from tongzhou.core import audit
        from tongzhou.core.outbox import dispatch
        from tongzhou.notices.audit import NoticesAudit
        from tongzhou.notices.selectors import message_scope_for_phone

        audit.register(NoticesAudit)
        from tongzhou.notices.approval_kinds import register_kinds

        register_kinds()
        if message_scope_for_phone not in dispatch.scope_resolvers:
            dispatch.scope_resolvers.append(message_scope_for_phone)
        from tongzhou.notices.services import recipients_follow

        if recipients_follow not in dispatch.status_listeners:
            dispatch.status_listeners.append(recipients_follow)
