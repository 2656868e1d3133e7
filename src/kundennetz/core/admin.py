"""Admin for users (with role and language) and API tokens; only administrators reach Django's admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "role", "language", "is_active"]
    list_filter = ["role", "language", "is_active"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Kundennetz"), {"fields": ("role", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Kundennetz"), {"fields": ("role", "language", "first_name", "last_name", "email")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # A token's secret is shown once to its owner on the profile page; admins may only revoke.
        return False
