"""The web pages of the customer network, one module per kind of record."""

from .accounts import account_create, account_delete, account_detail, account_list, account_update
from .choices import account_choices, contact_choices, owner_choices
from .contacts import contact_create, contact_delete, contact_detail, contact_list, contact_update
from .home import home
from .opportunities import (
    opportunity_create,
    opportunity_delete,
    opportunity_detail,
    opportunity_list,
    opportunity_stage,
    opportunity_update,
)
from .trash import restore, restore_many, trash

__all__ = [
    "account_choices", "contact_choices", "owner_choices",
    "account_create", "account_delete", "account_detail", "account_list", "account_update",
    "contact_create", "contact_delete", "contact_detail", "contact_list", "contact_update", "home",
    "opportunity_create", "opportunity_delete", "opportunity_detail", "opportunity_list", "opportunity_stage",
    "opportunity_update", "restore", "restore_many", "trash",
]
