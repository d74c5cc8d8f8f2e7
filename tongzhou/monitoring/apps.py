from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tongzhou.core import audit
from tongzhou.monitoring.audit import MonitoringAudit


class MonitoringConfig(AppConfig):
    name = "tongzhou.monitoring"
    label = "monitoring"
    verbose_name = _("Key persons and isolation")

    def ready(self) -> None:
        audit.register(MonitoringAudit)
        from tongzhou.monitoring.models import Reason

        audit.register_detail([MonitoringAudit.KEY_PERSON_REGISTERED], "reason", Reason)
        from tongzhou.monitoring.alert_kinds import register_kinds

        register_kinds()
        from tongzhou.monitoring.outings import households_under_home_orders
        from tongzhou.people import outings

        outings.register("monitoring", households_under_home_orders)
        from tongzhou.monitoring import approval_kinds

        approval_kinds.register_kinds()
        from tongzhou.monitoring.notice_audience import key_persons_under_isolation
        from tongzhou.notices.audiences import register
        from tongzhou.notices.models import Audience

        register(Audience.KEY_PERSONS, key_persons_under_isolation)
