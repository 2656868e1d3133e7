"""Admin for relations (the same rules as the pages, via `RestrictedAdmin`) and the strength weighting."""

from django.contrib import admin

from kundennetz.accounts.admin import RestrictedAdmin
from kundennetz.core.permissions import is_signed_in

from .models import Relation, StrengthWeighting


@admin.register(Relation)
class RelationAdmin(RestrictedAdmin):
    list_display = ["kind", "contact", "other", "user", "strength", "source", "account"]
    list_filter = ["kind", "source"]
    search_fields = ["contact__last_name", "other__last_name", "user__last_name", "account__name"]
    list_select_related = ["contact", "other", "user", "account"]
    raw_id_fields = ["contact", "other", "user"]


@admin.register(StrengthWeighting)
class StrengthWeightingAdmin(admin.ModelAdmin):
    """Saving never changes a version: it adds the next one (see `StrengthWeighting.save`)."""

    list_display = ["version", "window_days", "half_life_days", "saturation", "min_strength", "created_at",
                    "created_by"]

    def _managing(self, request) -> bool:
        return is_signed_in(request.user) and request.user.is_managing

    def has_module_permission(self, request):
        return self._managing(request)

    def has_view_permission(self, request, obj=None):
        return self._managing(request)

    def has_add_permission(self, request):
        return self._managing(request)

    def has_change_permission(self, request, obj=None):
        return self._managing(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
