"""Interactions with the network, core messages, consistency measures, my week, the management view, reminders."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "kundennetz.interactions"
    verbose_name = _("Interactions and consistency")

    def ready(self):
        from kundennetz.accounts import fts
        from kundennetz.core import freshness

        from . import management_view
        from .models import Interaction

        # SQLite: the interactions' search index is kept (and put back after a migrate) as the accounts' are.
        fts.register(Interaction._meta.db_table)

        # Last: consistency measures against the strategies and the adopted plan.
        freshness.register_refresh("consistency", management_view.refresh_if_stale, order=30)
        # An account's stored row (its due dates: My week) follows changes of the account and its people.
        from django.db.models.signals import post_delete, post_save

        from kundennetz.accounts.models import Account, Contact

        from .services import account_inputs_changed

        for model in (Account, Contact):
            post_save.connect(account_inputs_changed, sender=model, dispatch_uid=f"consistency.{model.__name__}.save")
            post_delete.connect(account_inputs_changed, sender=model,
                                dispatch_uid=f"consistency.{model.__name__}.delete")
        # The account list's strategy filter offers the portfolio's strategies, read through this app.
        from kundennetz.accounts.filters import offer_strategy_names

        from .portfolio_bridge import strategy_names

        offer_strategy_names(strategy_names)
        # The portfolio scores relationship strength from the interactions of the last year; it asks
        # the apps that have figures through its registry, so it never imports this app.
        try:
            from kundennetz.portfolio.services import FigureSource, register_figure_source
        except ImportError:
            return
        from .services import interaction_counts

        register_figure_source(FigureSource("interactions", "interactions", interaction_counts,
                                            inputs=("interactions.Interaction",)))
