from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "kundennetz.planning"
    verbose_name = _("Capacity planning")

    def ready(self):
        from kundennetz.core import freshness

        from . import services
        from .freshness import SCENARIO_INPUTS

        # After the portfolio (strategies), before consistency (which measures against the adopted plan).
        freshness.register_refresh(SCENARIO_INPUTS, services.refresh_if_stale, order=20)

        from .signals import plan_applied
        from .stored import plan_applied as on_plan_applied

        # The stored per-account figures follow a plan applied and every change of today's strategies.
        plan_applied.connect(on_plan_applied, dispatch_uid="planning.stored.plan_applied")
        if apps.is_installed("kundennetz.portfolio"):
            from kundennetz.portfolio.signals import strategies_changed

            from .stored import strategies_changed as receiver

            strategies_changed.connect(receiver, dispatch_uid="planning.stored.refresh_figures")
        # SQLite rebuilds a table for some schema changes, dropping its triggers: put the counts' back.
        post_migrate.connect(_ensure_counts, sender=self, dispatch_uid="planning.counts")


def _ensure_counts(using="default", **kwargs):
    from django.db import connections

    from . import counts

    counts.ensure(connections[using])
