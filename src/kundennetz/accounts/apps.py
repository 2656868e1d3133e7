from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kundennetz.accounts"
    label = "accounts"
    verbose_name = _("Customer network")

    def ready(self):
        from kundennetz.core.tunables import tunable_saved
        from kundennetz.core.tunables.schemas import ExchangeRates

        from .services import refresh_revenue_base

        # New exchange rates: the stored revenue in francs follows in the same transaction.
        tunable_saved.connect(refresh_revenue_base, sender=ExchangeRates, dispatch_uid="accounts.revenue_base")
        # SQLite rebuilds a table for some schema changes, dropping its triggers: put the search index back.
        post_migrate.connect(_ensure_search_index, sender=self, dispatch_uid="accounts.fts")
        # The triggers copying sort keys onto the listed rows: on SQLite they name other tables, whose
        # rebuild they would break, so they wait outside while migrations run (see accounts.sortkeys).
        pre_migrate.connect(_set_sort_keys_aside, sender=self, dispatch_uid="accounts.sortkeys.aside")
        post_migrate.connect(_ensure_sort_keys, sender=self, dispatch_uid="accounts.sortkeys")
        # A customer group renamed or a stage moved reaches its many rows through a task (sortkeys: deferred).
        from django.db.models.signals import post_save

        from .models import Segment, Stage
        from .tasks import referenced_saved

        for model in (Segment, Stage):
            post_save.connect(referenced_saved, sender=model, dispatch_uid=f"accounts.sortkeys.{model.__name__}")


def _ensure_search_index(using="default", **kwargs):
    from django.db import connections

    from . import fts

    fts.ensure(connections[using])


def _set_sort_keys_aside(using="default", plan=None, **kwargs):
    from django.db import connections

    from . import sortkeys

    connection = connections[using]
    if plan and connection.vendor == "sqlite":
        sortkeys.drop(connection)


def _ensure_sort_keys(using="default", **kwargs):
    from django.db import connections

    from . import sortkeys

    sortkeys.ensure(connections[using])
