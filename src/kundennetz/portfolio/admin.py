"""Django's admin for the portfolio: scoring-model versions and snapshots to look at, value propositions
to keep. The portfolio pages are where people work; the admin is for an administrator's overview."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kundennetz.core.forms import VersionedAdminMixin

from .models import PortfolioSnapshot, ScoringModel, ValueProposition


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are written by the product's own rules and never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScoringModel)
class ScoringModelAdmin(ReadOnlyAdmin):
    list_display = ["version", "comment", "created_at", "created_by"]


@admin.register(PortfolioSnapshot)
class PortfolioSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["period", "as_of", "scoring_model", "grid", "account_count", "placed_count", "created_at"]


@admin.register(ValueProposition)
class ValuePropositionAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title_de", "title_en", "is_active", "order"]
    list_filter = ["is_active", "segments"]
    filter_horizontal = ["segments"]
