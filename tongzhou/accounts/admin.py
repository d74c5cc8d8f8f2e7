from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tongzhou.accounts.models import ApiToken, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    raw_id_fields = ["place", "granted_by"]
    extra = 0


@admin.register(User)
class TongzhouUserAdmin(UserAdmin):
    inlines = [RoleInline]
    list_display = ["username", "display_name", "is_active", "is_superuser"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Tongzhou", {"fields": ("display_name",)}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
