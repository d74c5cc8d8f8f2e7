from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScaleConfig(AppConfig):
    """Tools for measuring at city scale: the generated district (`manage.py generate_city`)."""

    name = "tongzhou.scale"
    label = "scale"
    verbose_name = _("City scale")
