from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tongzhou.core import audit
from tongzhou.places.audit import PlacesAudit


class PlacesConfig(AppConfig):
    name = "tongzhou.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self) -> None:
        audit.register(PlacesAudit)
