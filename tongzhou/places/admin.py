from django.contrib import admin

from tongzhou.places.models import Household, Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["room", "floor", "place"]
    raw_id_fields = ["place"]
