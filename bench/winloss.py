"""Benchmark of the win model: fit time on 100k closed deals (stratified 5-fold cross-validation plus the
final fit), scoring time for 1,000 open deals, and the cross-validated scores on generated deals whose
true model is known.

Run: .venv/bin/python bench/winloss.py [--quick]. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

try:
    from kundennetz.domain import winloss as w
except ImportError:  # run from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from kundennetz.domain import winloss as w

SEED = 20241204
KEYS = ("aspiration", "solution", "competition", "only_me", "time_scale", "money", "authority", "need")
# The true model: per question (favourable, unfavourable) effect on the log-odds against an open answer.
TRUE = {"aspiration": (0.4, -0.5), "solution": (0.9, -1.4), "competition": (0.3, -1.3),
        "only_me": (0.7, -0.3), "time_scale": (0.2, -0.4), "money": (0.6, -1.0),
        "authority": (0.5, -0.9), "need": (0.3, -0.6)}
INTERCEPT = -0.4
VOLUME_EFFECT = 0.35  # an expected volume within the customer group's range helps a little
FIT_LIMIT_S = 10.0
PREDICT_LIMIT_MS = 100.0


def generate(n: int, seed: int) -> tuple[list[w.Deal], np.ndarray]:
    """Closed deals drawn from the true model (with a figure), and their true win probabilities."""
    rng = np.random.default_rng(seed)
    draws = rng.random((n, len(KEYS)))
    states = np.where(draws < 0.12, 0, np.where(draws < 0.70, 1, 2))  # open, favourable, unfavourable
    names = (w.OPEN, w.FAVOURABLE, w.UNFAVOURABLE)
    fav = np.array([TRUE[k][0] for k in KEYS])
    unfav = np.array([TRUE[k][1] for k in KEYS])
    volume = rng.choice([-1, 0, 1], size=n, p=[0.3, 0.2, 0.5])
    z = INTERCEPT + ((states == 1) * fav + (states == 2) * unfav).sum(axis=1) + VOLUME_EFFECT * volume
    p = 1 / (1 + np.exp(-z))
    won = rng.random(n) < p
    deals = [w.Deal(id=i, won=bool(won[i]), states={k: names[s] for k, s in zip(KEYS, states[i])},
                    figures={"volume_in_range": int(volume[i]), "margin_target": 0}) for i in range(n)]
    return deals, p


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10,000 closed deals instead of 100,000")
    args = parser.parse_args()
    n = 10_000 if args.quick else 100_000
    deals, true_p = generate(n, SEED)
    y = np.array([d.won for d in deals], dtype=float)
    print(f"{n:,} closed deals generated ({int(y.sum()):,} won, {y.mean():.1%})")

    runs = 1 if args.quick else 3
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        model, scores = w.fit(deals, KEYS)
        times.append(time.perf_counter() - start)
    fit_s = statistics.median(times)
    print(f"fit (5-fold CV, answers alone and with figures, then the final fit): {fit_s:.2f} s "
          f"(median of {runs})")

    open_deals, _ = generate(1000, SEED + 1)
    batch = [(d.states, d.figures) for d in open_deals]
    model.predict_many(batch)  # warm-up
    predict_times = []
    for _ in range(21):
        start = time.perf_counter()
        predictions = model.predict_many(batch)
        predict_times.append(time.perf_counter() - start)
    predict_ms = statistics.median(predict_times) * 1000
    print(f"predict 1,000 open deals with contributions: {predict_ms:.1f} ms (median of 21)")

    coefficients = dict(zip(model.features, model.coefficients))
    errors = [abs(coefficients[f"{k}={s}"] - TRUE[k][i]) for k in KEYS for i, s in enumerate((w.FAVOURABLE,
                                                                                             w.UNFAVOURABLE))]
    signs = all(np.sign(coefficients[f"{k}={s}"]) == np.sign(TRUE[k][i])
                for k in KEYS for i, s in enumerate((w.FAVOURABLE, w.UNFAVOURABLE)) if abs(TRUE[k][i]) >= 0.2)
    calibration = max(abs(b.predicted - b.observed) for b in scores.reliability if b.count >= 200)
    true_auc, true_brier = w.auc(y, true_p), w.brier(y, true_p)
    print(f"cross-validated: AUC {scores.auc:.4f} (true model {true_auc:.4f}, unfavourable count "
          f"{scores.unfavourable_count_auc:.4f}), Brier {scores.brier:.4f} (true model {true_brier:.4f}, "
          f"base rate {scores.base_rate_brier:.4f}); figures used: {scores.use_figures}")
    print(f"largest coefficient error {max(errors):.3f}; signs recovered: {signs}; "
          f"largest calibration gap (bins ≥ 200 deals) {calibration:.3f}")
    checks = {"fit_within_limit": fit_s <= FIT_LIMIT_S, "predict_within_limit": predict_ms <= PREDICT_LIMIT_MS,
              "signs_recovered": bool(signs), "calibrated": calibration < 0.03,
              "figures_kept": scores.use_figures}
    for name, ok in checks.items():
        if not ok:
            print(f"CHECK FAILED: {name}")
    figures = {
        "deals": n, "won": int(y.sum()), "fit_s": round(fit_s, 3), "predict_1000_ms": round(predict_ms, 2),
        "auc": scores.auc, "brier": scores.brier, "base_rate_brier": scores.base_rate_brier,
        "unfavourable_count_auc": scores.unfavourable_count_auc, "true_model_auc": round(true_auc, 4),
        "true_model_brier": round(true_brier, 4), "max_coefficient_error": round(max(errors), 4),
        "max_calibration_gap": round(calibration, 4), "figures_used": scores.use_figures,
        "python": platform.python_version(), "numpy": np.__version__, "checks": checks,
        "predictions": len(predictions),
    }
    print(json.dumps(figures))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
