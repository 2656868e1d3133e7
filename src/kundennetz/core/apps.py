from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kundennetz.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import security  # noqa: F401 - keeps the SQLite file private on every connection
