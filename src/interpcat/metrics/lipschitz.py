"""Local Lipschitz estimate of an explanation method (its stability).

References:
    Alvarez-Melis, D., Jaakkola, T. S. (2018). On the Robustness of Interpretability Methods.
    ICML Workshop on Human Interpretability. arXiv:1806.08049 (Equation 1: the ratio
    ||f(x) - f(x')|| / ||x - x'|| maximised over a ball around x).
    Alvarez-Melis, D., Jaakkola, T. S. (2018). Towards Robust Interpretability with
    Self-Explaining Neural Networks. NeurIPS 2018. arXiv:1806.07538 (Section 5, Equation 5).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

CRITERION = "stability"
HIGHER_IS_BETTER = False


def local_lipschitz(
    explain: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    *,
    radius: float,
    n_samples: int = 50,
    generator: torch.Generator | None = None,
    batch_size: int = 64,
) -> float:
    """max over sampled x' with ||x' - x||_inf <= radius of ||e(x) - e(x')||_2 / ||x - x'||_2.

    ``explain`` maps a batch of inputs to a batch of explanations. The papers maximise with
    Bayesian optimisation (black-box methods) or gradient ascent; uniform sampling in the ball, as
    here, gives a lower bound on that maximum, the same way for every method compared.
    """
    lipschitz, _ = explanation_sensitivity(
        explain, x, radius=radius, n_samples=n_samples, generator=generator, batch_size=batch_size
    )
    return lipschitz


def explanation_sensitivity(
    explain: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    *,
    radius: float,
    n_samples: int = 50,
    generator: torch.Generator | None = None,
    batch_size: int = 64,
) -> tuple[float, float]:
    """(local Lipschitz estimate, largest relative change) of an explanation around x, from one set of draws.

    Draws x' uniformly in the L-infinity ball of the given radius; the first number is
    :func:`local_lipschitz`, the second, from the same draws, is the
    scale-free ``max ||e(x') - e(x)||_2 / ||e(x)||_2`` over the same x' (infinite if e(x) = 0 and
    some e(x') differs; 0 if nothing changes).
    """
    x = x.unsqueeze(0) if x.dim() == 1 else x[:1]
    base = explain(x).reshape(1, -1)
    base_norm = float(base.norm())
    best_lip = 0.0
    best_change = 0.0
    done = 0
    while done < n_samples:
        n = min(batch_size, n_samples - done)
        noise = (torch.rand((n, *x.shape[1:]), generator=generator) * 2 - 1) * radius
        xs = x + noise.to(x.device)
        e = explain(xs).reshape(n, -1)
        diff = (e - base).norm(dim=1)
        ratio = diff / noise.reshape(n, -1).norm(dim=1).to(x.device).clamp_min(1e-12)
        best_lip = max(best_lip, float(ratio.max()))
        worst = float(diff.max())
        if base_norm > 0:
            best_change = max(best_change, worst / base_norm)
        elif worst > 0:
            best_change = float("inf")
        done += n
    return best_lip, best_change
