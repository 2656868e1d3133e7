"""Optimal allocation of account-manager hours and of the sales-support and PR budgets to accounts.

Every account answers effort with a concave response ``m·(1 − e^(−b·x))`` (Mantrala, Sinha & Zoltners
1992): one curve for hours and one for each budget, their contributions add up. The optimum equalises
marginal returns inside every pool (a manager's hours, a budget); the pools' multipliers are found by
bisection, all at once. HiGHS is used only for variants whose integer side constraints break that
structure. See docs/allocation.md for the model as users see it.
"""

from .curves import (
    ALREADY_SATURATED,
    DEFAULT_REACHABLE_SHARE,
    DEFAULT_RESPONSE_AT_TYPICAL,
    DEVIATES,
    INCREASING_RETURNS,
    NO_RESPONSE_TO_EFFORT,
    Curve,
    CurveFit,
    FigureError,
    Resource,
    curve_from_figures,
    fit_curve,
)
from .highs import Reassignment, Visits, allocate_highs
from .model import (
    DEFAULT_CONTACT_HOURS,
    RESOURCES,
    Account,
    Allocation,
    Conflict,
    Infeasible,
    Manager,
    Problem,
    Response,
)
from .solve import allocate, dual_bound, greedy_contacts
from .whatif import (
    ExtraManager,
    add_manager,
    change_accounts,
    move_accounts,
    remove_manager,
    scale_budget,
    value_of_additional_manager,
)

__all__ = [
    "ALREADY_SATURATED", "DEFAULT_CONTACT_HOURS", "DEFAULT_REACHABLE_SHARE", "DEFAULT_RESPONSE_AT_TYPICAL",
    "DEVIATES", "INCREASING_RETURNS", "NO_RESPONSE_TO_EFFORT", "RESOURCES",
    "Account", "Allocation", "Conflict", "Curve", "CurveFit", "ExtraManager", "FigureError", "Infeasible", "Manager",
    "Problem", "Reassignment", "Resource", "Response", "Visits",
    "add_manager", "allocate", "allocate_highs", "change_accounts", "curve_from_figures", "dual_bound",
    "fit_curve", "greedy_contacts", "move_accounts", "remove_manager", "scale_budget",
    "value_of_additional_manager",
]
