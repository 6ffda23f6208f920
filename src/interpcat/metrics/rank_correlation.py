"""Spearman rank correlation between two attribution maps.

References:
    Adebayo, J., Gilmer, J., Muelly, M., Goodfellow, I., Hardt, M., Kim, B. (2018).
    Sanity Checks for Saliency Maps. NeurIPS 2018. arXiv:1810.03292 (Section 3, Figure 4).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

CRITERION = "model-randomization-sensitivity"
HIGHER_IS_BETTER = False  # for a sanity check, maps of a randomized model should NOT correlate


def _flat(x: object) -> np.ndarray:
    arr = x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)
    return np.asarray(arr, dtype=float).ravel()


def spearman_rank_correlation(a: object, b: object, *, absolute: bool = True, where: object | None = None) -> float:
    """Spearman's rho between two maps of equal shape (ties get average ranks).

    ``absolute=True`` compares magnitudes, as Adebayo et al. do for their "absolute value" panels.
    ``where`` (a boolean map of the same shape) restricts the comparison to those positions: use it
    to leave out positions where both maps are zero by construction (e.g. inputs that are exactly
    zero under a method that multiplies by the input), which would otherwise tie and inflate rho.
    Returns NaN when either map is constant on the compared positions.
    """
    x, y = _flat(a), _flat(b)
    if x.shape != y.shape:
        raise ValueError(f"maps differ in size: {x.shape} vs {y.shape}")
    if where is not None:
        keep = _flat(where).astype(bool)
        x, y = x[keep], y[keep]
    if absolute:
        x, y = np.abs(x), np.abs(y)
    if len(x) < 2 or np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(spearmanr(x, y).statistic)
