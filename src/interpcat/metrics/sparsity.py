"""Sparsity of an attribution map: the Gini index of its magnitudes.

References:
    Hurley, N., Rickard, S. (2009). Comparing Measures of Sparsity. IEEE Transactions on
    Information Theory 55(10), 4723-4741 (the Gini index meets their sparsity criteria).
    Chalasani, P., Chen, J., Chowdhury, A. R., Wu, X., Jha, S. (2020). Concise Explanations of
    Neural Networks using Adversarial Training. ICML 2020. arXiv:1810.06583 (the Gini index as the
    sparseness of attributions).
"""

from __future__ import annotations

import torch

CRITERION = "sparsity"
HIGHER_IS_BETTER = True


def gini(attribution: torch.Tensor) -> torch.Tensor:
    """Per example, the Gini index of ``|attribution|`` (0: spread evenly; near 1: on one feature).

    All-zero attributions get 0.
    """
    a = attribution.detach().abs().reshape(len(attribution), -1).double()
    n = a.shape[1]
    a_sorted = torch.sort(a, dim=1).values
    ranks = torch.arange(1, n + 1, dtype=a.dtype, device=a.device)
    total = a_sorted.sum(1)
    g = ((2 * ranks - n - 1) * a_sorted).sum(1) / (n * total.clamp_min(torch.finfo(a.dtype).tiny))
    return torch.where(total > 0, g, torch.zeros_like(g)).float()
