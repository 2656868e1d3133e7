"""The five roles. What each may do is the capability table's (``core.capabilities``), nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SALES_HEAD = "sales_head", _("Sales head")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    MARKETING = "marketing", _("Marketing")
    READ_ONLY = "read_only", _("Read-only")
