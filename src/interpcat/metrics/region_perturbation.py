"""Most-relevant-first (MoRF) region perturbation and the AOPC score.

The image is cut into non-overlapping square regions; regions are ranked by the summed relevance
of their pixels and, most relevant first, replaced one per step by perturbation values (Samek et
al. draw them at random). The curve records the class score after each step; the area over the
perturbation curve (AOPC) is the mean drop from the unperturbed score,

    AOPC = 1 / (L + 1) * sum_{k=0..L} (f(x^(0)) - f(x^(k))),

so a steeper drop (a better ordering) gives a higher AOPC. The curve itself is computed by
:func:`interpcat.metrics.perturbation_curve` on a region-major view of the image, so that each of
its steps replaces exactly one region.

References:
    Samek, W., Binder, A., Montavon, G., Lapuschkin, S., Müller, K.-R. (2017). Evaluating the
    Visualization of What a Deep Neural Network Has Learned. IEEE TNNLS 28(11), 2660-2673.
    arXiv:1509.06321 (Section II: region perturbation, MoRF order and AOPC).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .deletion import perturbation_curve

CRITERION = "faithfulness"
HIGHER_IS_BETTER = True  # a higher AOPC means a steeper drop: a better ordering


def to_regions(x: torch.Tensor, size: int) -> torch.Tensor:
    """A ``(C, H, W)`` image as ``(regions, C * size * size)``, regions in row-major order."""
    c, h, w = x.shape
    if h % size or w % size:
        raise ValueError(f"region size {size} does not divide the image size {h}x{w}")
    return x.reshape(c, h // size, size, w // size, size).permute(1, 3, 0, 2, 4).reshape(-1, c * size * size)


def from_regions(r: torch.Tensor, shape: tuple[int, int, int], size: int) -> torch.Tensor:
    """Inverse of :func:`to_regions` for a batch: ``(B, regions, C*size*size)`` to ``(B, C, H, W)``."""
    c, h, w = shape
    b = r.shape[0]
    return r.reshape(b, h // size, w // size, c, size, size).permute(0, 3, 1, 4, 2, 5).reshape(b, c, h, w)


def morf_curve(
    score: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    attribution: torch.Tensor,
    perturbed: torch.Tensor,
    *,
    size: int,
) -> torch.Tensor:
    """Scores as regions of ``x`` are replaced by those of ``perturbed``, most relevant region first.

    ``x``, ``attribution`` and ``perturbed`` are one ``(C, H, W)`` image each; ``score`` maps a batch
    ``(B, C, H, W)`` to ``(B,)``. Region relevance is the sum of the attribution over the region;
    ties keep row-major region order. Returns ``regions + 1`` scores, the first for ``x`` itself.
    """
    shape = tuple(x.shape)
    relevance = to_regions(attribution, size).sum(1, keepdim=True)
    xr, pr = to_regions(x, size), to_regions(perturbed, size)
    return perturbation_curve(
        lambda batch: score(from_regions(batch, shape, size)),  # type: ignore[arg-type]
        xr,
        relevance.expand_as(xr).contiguous(),
        xr,
        pr,
        steps=xr.shape[0],
    )


def aopc(curve: torch.Tensor | np.ndarray) -> float:
    """Area over the perturbation curve: the mean over steps 0..L of ``curve[0] - curve[k]``."""
    ys = np.asarray(curve.detach().cpu() if hasattr(curve, "detach") else curve, dtype=float)
    if len(ys) < 2:
        raise ValueError("a curve needs at least two points")
    return float(np.mean(ys[0] - ys))
