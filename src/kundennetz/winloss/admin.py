"""Django's admin for win/loss learning: model versions are shown (never edited: they are history),
the costs of a bid per customer group edited (with history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kundennetz.core.forms import VersionedAdminMixin

from .models import BidCost, WinModel


@admin.register(WinModel)
class WinModelAdmin(admin.ModelAdmin):
    list_display = ["version", "fitted_at", "fitted_by", "deals", "won", "auc", "brier", "base_rate_brier"]
    readonly_fields = [f.name for f in WinModel._meta.fields]
    exclude = ["deal_ids"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BidCost)
class BidCostAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ["segment", "amount", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
