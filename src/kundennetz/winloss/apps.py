from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WinlossConfig(AppConfig):
    name = "kundennetz.winloss"
    verbose_name = _("Win/loss learning")

    def ready(self):
        from kundennetz.qualification.extensions import add_panel, headline_answered

        # The checklist page shows the win probability; a changed headline answer scores the deal again.
        add_panel("win", _win_panel)
        headline_answered.connect(_rescore, dispatch_uid="winloss.rescore")


def _win_panel(opportunity, user):
    from .views import win_context

    return win_context(opportunity, user)


def _rescore(sender, opportunity_ids, **kwargs):
    from .services import refresh_scores

    refresh_scores(opportunity_ids)
