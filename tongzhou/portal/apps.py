from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The resident's pages behind their personal link (no account). At the top of the ladder with
    reports: it calls each module's services and selectors and renders each module's templates."""

    name = "tongzhou.portal"
    label = "portal"
    verbose_name = _("Residents' personal pages")
