"""Saliency guided training: mask the least salient input features and keep the output unchanged.

References:
    Ismail, A. A., Corrada Bravo, H., Feizi, S. (2021). Improving Deep Learning Interpretability by
    Saliency Guided Training. NeurIPS 2021. arXiv:2111.14338 (Algorithm 1); official code
    github.com/ayaabdelsalam91/saliency_guided_training (read to understand the setup only).

At every training step, for each example ``x`` with label ``y``:

1. take the input gradient ``g = d/dx log p(y | x)`` (the gradient saliency of the label);
2. pick the ``k`` features with the lowest saliency (the lowest signed gradient, as in the paper's
   sort and the official MNIST runs; ``absolute=True`` ranks by ``|g|`` instead);
3. build ``x~`` by replacing those ``k`` features with values drawn uniformly between the smallest
   and the largest value of ``x`` (the paper's random masking);
4. add ``lambda * KL(p(. | x) || p(. | x~))`` to the cross-entropy.

The masked input is a constant (no gradient flows through the choice of features or the random
values); the KL term is differentiated through both model outputs, as in the official code.
Attributions that notebooks *show or measure* come from Captum; the in-training saliency here is a
plain autograd gradient because it is recomputed at every step inside the training loop.

Also: ``gini`` (Gini index of absolute attributions, a concentration measure used for sparsity;
Chalasani et al. 2020, "Concise Explanations of Neural Networks using Adversarial Training", ICML).
"""

from __future__ import annotations

import torch
from torch import nn

from ..repro.training import ExtraLoss


def label_saliency(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, absolute: bool = False) -> torch.Tensor:
    """``d/dx log p(y | x)`` per example (detached), or its absolute value; the model's mode is kept."""
    was_training = model.training
    model.eval()
    try:
        xg = x.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            log_probs = torch.log_softmax(model(xg), dim=1)
            chosen = log_probs.gather(1, y.reshape(-1, 1)).sum()
            (grad,) = torch.autograd.grad(chosen, xg)
    finally:
        model.train(was_training)
    grad = grad.detach()
    return grad.abs() if absolute else grad


def n_masked(n_features: int, fraction: float) -> int:
    """How many of ``n_features`` a masking ``fraction`` (0 to 1) removes (rounded down, as in the paper's code)."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"the masked fraction must lie in [0, 1], got {fraction}")
    return int(fraction * n_features)


def lowest_saliency_mask(saliency: torch.Tensor, k: int) -> torch.Tensor:
    """Boolean mask (the shape of ``saliency``) marking, per example, the ``k`` lowest-saliency features.

    Ties are broken by position (stable sort), so the mask is deterministic.
    """
    flat = saliency.reshape(len(saliency), -1)
    if not 0 <= k <= flat.shape[1]:
        raise ValueError(f"k={k} outside 0..{flat.shape[1]}")
    order = torch.sort(flat, dim=1, stable=True).indices[:, :k]
    mask = torch.zeros_like(flat, dtype=torch.bool)
    mask.scatter_(1, order, True)
    return mask.reshape(saliency.shape)


def uniform_like_range(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Random values of ``x``'s shape, uniform between each example's smallest and largest value."""
    flat = x.detach().reshape(len(x), -1)
    lo = flat.min(1, keepdim=True).values
    hi = flat.max(1, keepdim=True).values
    u = torch.rand(flat.shape, generator=generator, dtype=flat.dtype).to(x.device)
    return (lo + u * (hi - lo)).reshape(x.shape)


def random_fill(x: torch.Tensor, mask: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """``x`` with the masked features replaced by uniform values within each example's range."""
    if mask.shape != x.shape:
        raise ValueError("mask and input must share one shape")
    return torch.where(mask, uniform_like_range(x, generator), x.detach())


def mask_low_saliency(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    k: int,
    *,
    absolute: bool = False,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The masked input ``x~`` (detached) and the boolean mask of the ``k`` features replaced per example."""
    saliency = label_saliency(model, x, y, absolute=absolute)
    mask = lowest_saliency_mask(saliency, k)
    return random_fill(x, mask, generator), mask


def output_kl(logits: torch.Tensor, masked_logits: torch.Tensor) -> torch.Tensor:
    """Batch mean of ``KL(softmax(logits) || softmax(masked_logits))``."""
    log_p = torch.log_softmax(logits, dim=1)
    log_q = torch.log_softmax(masked_logits, dim=1)
    return (log_p.exp() * (log_p - log_q)).sum(1).mean()


def saliency_guided_loss(
    fraction: float = 0.5, weight: float = 1.0, *, absolute: bool = False, seed: int = 0
) -> ExtraLoss:
    """``weight * KL(p(.|x) || p(.|x~))`` in the form ``interpcat.repro.training.fit`` takes.

    ``fraction`` of each example's features (the paper's ``k``) are masked; the random fill values
    come from a generator seeded with ``seed``, so a run repeats.
    """
    generator = torch.Generator().manual_seed(seed)

    def extra(model: nn.Module, x: torch.Tensor, y: torch.Tensor, logits: torch.Tensor, mask: torch.Tensor | None):
        k = n_masked(x[0].numel(), fraction)
        if weight == 0 or k == 0:
            return logits.new_zeros(())
        masked, _ = mask_low_saliency(model, x, y, k, absolute=absolute, generator=generator)
        return weight * output_kl(logits, model(masked))

    return extra
