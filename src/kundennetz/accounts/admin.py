"""Django's admin for accounts, contacts, opportunities and the catalogues.

Records go through `core.admin.RestrictedAdmin`: the same rules as the web pages and the API.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kundennetz.core.admin import URLS_AS_HTTPS, RestrictedAdmin
from kundennetz.core.capabilities import has
from kundennetz.core.forms import VersionedAdminMixin

from .models import Account, ClosingReason, Competitor, Contact, Opportunity, OpportunityContact, Segment, Stage


@admin.register(Account)
class AccountAdmin(RestrictedAdmin):
    list_display = ["name", "city", "segment", "status", "owner", "annual_revenue"]
    list_filter = ["status", "segment", "currency"]
    search_fields = ["name", "city", "industry", "external_id"]
    list_select_related = ["segment", "owner"]
    raw_id_fields = ["owner"]
    filter_horizontal = ["team"]


@admin.register(Contact)
class ContactAdmin(RestrictedAdmin):
    list_display = ["last_name", "first_name", "account", "function", "buying_role", "email"]
    list_filter = ["buying_role", "influence", "attitude", "language"]
    search_fields = ["last_name", "first_name", "email", "account__name"]
    list_select_related = ["account"]
    raw_id_fields = ["account", "reports_to"]


class InvolvementInline(admin.TabularInline):
    model = OpportunityContact
    extra = 0
    raw_id_fields = ["contact"]


@admin.register(Opportunity)
class OpportunityAdmin(RestrictedAdmin):
    list_display = ["title", "account", "stage", "owner", "expected_volume", "expected_decision_date"]
    list_filter = ["stage", "stage__type"]
    search_fields = ["title", "account__name"]
    list_select_related = ["account", "stage", "owner"]
    raw_id_fields = ["account", "owner"]
    filter_horizontal = ["competitors"]
    inlines = [InvolvementInline]


class CatalogueAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """Pipeline stages, closing reasons, customer groups and competitors: kept by administrators."""

    formfield_overrides = URLS_AS_HTTPS

    def _is_admin(self, request) -> bool:
        return has(request.user, "edit_settings")

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request):
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request)


@admin.register(Stage)
class StageAdmin(CatalogueAdmin):
    list_display = ["name_de", "name_en", "code", "order", "type", "probability_pct", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(ClosingReason)
class ClosingReasonAdmin(CatalogueAdmin):
    list_display = ["name_de", "name_en", "applies_to", "order", "is_active"]
    list_filter = ["applies_to", "is_active"]


@admin.register(Segment)
class SegmentAdmin(CatalogueAdmin):
    list_display = ["name_de", "name_en", "code", "volume_min", "volume_max", "margin_target_pct"]


@admin.register(Competitor)
class CompetitorAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        obj.stamp(request.user)
        super().save_model(request, obj, form, change)
