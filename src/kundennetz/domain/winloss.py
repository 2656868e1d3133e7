"""Learning from won and lost deals: the features of a checklist, a calibrated win probability explained
per answer, its out-of-sample scores, the deals most like a given one, and threshold advice.

Plain Python and numpy; scikit-learn fits the regularised logistic regression (imported only by `fit`,
so that scoring an opportunity needs nothing but the stored coefficients).

**Features and their codes.** Each headline question gives two indicator features, ``<key>=favourable``
and ``<key>=unfavourable`` (1 when the answer is that, else 0); an open answer is the baseline (both 0).
So the model learns, per question, how much a favourable and an unfavourable answer move the odds of
winning compared with not knowing. Optionally two figures join them, coded +1 / −1 / 0:
``volume_in_range`` (the expected volume lies within / outside the customer group's range / unknown) and
``margin_target`` (the estimated margin reaches / misses the group's target / unknown); they are kept only
where they improve the cross-validated AUC.

**Scores** are never in-sample: stratified 5-fold cross-validation gives every deal a prediction from a
model that did not see it; AUC, Brier score, the base-rate Brier score (predicting each fold's training
win rate for everyone) and the reliability table come from those predictions.

**Contributions.** The contribution of an answer is how far it moves this deal's win probability
compared with an average answer to that question: ``p − σ(z − Σ β_j·(x_j − mean_j))`` over the
question's features, in probability (−0.18 reads "−18 points").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product

import numpy as np

FAVOURABLE, UNFAVOURABLE, OPEN = "favourable", "unfavourable", "open"
STATES = (FAVOURABLE, UNFAVOURABLE, OPEN)
SIGNATURE_CODES = {FAVOURABLE: "f", UNFAVOURABLE: "u", OPEN: "o"}
FIGURES = ("volume_in_range", "margin_target")
MIN_DEALS = 30          # closed deals (won or lost, with an answered checklist) needed to fit
MIN_PER_OUTCOME = 5     # and of each outcome, so that every fold holds both
FOLDS = 5
REGULARISATION_C = 1.0  # inverse strength of the L2 penalty (scikit-learn's C)
FIGURES_MIN_GAIN = 0.005  # cross-validated AUC the figures must add to be kept
MAX_THRESHOLD = 8


class NotEnoughDeals(ValueError):
    """Too little history to learn from; `code` and `params` say why (worded by the adapter,
    ``winloss.services.refusal_message``)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


# --- features ---------------------------------------------------------------------------------------


def feature_names(keys: Sequence[str], figures: bool = False) -> tuple[str, ...]:
    names = [f"{key}={state}" for key in keys for state in (FAVOURABLE, UNFAVOURABLE)]
    return tuple(names + (list(FIGURES) if figures else []))


def state_of(answer: object, favourable: str | None) -> str:
    """FAVOURABLE, UNFAVOURABLE or OPEN for a stored yes/no/open answer and the question's favourable one."""
    if answer not in ("yes", "no") or favourable not in ("yes", "no"):
        return OPEN
    return FAVOURABLE if answer == favourable else UNFAVOURABLE


def figure_code(holds: bool | None) -> int:
    """+1 when the figure meets the group's range or target, −1 when it does not, 0 when unknown."""
    return 0 if holds is None else (1 if holds else -1)


def volume_in_range(volume, low, high) -> bool | None:
    if volume is None or (low is None and high is None):
        return None
    return (low is None or volume >= low) and (high is None or volume <= high)


def margin_meets_target(margin, target) -> bool | None:
    if margin is None or target is None:
        return None
    return margin >= target


def encode(states: Mapping[str, str], keys: Sequence[str], figures: Mapping[str, int] | None = None,
           use_figures: bool = False) -> list[float]:
    """One deal's feature vector (in the order of `feature_names(keys, use_figures)`)."""
    row = []
    for key in keys:
        state = states.get(key, OPEN)
        row += [1.0 if state == FAVOURABLE else 0.0, 1.0 if state == UNFAVOURABLE else 0.0]
    if use_figures:
        row += [float((figures or {}).get(name, 0)) for name in FIGURES]
    return row


