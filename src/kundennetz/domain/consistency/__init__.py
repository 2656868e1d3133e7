"""Consistency of appearance (part 2 of the seed) made measurable, with reasons as codes.

The package re-exports its public names; the modules say what they hold:

- ``model``: roles, bands, periods and the plain inputs (assignments, interactions, contacts, messages).
- ``config``: the weights and thresholds and how they are read and checked.
- ``results``: the frozen results (reasons as codes, parts, measures, score); the adapters word the
  reasons (``kundennetz.interactions.wording``).
- ``digest``: the single pass over an account's interactions.
- ``measures``: continuity, cadence and message consistency.
- ``score``: the 0-100 score and the assessment of one or many accounts.
- ``due``: the contacts that are due.
- ``summary``: aggregates per manager and network, trend.
- ``arithmetic``: month arithmetic and rounding.

Complexity: one pass over an account's interactions plus one sort of its contact dates, so
O(n log n) per account with n its interactions; O(a log a) for a assignments; O(c) for c
contacts. Aggregates are O(accounts log accounts) for the median; due contacts are O(m log m).
"""

from __future__ import annotations

from .model import (
    AMBER,
    AccountHistory,
    Assignment,
    BANDS,
    CADENCE,
    COACH,
    COMPONENT_MEASURES,
    CONTINUITY,
    ConsistencyError,
    Contact,
    CoreMessage,
    DECISION_MAKER,
    DEFAULT_CONFIG_PATH,
    GATEKEEPER,
    GREEN,
    INFLUENCER,
    Id,
    Intensity,
    Interaction,
    MESSAGES,
    MessageSet,
    ONE_DAY,
    Period,
    RED,
    ROLES,
    TECHNICAL_EVALUATOR,
    USER,
    previous_period,
)
from .config import (
    ConsistencyConfig,
    default_config,
    load_config,
    parse_config,
)
from .results import (
    REASON_CODES,
    AccountConsistency,
    Cadence,
    Continuity,
    KeyPersonGap,
    MessageConsistency,
    OutsideMessage,
    Part,
    QuarterShortfall,
    Reason,
    Score,
)
from .measures import (
    cadence,
    continuity,
    message_consistency,
)
from .score import (
    assess_account,
    assess_accounts,
    consistency_score,
)
from .due import (
    DueContact,
    DueInput,
    count_due,
    due_contacts,
    due_dates,
    due_input,
)
from .summary import (
    Summary,
    Trend,
    earlier_score,
    score_deltas,
    summarize,
    summarize_by_manager,
    trend,
)
from .arithmetic import (
    add_months,
)

__all__ = [
    "AMBER",
    "AccountConsistency",
    "AccountHistory",
    "Assignment",
    "BANDS",
    "CADENCE",
    "COACH",
    "COMPONENT_MEASURES",
    "CONTINUITY",
    "Cadence",
    "ConsistencyConfig",
    "ConsistencyError",
    "Contact",
    "Continuity",
    "CoreMessage",
    "DECISION_MAKER",
    "DEFAULT_CONFIG_PATH",
    "DueContact",
    "DueInput",
    "GATEKEEPER",
    "GREEN",
    "INFLUENCER",
    "Id",
    "Intensity",
    "Interaction",
    "KeyPersonGap",
    "MESSAGES",
    "MessageConsistency",
    "MessageSet",
    "ONE_DAY",
    "OutsideMessage",
    "Part",
    "Period",
    "QuarterShortfall",
    "REASON_CODES",
    "RED",
    "ROLES",
    "Reason",
    "Score",
    "Summary",
    "TECHNICAL_EVALUATOR",
    "Trend",
    "USER",
    "add_months",
    "assess_account",
    "assess_accounts",
    "cadence",
    "consistency_score",
    "continuity",
    "default_config",
    "count_due",
    "due_contacts",
    "due_dates",
    "due_input",
    "earlier_score",
    "load_config",
    "message_consistency",
    "parse_config",
    "previous_period",
    "score_deltas",
    "summarize",
    "summarize_by_manager",
    "trend",
]
