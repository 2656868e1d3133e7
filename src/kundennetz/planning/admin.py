"""Planning records in Django's admin, for the administrator's repairs; planning itself happens on the
planning page, where the rules and the computations run."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kundennetz.core.forms import VersionedAdminMixin

from .models import AccountPlan, Budget, Capacity, Period, ResponseEstimate, Scenario


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "start", "end")
    readonly_fields = ("kind", "year", "quarter", "start", "end")


@admin.register(Capacity)
class CapacityAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("manager", "period", "fte", "working_days", "absence_days", "care_share_pct", "available_hours")
    list_filter = ("period",)
    readonly_fields = ("available_hours",)


@admin.register(Budget)
class BudgetAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("period", "sales_support", "pr")


@admin.register(Scenario)
class ScenarioAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "period", "status", "computed_at", "contribution_today", "contribution")
    list_filter = ("period", "status")
    readonly_fields = [f.name for f in Scenario._meta.fields if not f.editable] + ["status"]


@admin.register(AccountPlan)
class AccountPlanAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ("account", "period", "contacts", "hours", "support", "pr", "scenario")
    list_filter = ("period",)
    raw_id_fields = ("account", "scenario")


@admin.register(ResponseEstimate)
class ResponseEstimateAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("account", "period", "current_hours", "at_current", "m", "b")
    raw_id_fields = ("account",)
    readonly_fields = ("m", "b", "baseline", "rms_error", "warnings")
