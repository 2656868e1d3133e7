"""Admin for relations: the same rules as the pages, via `RestrictedAdmin`."""

from django.contrib import admin

from kundennetz.core.admin import RestrictedAdmin

from .models import Relation


@admin.register(Relation)
class RelationAdmin(RestrictedAdmin):
    list_display = ["kind", "contact", "other", "user", "strength", "source", "account"]
    list_filter = ["kind", "source"]
    search_fields = ["contact__last_name", "other__last_name", "user__last_name", "account__name"]
    list_select_related = ["contact", "other", "user", "account"]
    raw_id_fields = ["contact", "other", "user"]
