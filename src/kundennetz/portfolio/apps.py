from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "kundennetz.portfolio"
    verbose_name = _("Customer portfolio")

    def ready(self):
        from kundennetz.core import freshness

        from . import services

        # Snapshots first: planning and consistency read the strategies they give.
        freshness.register_refresh(services.SNAPSHOT_INPUTS, services.refresh_if_stale, order=10)
