"""Deletion and insertion curves (and region perturbation) for attribution maps.

References:
    Petsiuk, V., Das, A., Saenko, K. (2018). RISE: Randomized Input Sampling for Explanation of
    Black-box Models. BMVC 2018. arXiv:1806.07421 (Section 4.1, deletion and insertion metrics).
    Samek, W., Binder, A., Montavon, G., Lapuschkin, S., Müller, K.-R. (2017). Evaluating the
    Visualization of What a Deep Neural Network Has Learned. IEEE TNNLS 28(11). arXiv:1509.06321
    (most-relevant-first region perturbation and the AOPC score).

Conventions: features are removed (deletion) or revealed (insertion) most-relevant-first in
``steps`` equal chunks; the curve has ``steps + 1`` points, from 0 to all features; the area is
the trapezoidal area under it with the x axis scaled to [0, 1]. Lower deletion area and higher
insertion area mean a more faithful map.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

CRITERION = "faithfulness"
HIGHER_IS_BETTER = {"deletion": False, "insertion": True}


def perturbation_curve(
    score: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    attribution: torch.Tensor,
    start: torch.Tensor,
    end: torch.Tensor,
    *,
    steps: int,
) -> torch.Tensor:
    """Scores along a path that moves features from ``start`` to ``end``, most-attributed first.

    ``x``, ``attribution``, ``start`` and ``end`` share one shape (a single example, no batch
    dimension); ``score`` maps a batch of such inputs to a batch of scalars (e.g. the target
    class probability). Ties in the attribution are broken by position order (stable sort).
    """
    if not (x.shape == attribution.shape == start.shape == end.shape):
        raise ValueError("x, attribution, start and end must share one shape")
    n = x.numel()
    order = torch.sort(attribution.reshape(-1), descending=True, stable=True).indices
    counts = [round(i * n / steps) for i in range(steps + 1)]
    batch = start.reshape(1, -1).repeat(steps + 1, 1)
    end_flat = end.reshape(-1)
    for row, count in enumerate(counts):
        chosen = order[:count]
        batch[row, chosen] = end_flat[chosen]
    with torch.no_grad():
        return score(batch.reshape(steps + 1, *x.shape)).reshape(-1)


def deletion_curve(score, x, attribution, baseline, *, steps: int = 16) -> torch.Tensor:  # type: ignore[no-untyped-def]
    """Scores as the most relevant features of ``x`` are replaced by ``baseline`` (Petsiuk et al. 2018)."""
    return perturbation_curve(score, x, attribution, x, baseline, steps=steps)


def insertion_curve(score, x, attribution, baseline, *, steps: int = 16) -> torch.Tensor:  # type: ignore[no-untyped-def]
    """Scores as the most relevant features of ``x`` are revealed on top of ``baseline`` (Petsiuk et al. 2018)."""
    return perturbation_curve(score, x, attribution, baseline, x, steps=steps)


def normalized_auc(curve: torch.Tensor | np.ndarray) -> float:
    """Trapezoidal area under a curve whose points are evenly spaced on [0, 1]."""
    ys = np.asarray(curve.detach().cpu() if hasattr(curve, "detach") else curve, dtype=float)
    if len(ys) < 2:
        raise ValueError("a curve needs at least two points")
    return float(np.trapezoid(ys, dx=1.0 / (len(ys) - 1)))
