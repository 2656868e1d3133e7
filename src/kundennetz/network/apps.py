from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "kundennetz.network"
    verbose_name = _("Relationship network")

    def ready(self):
        from kundennetz.accounts.views.trash import register

        from . import signals  # noqa: F401  (keeps the stored analysis in step with the records)
        from .models import Relation

        register("relations", Relation, _("Relations"), ("account", "contact", "other", "user", "deleted_by"))

        from kundennetz.qualification.extensions import add_suggestion

        from .panel import checklist_suggestion

        # The checklist's Authority headline gets a suggested answer from the relationship map.
        add_suggestion(checklist_suggestion)
