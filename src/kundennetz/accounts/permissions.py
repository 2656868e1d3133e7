"""Who may do what with accounts, contacts and opportunities, built on ``core.permissions``.

Which records a user reaches is ``core.permissions.restrict``'s (and who may create records at all,
``core.permissions.can_create``: the navigation asks it too). These are the rules of the network's own
pages, forms and API beyond it: who sets an account's team and owner, which owners a user may see, and
what a record's page offers.
"""

from django.db.models import Exists, OuterRef, Q

from kundennetz.core.capabilities import has
from kundennetz.core.models import User
from kundennetz.core.permissions import can

from .models import Account


def may_change_team(user, account) -> bool:
    """Who is on an account's team is set by its owner, the sales head or an admin; team members may not."""
    if has(user, "change_any_account"):
        return True
    return has(user, "view_own_accounts") and (account.pk is None or account.owner_id == user.pk)


def may_choose_owner(user) -> bool:
    """Sales head and admin hand records to any account manager; an account manager's records are their own."""
    return has(user, "choose_owner")


def visible_owners(user):
    """Users who own an account `user` may see: everyone owning one for those who see all, else the user
    and the owners of the accounts they are on the team of (no scan of the accounts in either case)."""
    if not has(user, "view_network"):
        team = Account.team.through.objects.filter(user=user, account__deleted_at__isnull=True)
        owns = Account.objects.filter(owner=user)
        return User.objects.filter(Q(pk=user.pk, pk__in=owns.values("owner_id")[:1])
                                   | Q(pk__in=team.values("account__owner_id")))
    return User.objects.filter(Exists(Account.objects.filter(owner=OuterRef("pk"))))


def permissions_for(user, record) -> dict[str, bool]:
    """What a record's page offers `user`: changing it and moving it to the trash."""
    return {"can_change": can(user, "change", record), "can_delete": can(user, "delete", record)}
