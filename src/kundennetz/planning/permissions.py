"""Who may do what with capacities, budgets, scenarios and plans, built on ``core.permissions``.

Planning is the sales head's decision ("Chefsache"): only sales head and admin create or change
capacities, budgets and scenarios and apply a scenario as the plan. Marketing and read-only users see
all of it and change nothing (marketing owns the spending of the budgets, not their size). An account
manager sees their own capacity and the plan of the accounts they may see (``restrict``), not the
colleagues' capacities or the scenarios. Estimates of how an account responds to effort belong to
tending the account: whoever may change the account may enter them.
"""

from kundennetz.core.capabilities import has
from kundennetz.core.permissions import CHANGE, VIEW, can, is_signed_in, restrict, sees_own_accounts_only



def can_plan(user) -> bool:
    """Create and change capacities, budgets and scenarios; compute and apply scenarios."""
    return has(user, "change_planning")


def can_view_planning(user) -> bool:
    """See every capacity, the budgets, the scenarios and their results."""
    return has(user, "view_scenarios")


def can_view_budgets(user) -> bool:
    return can_view_planning(user)


def is_account_manager(user) -> bool:
    """Sees only some accounts (own and team): the part of planning that is theirs."""
    return sees_own_accounts_only(user)


def can_open_planning(user) -> bool:
    """The planning page: everyone above, and account managers for their own part of it."""
    return can_view_planning(user) or is_account_manager(user)


def may_have_capacity(user) -> bool:
    """Whose time is planned: active account managers, and sales heads who look after accounts themselves."""
    return has(user, "plan_own_time")


def visible_capacities(queryset, user):
    if can_view_planning(user):
        return queryset
    if is_account_manager(user):
        return queryset.filter(manager=user)
    return queryset.none()


def visible_plans(queryset, user):
    """Plans, results and estimates of the accounts `user` may see."""
    return restrict(queryset, user, VIEW)


def can_estimate(user, account) -> bool:
    return is_signed_in(user) and can(user, CHANGE, account)
