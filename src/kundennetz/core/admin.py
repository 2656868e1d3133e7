"""Admin for users (with role and language) and API tokens, and `RestrictedAdmin`, the base of every
admin page of the network's records.

Only administrators reach Django's admin; on its record pages the rules are those of the web pages and
the API (`core.permissions`), not Django's model permissions. Deleting moves a record to the trash.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .capabilities import has
from .forms import VersionedAdminMixin
from .models import ApiToken, User
from .permissions import ADD, CHANGE, DELETE, VIEW, can, can_create, restrict

# Websites typed without a scheme are taken as https (Django 6's default, and what the web pages do).
URLS_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class RestrictedMixin:
    """Every list, form and permission question of an admin page answered by `restrict`."""

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user, VIEW)

    def _allowed(self, request, action: str, obj=None) -> bool:
        if obj is not None:
            return can(request.user, action, obj)
        if action == ADD:
            return can_create(request.user)
        if action == VIEW:
            # The list itself, empty or not, is for whoever sees records of the network at all.
            return has(request.user, "view_network") or has(request.user, "view_own_accounts")
        return restrict(self.model.objects.all(), request.user, action).exists()

    def has_module_permission(self, request):
        return self._allowed(request, VIEW)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, VIEW, obj)

    def has_add_permission(self, request, *args):
        return self._allowed(request, ADD)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, CHANGE, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, DELETE, obj)


class RestrictedAdmin(VersionedAdminMixin, RestrictedMixin, SimpleHistoryAdmin):
    """An admin of records of the network: what `restrict` allows, deleting moves to the trash, a stale
    save shows what changed meanwhile."""

    formfield_overrides = URLS_AS_HTTPS

    def delete_model(self, request, obj):
        obj.soft_delete(request.user)

    def delete_queryset(self, request, queryset):
        for obj in restrict(queryset, request.user, DELETE):
            obj.soft_delete(request.user)

    def save_model(self, request, obj, form, change):
        obj.stamp(request.user)
        super().save_model(request, obj, form, change)


class RestrictedReadOnlyAdmin(RestrictedMixin, admin.ModelAdmin):
    """Shows only what `restrict` lets the user see; changes happen on the record's own page."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
