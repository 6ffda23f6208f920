"""How far attributions are from summing to the change in output (the completeness axiom).

References:
    Sundararajan, M., Taly, A., Yan, Q. (2017). Axiomatic Attribution for Deep Networks.
    ICML 2017. arXiv:1703.01365 (Section 3, Proposition 1; Section 4 on the number of steps).
"""

from __future__ import annotations

import torch

CRITERION = "completeness"
HIGHER_IS_BETTER = False


def completeness_gap(
    attributions: torch.Tensor, output: torch.Tensor, baseline_output: torch.Tensor, *, relative: bool = True
) -> torch.Tensor:
    """Per example, ``|sum(attributions) - (F(x) - F(baseline))|``, divided by ``|F(x) - F(baseline)|`` if relative.

    ``attributions`` has a leading batch dimension; ``output`` and ``baseline_output`` are the
    target scores of shape (batch,).
    """
    total = attributions.reshape(len(attributions), -1).sum(1)
    delta = output - baseline_output
    gap = (total - delta).abs()
    return gap / delta.abs().clamp_min(1e-12) if relative else gap
