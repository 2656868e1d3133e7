"""Import batches in Django's admin: read-only, for the administrator's overview."""

from django.contrib import admin

from .models import ImportBatch, SavedMapping


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "file_name", "kind", "status", "source", "created_by", "created_at", "rows_total",
                    "created_count", "updated_count", "error_count")
    list_filter = ("kind", "status", "source")
    search_fields = ("file_name",)
    exclude = ()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SavedMapping)
class SavedMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "owner", "updated_at")
    list_filter = ("kind",)
