from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kundennetz.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import freshness, security  # noqa: F401 - security keeps the SQLite file private on every connection

        # Inputs registered while the models were loading get their change counting now.
        freshness.connect_receivers()
