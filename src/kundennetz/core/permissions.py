"""The one place that decides which records a user may see or change: `restrict(queryset, user, action)`.

Admin and sales head: everything. Marketing and read-only: see everything, change nothing.
Account managers: the accounts they own or are on the team of, and what hangs off those accounts; only
the owner trashes an account or changes its team.
Every restricted model names the path to its account in `account_lookup` ("" for the account itself).
"""

from django.apps import apps
from django.db.models import Q, QuerySet

from .roles import Role

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = frozenset({VIEW, ADD, CHANGE, DELETE})


def restrict(queryset: QuerySet, user, action: str = VIEW) -> QuerySet:
    """The part of `queryset` that `user` may act on with `action`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not is_signed_in(user):
        return queryset.none()
    if user.is_managing:
        return queryset
    if user.is_observing:
        return queryset if action == VIEW else queryset.none()
    if user.role != Role.ACCOUNT_MANAGER:
        return queryset.none()
    lookup = queryset.model.account_lookup
    if action == DELETE and not lookup:
        # Trashing an account (with its people and deals) is the owner's decision, not a team member's.
        return queryset.filter(owner=user)
    team_accounts = apps.get_model("accounts", "Account").team.through.objects.filter(user=user).values("account_id")
    if lookup:
        return queryset.filter(Q(**{f"{lookup}__owner": user}) | Q(**{f"{lookup}__in": team_accounts}))
    return queryset.filter(Q(owner=user) | Q(pk__in=team_accounts))


def is_signed_in(user) -> bool:
    """An authenticated, active user: the first condition of every rule."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def can(user, action: str, obj) -> bool:
    """Whether `user` may act on one record (a query, so that the rule stays in `restrict`)."""
    model = type(obj)
    manager = getattr(model, "all_objects", model._default_manager)
    return restrict(manager.filter(pk=obj.pk), user, action).exists()


def can_create(user) -> bool:
    """Whether `user` may create records of the network at all (which accounts: `restrict(..., ADD)`)."""
    return is_signed_in(user) and (user.is_managing or user.role == Role.ACCOUNT_MANAGER)


def may_change_team(user, account) -> bool:
    """Who is on an account's team is set by its owner, the sales head or an admin; team members may not."""
    if not is_signed_in(user):
        return False
    if user.is_managing:
        return True
    return user.role == Role.ACCOUNT_MANAGER and (account.pk is None or account.owner_id == user.pk)


def may_choose_owner(user) -> bool:
    """Sales head and admin hand records to any account manager; an account manager's records are their own."""
    return is_signed_in(user) and user.is_managing


def may_edit_communication(user) -> bool:
    """Marketing owns the company's values, core messages and value propositions; an admin may step in."""
    return is_signed_in(user) and (user.is_superuser or user.role in (Role.MARKETING, Role.ADMIN))


def can_manage_trash(user) -> bool:
    """Restoring from the trash is for admin and sales head."""
    return is_signed_in(user) and user.is_managing


def may_edit_settings(user) -> bool:
    """Settings (tunables) and the permission table's page are for admins."""
    from .capabilities import has

    return has(user, "edit_settings")