def signature(states: Mapping[str, str], keys: Sequence[str]) -> str:
    """The headline answers as one short code ("ffufoof…", one letter per key) for finding similar deals."""
    return "".join(SIGNATURE_CODES[states.get(key, OPEN)] for key in keys)


def distance(a: str, b: str) -> int:
    """How many headline answers two signatures differ in."""
    return sum(1 for x, y in zip(a, b) if x != y) + abs(len(a) - len(b))


def neighbours(code: str, max_distance: int) -> list[str]:
    """Every signature within `max_distance` answers of `code` (itself first): 1 + 16 + 112 for eight
    questions and distance 2, so that similar deals are found by an indexed lookup, not a scan."""
    letters = tuple(SIGNATURE_CODES.values())
    result = [code]
    for d in range(1, max_distance + 1):
        for positions in combinations(range(len(code)), d):
            choices = [[c for c in letters if c != code[i]] for i in positions]
            for replacement in product(*choices):
                chars = list(code)
                for i, c in zip(positions, replacement):
                    chars[i] = c
                result.append("".join(chars))
    return result


# --- the model -------------------------------------------------------------------------------------------


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))


@dataclass(frozen=True)
class Prediction:
    probability: float
    contributions: dict[str, float]  # key (or figure) → change of probability against an average answer


