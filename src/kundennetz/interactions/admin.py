"""Django's admin for interactions and core messages, under the same rules as the web pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kundennetz.core.admin import RestrictedAdmin
from kundennetz.core.forms import VersionedAdminMixin

from .filters import search_interactions
from .models import CoreMessage, Interaction
from .permissions import may_edit_core_messages


@admin.register(Interaction)
class InteractionAdmin(RestrictedAdmin):
    list_display = ("date", "type", "account", "topics")
    list_filter = ("type",)
    date_hierarchy = "date"
    # Shows the search box; the search itself is the list page's (through indexes, see get_search_results).
    search_fields = ("account__name", "topics", "note")
    list_select_related = ("account",)
    raw_id_fields = ("account", "opportunity", "contacts")
    filter_horizontal = ("our_people", "core_messages")

    def get_search_results(self, request, queryset, search_term):
        return search_interactions(queryset, search_term, account_names=True), False

    # Logged and edited on the site, where the people and the opportunity are checked against the account.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CoreMessage)
class CoreMessageAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("text_de", "kind", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("text_de", "text_en")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_authenticated

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_authenticated

    def has_add_permission(self, request):
        return may_edit_core_messages(request.user)

    def has_change_permission(self, request, obj=None):
        return may_edit_core_messages(request.user)

    def has_delete_permission(self, request, obj=None):
        # Retired by ending the validity, never deleted: interactions still name what they carried.
        return False
