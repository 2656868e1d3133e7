"""Customer portfolio: scoring model, axis scores, ranks, cells, strategies and ABC analysis.

The German standard customer portfolio (Kundenattraktivitaet x Lieferantenposition, after
Link/Schleuning and Homburg): each axis is a weighted points table, every account lands in a cell of a
grid, and every cell carries a development strategy with a care intensity. Plain values in, plain
values out. The rules exist twice: once per account, with the reasons (points per criterion, what was
missing), and once over numpy columns, for recomputing a million accounts. Both perform the same
floating-point operations in the same order, so they agree exactly, not just approximately.

Units used throughout: points are 1..5; axis scores are 0..100 (points 1 -> 0, 3 -> 50, 5 -> 100);
shares (coverage, ABC thresholds, budget shares) are fractions 0..1; figures named ``*_pct`` are
percent. The model itself is data (see ``portfolio/default_model.json`` and ``docs/portfolio.md``).

The package re-exports its public names; the modules say what they hold:

- ``model``: the parts of a scoring model (scales, criteria, axes, grid, strategies) and constants.
- ``scoring_model``: the scoring model as a whole, reading and validating its document, the default model.
- ``figures``: computed figures (share of wallet, win rate, relationship strength).
- ``scoring``: scoring one account and a list of accounts, with reasons.
- ``columns``: the same rules over numpy columns, for a million accounts.
- ``abc``: ABC analysis.
- ``movement``: snapshots and movement between them.
"""

from __future__ import annotations

from .model import (
    ABC_LABELS,
    AXES,
    AbcThresholds,
    AccountId,
    Axis,
    BUYING_CENTRE_ROLES,
    CHANNELS,
    COMPUTED_FIGURES,
    CareIntensity,
    Cell,
    Criterion,
    DAYS_PER_YEAR,
    Grid,
    MAX_POINTS,
    MIN_POINTS,
    RELATIONSHIP_CONTACT_POINTS_FULL,
    RELATIONSHIP_INTERACTIONS_FULL,
    RELATIONSHIP_LEVELS,
    SCALE_KINDS,
    Scale,
    ScoringModelError,
    Strategy,
    THRESHOLD_COUNT,
    TIE_RESOLUTION,
    UNPLACED,
)
from .scoring_model import (
    ScoringModel,
    load_default_model,
)
from .figures import (
    computed_arrays,
    contact_points,
    relationship_strength,
    share_of_wallet_pct,
    win_rate_pct,
    years_as_customer,
)
from .scoring import (
    AccountFacts,
    AccountResult,
    AxisScore,
    StrategyOverride,
    criterion_points,
    score_account,
    score_axis,
    score_portfolio,
)
from .columns import (
    AxisArrays,
    PortfolioArrays,
    RankArrays,
    axis_arrays,
    rank_arrays,
    score_arrays,
    strategy_index_array,
)
from .abc import (
    abc_arrays,
    abc_classes,
)
from .movement import (
    Movement,
    SnapshotPoint,
    compare_snapshots,
    snapshot,
    transition_counts,
)

__all__ = [
    "ABC_LABELS",
    "AXES",
    "BUYING_CENTRE_ROLES",
    "CHANNELS",
    "COMPUTED_FIGURES",
    "SCALE_KINDS",
    "UNPLACED",
    "AbcThresholds",
    "AccountFacts",
    "AccountResult",
    "Axis",
    "AxisArrays",
    "AxisScore",
    "CareIntensity",
    "Cell",
    "Criterion",
    "Grid",
    "Movement",
    "PortfolioArrays",
    "RankArrays",
    "Scale",
    "ScoringModel",
    "ScoringModelError",
    "SnapshotPoint",
    "Strategy",
    "StrategyOverride",
    "abc_arrays",
    "abc_classes",
    "axis_arrays",
    "compare_snapshots",
    "computed_arrays",
    "contact_points",
    "criterion_points",
    "load_default_model",
    "rank_arrays",
    "relationship_strength",
    "score_account",
    "score_arrays",
    "score_axis",
    "score_portfolio",
    "share_of_wallet_pct",
    "snapshot",
    "strategy_index_array",
    "transition_counts",
    "win_rate_pct",
    "years_as_customer",
]
