"""Interactions with the network, core messages, consistency measures, my week, the management view, reminders."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "kundennetz.interactions"
    verbose_name = _("Interactions and consistency")

    def ready(self):
        # The portfolio scores relationship strength from the interactions of the last year; it asks
        # the apps that have figures through its registry, so it never imports this app.
        try:
            from kundennetz.portfolio.services import FigureSource, register_figure_source
        except ImportError:
            return
        from .services import interaction_counts

        register_figure_source(FigureSource("interactions", "interactions", interaction_counts))
