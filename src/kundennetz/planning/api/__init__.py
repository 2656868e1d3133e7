"""Planning in the JSON API: capacities, budgets, the plan the strategies imply, scenarios (create,
compute, read, compare, apply) and the plan of an account with its estimates.

Same rules as the web pages: sales head and admin change capacities, budgets and scenarios and apply
plans; marketing and read-only see them; an account manager sees their own capacity and the plan of
the accounts they may see, but not the colleagues' capacities or the scenarios (403). Invalid input
answers 422 with the field in ``loc``; a scenario without a plan that meets every minimum answers 409
with the conflicts named (which manager, hours required against available).

Modules: ``schemas`` (what the endpoints read and answer), ``routing`` (the router and shared checks),
``capacities`` (capacities and budgets), ``scenarios`` (the implied plan and scenarios) and
``accounts`` (an account's plan and estimates). Importing them registers their endpoints, in this
order (``scenarios/compare`` before ``scenarios/{id}``).
"""

# Importing the modules registers their endpoints on the router, in the order the API lists them.
from . import capacities  # noqa: F401, I001
from . import scenarios  # noqa: F401
from . import accounts  # noqa: F401
from .routing import router

__all__ = ["router"]
