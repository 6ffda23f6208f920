"""Precision of the top-k attributed positions against positions known to matter.

References:
    Bastings, J., Ebert, S., Zablotskaia, P., Sandholm, A., Filippova, K. (2022). "Will You Find
    These Shortcuts?" A Protocol for Evaluating the Faithfulness of Input Salience Methods for
    Text Classification. EMNLP 2022. arXiv:2111.07367 (Section 4, precision@k).
"""

from __future__ import annotations

import torch

CRITERION = "shortcut-detection"
HIGHER_IS_BETTER = True


def precision_at_k(attributions: torch.Tensor, relevant: torch.Tensor, k: int | torch.Tensor) -> torch.Tensor:
    """Per example, the fraction of the k highest-scoring positions that are relevant.

    ``attributions`` and ``relevant`` (boolean) have shape (batch, positions). ``k`` is an int or a
    per-example tensor (e.g. the number of relevant positions in each example). Positions are
    ranked by attribution value (use ``.abs()`` first to rank by magnitude); ties are broken by
    position order, which a test pins down.
    """
    if attributions.shape != relevant.shape or attributions.dim() != 2:
        raise ValueError("attributions and relevant must both be (batch, positions)")
    batch, positions = attributions.shape
    ks = torch.as_tensor(k).expand(batch) if torch.as_tensor(k).dim() == 0 else torch.as_tensor(k)
    if (ks < 1).any() or (ks > positions).any():
        raise ValueError("k must be between 1 and the number of positions")
    order = torch.sort(attributions, dim=1, descending=True, stable=True).indices
    hits = torch.gather(relevant.float(), 1, order)
    ranks = torch.arange(positions, device=attributions.device).expand(batch, positions)
    in_top = ranks < ks.to(attributions.device)[:, None]
    return (hits * in_top).sum(1) / ks.to(attributions.device).float()
