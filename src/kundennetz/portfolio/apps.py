from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "kundennetz.portfolio"
    verbose_name = _("Customer portfolio")

    def ready(self):
        from django.db.models.signals import post_migrate, pre_delete

        from kundennetz.accounts.models import Account
        from kundennetz.core import freshness

        from . import services

        pre_delete.connect(_account_deleted, sender=Account, dispatch_uid="portfolio_summary_account_deleted")

        # Snapshots first: planning and consistency read the strategies they give.
        freshness.register_refresh(services.SNAPSHOT_INPUTS, services.refresh_if_stale, order=10)
        # The snapshots taken before their counts were stored (or whose previous snapshot changed) get them
        # here: the page never writes while it is read.
        post_migrate.connect(_store_missing_summaries, sender=self, dispatch_uid="portfolio.summaries")


def _account_deleted(sender, instance, **kwargs):
    """The stored counts of the snapshots an account deleted for good was in are dropped, and stored again
    by a task once the deletion is committed (counting a snapshot reads all its positions: not in the
    request)."""
    from django.db import transaction

    from .summary import drop_for_account
    from .tasks import store_missing_summaries

    if drop_for_account(instance.pk):
        transaction.on_commit(store_missing_summaries.enqueue)


def _store_missing_summaries(using="default", **kwargs):
    from django.db import connections

    from .models import PortfolioSnapshot, SnapshotSummary
    from .summary import store_missing

    tables = set(connections[using].introspection.table_names())
    if {PortfolioSnapshot._meta.db_table, SnapshotSummary._meta.db_table} <= tables:
        store_missing()