@dataclass(frozen=True)
class WinModel:
    """Fitted coefficients; everything needed to score a deal, as plain numbers (stored as JSON)."""

    keys: tuple[str, ...]
    use_figures: bool
    intercept: float
    coefficients: tuple[float, ...]
    means: tuple[float, ...]

    @property
    def features(self) -> tuple[str, ...]:
        return feature_names(self.keys, self.use_figures)

    def groups(self) -> dict[str, list[int]]:
        """Question key (or figure) → the indices of its features."""
        groups: dict[str, list[int]] = {}
        for index, name in enumerate(self.features):
            groups.setdefault(name.split("=")[0], []).append(index)
        return groups

    def to_dict(self) -> dict:
        return {"keys": list(self.keys), "use_figures": self.use_figures, "intercept": self.intercept,
                "coefficients": dict(zip(self.features, self.coefficients)), "means": list(self.means)}

    @classmethod
    def from_dict(cls, data: Mapping) -> WinModel:
        keys = tuple(data["keys"])
        use_figures = bool(data.get("use_figures"))
        names = feature_names(keys, use_figures)
        coefficients = data["coefficients"]
        return cls(keys=keys, use_figures=use_figures, intercept=float(data["intercept"]),
                   coefficients=tuple(float(coefficients[name]) for name in names),
                   means=tuple(float(m) for m in data["means"]))

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        return _sigmoid(self.intercept + matrix @ np.asarray(self.coefficients))

    def explain(self, matrix: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Probabilities of many deals and, per question, each deal's contribution."""
        beta = np.asarray(self.coefficients)
        z = self.intercept + matrix @ beta
        p = _sigmoid(z)
        centred = (matrix - np.asarray(self.means)) * beta
        contributions = {key: p - _sigmoid(z - centred[:, idx].sum(axis=1)) for key, idx in self.groups().items()}
        return p, contributions

    def predict(self, states: Mapping[str, str], figures: Mapping[str, int] | None = None) -> Prediction:
        matrix = np.asarray([encode(states, self.keys, figures, self.use_figures)])
        p, contributions = self.explain(matrix)
        return Prediction(probability=float(p[0]),
                          contributions={key: float(values[0]) for key, values in contributions.items()})

    def predict_many(self, deals: Sequence[tuple[Mapping[str, str], Mapping[str, int] | None]]) -> list[Prediction]:
        if not deals:
            return []
        matrix = np.asarray([encode(states, self.keys, figures, self.use_figures) for states, figures in deals])
        p, contributions = self.explain(matrix)
        return [Prediction(probability=float(p[i]),
                           contributions={key: float(values[i]) for key, values in contributions.items()})
                for i in range(len(deals))]


@dataclass(frozen=True)
class Deal:
    """A closed deal to learn from: its headline answer states, figure codes and outcome."""

    id: object
    won: bool
    states: Mapping[str, str]
    figures: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ReliabilityBin:
    lower: float
    upper: float
    count: int
    predicted: float | None  # mean predicted probability of the deals in the bin
    observed: float | None   # their actual win rate

    def to_dict(self) -> dict:
        return {"lower": self.lower, "upper": self.upper, "count": self.count, "predicted": self.predicted,
                "observed": self.observed}


@dataclass(frozen=True)
class Scores:
    deals: int
    won: int
    auc: float
    brier: float
    base_rate_brier: float
    unfavourable_count_auc: float  # the plain rule's ranking (fewer unfavourable answers = better), for comparison
    reliability: tuple[ReliabilityBin, ...]
    use_figures: bool
    folds: int = FOLDS

    def to_dict(self) -> dict:
        return {"deals": self.deals, "won": self.won, "auc": self.auc, "brier": self.brier,
                "base_rate_brier": self.base_rate_brier, "unfavourable_count_auc": self.unfavourable_count_auc,
                "reliability": [b.to_dict() for b in self.reliability], "use_figures": self.use_figures,
                "folds": self.folds}


def auc(y: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random won deal scores above a random lost one
    (ties count half). NaN when one outcome is missing."""
    y = np.asarray(y, dtype=float)
    s = np.asarray(scores, dtype=float)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_scores = s[order]
    # Average ranks over ties.
    boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(s)]))
    for start, end in zip(starts, ends):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2.0) / (positives * negatives))


def brier(y, p) -> float:
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    return float(np.mean((p - y) ** 2))


def reliability(y, p, bins: int = 10) -> tuple[ReliabilityBin, ...]:
    """Deals grouped by predicted probability (tenths): how often those predicted at p were won."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    index = np.minimum((p * bins).astype(int), bins - 1)
    result = []
    for b in range(bins):
        mask = index == b
        count = int(mask.sum())
        result.append(ReliabilityBin(lower=b / bins, upper=(b + 1) / bins, count=count,
                                     predicted=round(float(p[mask].mean()), 4) if count else None,
                                     observed=round(float(y[mask].mean()), 4) if count else None))
    return tuple(result)


def check_history(deals: Sequence[Deal]) -> None:
    """Raise `NotEnoughDeals` unless there is enough history to learn from."""
    check_counts(len(deals), sum(1 for d in deals if d.won))


def check_counts(deals: int, won: int) -> None:
    """The same rule on counts alone: at least `MIN_DEALS` closed deals, `MIN_PER_OUTCOME` of each outcome."""
    lost = deals - won
    if deals < MIN_DEALS:
        raise NotEnoughDeals("too_few_deals", minimum=MIN_DEALS, deals=deals)
    if won < MIN_PER_OUTCOME or lost < MIN_PER_OUTCOME:
        raise NotEnoughDeals("too_few_of_one_outcome", minimum=MIN_PER_OUTCOME, won=won, lost=lost)


def _estimator(c: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=1000)


def _fitted(matrix: np.ndarray, y: np.ndarray, c: float):
    """The regularised logistic regression on `matrix`, `y`. The features are few and discrete, so many
    deals share one row: each distinct (row, outcome) is fitted once with its count as weight, which is
    the same objective (weighted log-loss + L2 penalty) at a fraction of the work."""
    y = np.asarray(y, dtype=np.int64)
    if matrix.shape[1] <= 38 and np.isin(matrix, (-1.0, 0.0, 1.0)).all():
        # Every feature is −1, 0 or 1: a row is a number in base 3 (a 1-D sort instead of a row sort).
        codes = ((matrix + 1).astype(np.int64) @ (3 ** np.arange(matrix.shape[1], dtype=np.int64))) * 2 + y
        _codes, first, counts = np.unique(codes, return_index=True, return_counts=True)
        rows, outcomes = matrix[first], y[first]
    else:
        unique, counts = np.unique(np.column_stack([matrix, y]), axis=0, return_counts=True)
        rows, outcomes = unique[:, :-1], unique[:, -1].astype(np.int64)
    if len(set(outcomes.tolist())) < 2:
        return _estimator(c).fit(matrix, y)  # let scikit-learn say what is wrong
    return _estimator(c).fit(rows, outcomes, sample_weight=counts.astype(float))


def _cross_validated(matrix: np.ndarray, y: np.ndarray, folds: int, seed: int, c: float):
    """Out-of-fold win probabilities, and each deal's base rate (its training folds' win rate)."""
    from sklearn.model_selection import StratifiedKFold

    predicted = np.empty(len(y))
    base = np.empty(len(y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(matrix, y):
        estimator = _fitted(matrix[train], y[train], c)
        predicted[test] = estimator.predict_proba(matrix[test])[:, 1]
        base[test] = y[train].mean()
    return predicted, base


def fit(deals: Sequence[Deal], keys: Sequence[str], *, figures: bool | str = "auto", folds: int = FOLDS,
        seed: int = 0, c: float = REGULARISATION_C) -> tuple[WinModel, Scores]:
    """Learn the win model from closed deals; the scores come from stratified `folds`-fold cross-validation.

    `figures`: True/False to use the two figures or not, "auto" to use them only when they raise the
    cross-validated AUC by at least `FIGURES_MIN_GAIN`. Raises `NotEnoughDeals` on too little history.
    """
    check_history(deals)
    keys = tuple(keys)
    y = np.asarray([1 if d.won else 0 for d in deals])
    with_figures = np.asarray([encode(d.states, keys, d.figures, True) for d in deals], dtype=float)
    answers_only = with_figures[:, : 2 * len(keys)]
    candidates = {False: answers_only, True: with_figures}
    if figures == "auto":
        has_figures = bool(np.any(with_figures[:, 2 * len(keys):] != 0))
        tried = {False: _cross_validated(answers_only, y, folds, seed, c)}
        use = False
        if has_figures:
            tried[True] = _cross_validated(with_figures, y, folds, seed, c)
            use = auc(y, tried[True][0]) >= auc(y, tried[False][0]) + FIGURES_MIN_GAIN
    else:
        use = bool(figures)
        tried = {use: _cross_validated(candidates[use], y, folds, seed, c)}
    matrix = candidates[use]
    predicted, base = tried[use]
    final = _fitted(matrix, y, c)
    model = WinModel(keys=keys, use_figures=use, intercept=float(final.intercept_[0]),
                     coefficients=tuple(float(v) for v in final.coef_[0]),
                     means=tuple(float(v) for v in matrix.mean(axis=0)))
    unfavourable = np.asarray([sum(1 for k in keys if d.states.get(k) == UNFAVOURABLE) for d in deals])
    scores = Scores(deals=len(deals), won=int(y.sum()), auc=round(auc(y, predicted), 4),
                    brier=round(brier(y, predicted), 4), base_rate_brier=round(brier(y, base), 4),
                    unfavourable_count_auc=round(auc(y, -unfavourable), 4),
                    reliability=reliability(y, predicted), use_figures=use, folds=folds)
    return model, scores


# --- value ------------------------------------------------------------------------------------------------


def expected_value(probability: float | None, volume, margin_pct, bid_cost) -> float | None:
    """probability × volume × margin − the cost of the bid; None when the volume or margin is unknown."""
    if probability is None or volume is None or margin_pct is None:
        return None
    return float(probability) * float(volume) * float(margin_pct) / 100.0 - float(bid_cost or 0)


# --- threshold advice ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoricDeal:
    """A closed deal as the go/no-go rule sees it: its unfavourable headline answers, outcome and worth."""

    won: bool
    unfavourable: int
    contribution: float | None = None  # volume × margin, when won; None when unknown
    bid_cost: float = 0.0


@dataclass(frozen=True)
class ThresholdRow:
    threshold: int
    offers: int            # deals the rule would have made an offer for (unfavourable ≤ threshold)
    wins_kept: int         # won deals among them
    wins_forgone: int      # won deals the rule would have declined
    losses_avoided: int    # lost deals the rule would have declined (their bid cost saved)
    expected_contribution: float  # contribution of the wins kept − the cost of every offer made

    def to_dict(self) -> dict:
        return {"threshold": self.threshold, "offers": self.offers, "wins_kept": self.wins_kept,
                "wins_forgone": self.wins_forgone, "losses_avoided": self.losses_avoided,
                "expected_contribution": round(self.expected_contribution, 2)}


@dataclass(frozen=True)
class ThresholdAdvice:
    deals: int
    won: int
    in_force: int
    best: int | None
    rows: tuple[ThresholdRow, ...]
    assumed_contribution: float  # what a won deal of unknown worth is counted with

    def row(self, threshold: int) -> ThresholdRow | None:
        return next((r for r in self.rows if r.threshold == threshold), None)

    @property
    def gain(self) -> float:
        """How much more the best threshold would have earned than the one in force."""
        if self.best is None:
            return 0.0
        current = self.row(self.in_force)
        best = self.row(self.best)
        return best.expected_contribution - (current.expected_contribution if current else 0.0)

    def to_dict(self) -> dict:
        return {"deals": self.deals, "won": self.won, "threshold_in_force": self.in_force,
                "best_threshold": self.best, "gain": round(self.gain, 2),
                "assumed_contribution": round(self.assumed_contribution, 2),
                "thresholds": [r.to_dict() for r in self.rows]}


def threshold_advice(deals: Iterable[HistoricDeal], in_force: int, max_threshold: int = MAX_THRESHOLD) -> ThresholdAdvice:
    """What the rule "more than t unfavourable → no offer" would have decided on the history, for t = 0…8.

    A won deal of unknown worth counts with the average worth of the won deals whose worth is known.
    The best threshold is the one with the highest contribution; among equals, the one nearest the one
    in force (so advice to change comes only when a change would have paid)."""
    deals = list(deals)
    known = [d.contribution for d in deals if d.won and d.contribution is not None]
    assumed = sum(known) / len(known) if known else 0.0
    rows = []
    for t in range(max_threshold + 1):
        offered = [d for d in deals if d.unfavourable <= t]
        declined = [d for d in deals if d.unfavourable > t]
        contribution = sum((assumed if d.contribution is None else d.contribution) if d.won else 0.0
                           for d in offered) - sum(d.bid_cost for d in offered)
        rows.append(ThresholdRow(threshold=t, offers=len(offered), wins_kept=sum(1 for d in offered if d.won),
                                 wins_forgone=sum(1 for d in declined if d.won),
                                 losses_avoided=sum(1 for d in declined if not d.won),
                                 expected_contribution=contribution))
    best = None
    if deals:
        best = max(rows, key=lambda r: (round(r.expected_contribution, 6), -abs(r.threshold - in_force),
                                        -r.threshold)).threshold
    return ThresholdAdvice(deals=len(deals), won=sum(1 for d in deals if d.won), in_force=in_force, best=best,
                           rows=tuple(rows), assumed_contribution=assumed)


# --- generated history (tests, benchmark, demo) ---------------------------------------------------------------


def generate_deals(n: int, keys: Sequence[str], true_coefficients: Mapping[str, tuple[float, float]],
                   intercept: float, *, seed: int = 0, open_share: float = 0.2) -> list[Deal]:
    """`n` closed deals drawn from a known logistic model: per key (favourable effect, unfavourable
    effect) on the log-odds against an open answer."""
    rng = np.random.default_rng(seed)
    deals = []
    for i in range(n):
        states = {}
        z = intercept
        for key in keys:
            r = rng.random()
            state = OPEN if r < open_share else (FAVOURABLE if r < open_share + (1 - open_share) * 0.6 else UNFAVOURABLE)
            states[key] = state
            fav, unfav = true_coefficients.get(key, (0.0, 0.0))
            z += fav if state == FAVOURABLE else unfav if state == UNFAVOURABLE else 0.0
        won = bool(rng.random() < 1.0 / (1.0 + math.exp(-z)))
        deals.append(Deal(id=i, won=won, states=states))
    return deals
