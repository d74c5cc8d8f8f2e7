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
        from tongzhou.core.imports.registry import register_place_lookup
        from tongzhou.places.models import Place

        # `manage.py import_file --place CODE` finds the place imported into by its official code.
        register_place_lookup(lambda code: Place.objects.filter(code=code).first())
