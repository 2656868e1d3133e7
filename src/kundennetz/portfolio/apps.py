from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "kundennetz.portfolio"
    verbose_name = _("Customer portfolio")
