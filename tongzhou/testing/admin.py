from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongzhou.testing.models import Lab


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    """Laboratories are few and set up once per district: the Django admin adds them (a lab serves
    the subtree of its place)."""

    list_display = ["name", "place"]
    search_fields = ["name"]
    raw_id_fields = ["place"]
    exclude = ["place_path"]

    def save_model(self, request: HttpRequest, obj: Lab, form: Any, change: bool) -> None:
        obj.place_path = obj.place.path
        super().save_model(request, obj, form, change)
