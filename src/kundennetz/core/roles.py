"""The five roles and what each may do in general; record-level rules live in `permissions.restrict`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SALES_HEAD = "sales_head", _("Sales head")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    MARKETING = "marketing", _("Marketing")
    READ_ONLY = "read_only", _("Read-only")


# Roles that see and change every record of the network.
MANAGING_ROLES = frozenset({Role.ADMIN, Role.SALES_HEAD})
# Roles that see every record but change none of the network's records.
OBSERVING_ROLES = frozenset({Role.MARKETING, Role.READ_ONLY})
