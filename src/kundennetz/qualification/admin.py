"""Django's admin for question catalogues, checklists, answers and pursuit decisions.

A published catalogue version never changes (checklists were answered against its exact wording), so
the admin edits a draft copy and publishes it as the next version. Checklists, answers and decisions
are shown, not edited here: changing them goes through the checklist page, which keeps the stored
evaluation and the history right; what an admin sees follows `restrict` like everywhere else.
"""

import copy

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kundennetz.core.admin import RestrictedReadOnlyAdmin
from kundennetz.core.forms import VersionedAdminMixin
from kundennetz.core.models import StaleVersion

from .models import Answer, Catalogue, Checklist, PursuitDecision


@admin.register(Catalogue)
class CatalogueAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["key", "version", "status", "threshold", "published_at", "created_by"]
    list_filter = ["key", "status"]
    readonly_fields = ["status", "created_at", "created_by", "published_at"]
    actions = ["copy_as_draft", "publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Catalogue.Status.DRAFT:
            return ["key", "version", "definition", "threshold", *self.readonly_fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Only a draft nobody has answered against may go; published versions are history.
        return (super().has_delete_permission(request, obj)
                and (obj is None or (obj.status == Catalogue.Status.DRAFT and not obj.checklists.exists())))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Copy as a new draft version"))
    def copy_as_draft(self, request, queryset):
        for original in queryset:
            version = (Catalogue.objects.filter(key=original.key).aggregate(Max("version"))["version__max"] or 0) + 1
            definition = copy.deepcopy(original.definition)
            definition["version"] = version
            Catalogue.objects.create(key=original.key, version=version, definition=definition,
                                     threshold=original.threshold, created_by=request.user)
        self.message_user(request, ngettext("%(count)d draft created.", "%(count)d drafts created.",
                                            queryset.count()) % {"count": queryset.count()}, messages.SUCCESS)

    @admin.action(description=_("Publish (new checklists use the newest published version)"))
    def publish(self, request, queryset):
        published = 0
        for catalogue in queryset.filter(status=Catalogue.Status.DRAFT):
            try:
                catalogue.full_clean()
            except ValidationError as exc:
                self.message_user(request, f"{catalogue}: {'; '.join(exc.messages)}", messages.ERROR)
                continue
            try:
                with transaction.atomic():
                    Catalogue.objects.filter(key=catalogue.key, status=Catalogue.Status.PUBLISHED).update(
                        status=Catalogue.Status.RETIRED, record_version=F("record_version") + 1)
                    catalogue.status, catalogue.published_at = Catalogue.Status.PUBLISHED, timezone.now()
                    catalogue.save(update_fields=["status", "published_at"])
            except StaleVersion as exc:  # saved by someone else a moment ago: not published, look again
                self.message_user(request, f"{catalogue}: {'; '.join(exc.messages)}", messages.ERROR)
                continue
            published += 1
        if published:
            self.message_user(request, ngettext("%(count)d version published.", "%(count)d versions published.",
                                                published) % {"count": published}, messages.SUCCESS)


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question_id", "value", "note", "updated_by", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Checklist)
class ChecklistAdmin(RestrictedReadOnlyAdmin):
    list_display = ["opportunity", "catalogue", "recommendation", "unfavourable_count", "open_points", "updated_at"]
    list_filter = ["recommendation", "catalogue"]
    search_fields = ["opportunity__title", "opportunity__account__name"]
    list_select_related = ["opportunity", "catalogue"]
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(RestrictedReadOnlyAdmin):
    list_display = ["checklist", "question_id", "value", "updated_by", "updated_at"]
    list_filter = ["question_id"]
    search_fields = ["checklist__opportunity__title", "question_id"]
    list_select_related = ["checklist__opportunity", "checklist__catalogue", "updated_by"]


@admin.register(PursuitDecision)
class PursuitDecisionAdmin(RestrictedReadOnlyAdmin):
    list_display = ["opportunity", "decision", "recommendation", "decided_by", "decided_at"]
    list_filter = ["decision", "recommendation"]
    search_fields = ["opportunity__title", "opportunity__account__name", "reason"]
    list_select_related = ["opportunity", "decided_by"]
