"""Planning: the plan the strategies imply, scenarios computed with the allocation domain, their
comparison, and applying one as the plan.

Flow: ``load(period)`` reads everything a plan needs in a handful of bulk queries (values_list, no
model instances, so 100k accounts cost the same few queries as ten); ``build_problem`` turns it into
the domain's ``Problem``; ``compute_scenario`` applies the what-ifs with the domain's helpers, solves,
and writes the result in one transaction. The maths is in ``kundennetz.domain.allocation``.

How the portfolio hooks in: ``account_strategies`` is the one function that reads the portfolio
app. For each account it takes today's strategy (a sales head's override, else the strategy of the
account's cell in the current snapshot) with that strategy's care intensity from the scoring model,
and our position score. Without the portfolio app, without a snapshot, or for an account the snapshot
does not hold, the account gets the default intensity of its customer group from
the tunable ``DefaultIntensities`` (the same table consistency uses), so planning works either way.

Modules: ``strategies`` (the portfolio adapter), ``data`` (reading what a plan needs, the problem),
``implied`` (the plan the strategies imply), ``parameters`` (a scenario's what-ifs, checked and
described), ``scenarios`` (computing and storing a scenario), ``comparison`` (comparing and applying)
``background`` (computing and applying as background jobs) and ``account_plan`` (one account's plan,
for the account page and My week).
"""

from __future__ import annotations

from .strategies import (
    GROUP_PREFIX,
    Intensity,
    Strategies,
    account_strategies,
    current_language,
    default_groups,
)
from .data import (
    BATCH,
    Figures,
    PlanData,
    build_problem,
    current_period_code,
    effort_settings,
    figures,
    load,
)
from .implied import (
    ImpliedPlan,
    ManagerLoad,
    implied_plan,
)
from .parameters import (
    InvalidParameters,
    MILP_ACCOUNT_LIMIT,
    PARAMETER_KEYS,
    VISITS,
    clean_parameters,
    describe_parameters,
)
from .scenarios import (
    OVERLOAD_TOLERANCE,
    PlanningError,
    RESULT_NUMBERS,
    compute_scenario,
    conflict_message,
    create_scenario,
    draft_copy,
    refresh_if_stale,
    reset_totals,
)
from ..freshness import freshness_of, is_stale, scenario_inputs
from .comparison import (
    COMPARED,
    apply_scenario,
    comparison,
)
from .account_plan import (
    AccountPlanView,
    PlannedContacts,
    account_plan,
    periods_of_day,
    planned_contacts,
)

__all__ = [
    "AccountPlanView",
    "BATCH",
    "COMPARED",
    "Figures",
    "GROUP_PREFIX",
    "ImpliedPlan",
    "Intensity",
    "InvalidParameters",
    "MILP_ACCOUNT_LIMIT",
    "ManagerLoad",
    "OVERLOAD_TOLERANCE",
    "PARAMETER_KEYS",
    "PlanData",
    "PlannedContacts",
    "PlanningError",
    "RESULT_NUMBERS",
    "Strategies",
    "VISITS",
    "account_plan",
    "account_strategies",
    "apply_scenario",
    "build_problem",
    "clean_parameters",
    "comparison",
    "compute_scenario",
    "conflict_message",
    "create_scenario",
    "current_language",
    "current_period_code",
    "default_groups",
    "describe_parameters",
    "draft_copy",
    "effort_settings",
    "figures",
    "implied_plan",
    "freshness_of",
    "is_stale",
    "refresh_if_stale",
    "reset_totals",
    "scenario_inputs",
    "load",
    "periods_of_day",
    "planned_contacts",
]
