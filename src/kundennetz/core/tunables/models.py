"""Stored versions of the tunables: one row per saved version of a named settings document."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundennetz.core.permissions import by_role, may_edit_settings, nobody


class TunableVersion(models.Model):
    """Version ``version`` of the settings document ``name``; the highest version is in force.

    Rows are never changed or deleted: the table is the history (who, when, why)."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Settings are an admin's: they read the versions and save new ones; none is changed or deleted."""
        return by_role(queryset, user, action, view=may_edit_settings, add=may_edit_settings, change=nobody,
                       delete=nobody)

    name = models.CharField(_("name"), max_length=60, db_index=True)
    version = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("values"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("saved"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("saved by"), null=True, blank=True,
                                   editable=False, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        app_label = "core"
        verbose_name = _("setting version")
        verbose_name_plural = _("setting versions")
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="tunable_name_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
