"""The "right for the right reasons" input-gradient penalty, for training with annotation masks.

References:
    Ross, A. S., Hughes, M. C., Doshi-Velez, F. (2017). Right for the Right Reasons: Training
    Differentiable Models by Constraining their Explanations. IJCAI 2017, pp. 2662-2670.
    arXiv:1703.03717, doi:10.24963/ijcai.2017/371 (Section 2.1: the loss; Appendix A: choosing the
    penalty weight so that the two terms have comparable magnitude).

The explanation of a prediction is the input gradient of the summed log class probabilities,
``d/dx sum_k log p(k | x)``. An annotation mask ``A`` (same shape as ``x``, 1 where the input
should *not* matter) selects the part of that gradient to penalise:

    loss = cross-entropy  +  lambda1 * mean_n sum_d (A_nd * d/dx_nd sum_k log p(k | x_n))^2
                          (+ lambda2 * ||theta||^2, e.g. as weight decay)

The penalty is differentiated with respect to the parameters, so the input gradient is taken with
``create_graph=True`` (double backpropagation). Attributions that are shown or measured in
notebooks should come from Captum; this module only provides what training needs.
"""

from __future__ import annotations

import torch
from torch import nn

from ..repro.training import ExtraLoss


def log_prob_input_gradients(model: nn.Module, x: torch.Tensor, *, create_graph: bool = False) -> torch.Tensor:
    """``d/dx sum_k log p(k | x)`` per example, the explanation that the penalty constrains.

    With ``create_graph=True`` the result can itself be differentiated with respect to the model's
    parameters (needed for training); otherwise it is detached.
    """
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        log_probs = torch.log_softmax(model(x), dim=1)
        (grad,) = torch.autograd.grad(log_probs.sum(), x, create_graph=create_graph)
    return grad if create_graph else grad.detach()


def right_reasons_penalty(
    model: nn.Module, x: torch.Tensor, mask: torch.Tensor, *, create_graph: bool = True
) -> torch.Tensor:
    """Mean over the batch of the squared input gradient inside the annotation mask (unweighted)."""
    if mask.shape != x.shape:
        raise ValueError(f"the mask has shape {tuple(mask.shape)}, the input {tuple(x.shape)}")
    grad = log_prob_input_gradients(model, x, create_graph=create_graph)
    return (mask * grad).pow(2).reshape(len(x), -1).sum(1).mean()


def rrr_extra_loss(weight: float) -> ExtraLoss:
    """``weight * right_reasons_penalty``, in the form ``interpcat.repro.training.fit`` takes.

    Batches without a mask (or a weight of zero) add nothing.
    """

    def extra(model: nn.Module, x: torch.Tensor, y: torch.Tensor, logits: torch.Tensor, mask: torch.Tensor | None):
        if mask is None or weight == 0:
            return logits.new_zeros(())
        return weight * right_reasons_penalty(model, x, mask)

    return extra


def unit_pixel_weight(lambda1: float, pixel_max: float = 255.0) -> float:
    """The penalty weight on inputs scaled to [0, 1] that gives the same objective as ``lambda1``
    on raw pixels in ``[0, pixel_max]`` (the authors' code feeds MNIST's 0-255 values).

    A network on raw pixels ``x * pixel_max`` is the same function as one on ``x`` whose first
    layer is multiplied by ``pixel_max``; the input gradient with respect to the raw pixels is the
    gradient with respect to ``x`` divided by ``pixel_max``, so the squared penalty shrinks by
    ``pixel_max ** 2``. Dividing both loss terms by the batch size (a batch mean instead of the
    code's sums) leaves their ratio, and so the weight, unchanged.
    """
    return lambda1 / pixel_max**2


def masked_share(attribution: torch.Tensor, mask: torch.Tensor, *, power: float = 1.0) -> torch.Tensor:
    """Per example, the share of ``sum |attribution|^power`` that falls inside the mask (0 to 1).

    ``power=1`` gives the share of absolute attribution mass, ``power=2`` the share of squared
    gradient energy (the quantity the penalty acts on). Examples with an all-zero attribution get 0.
    """
    if mask.shape != attribution.shape:
        raise ValueError("attribution and mask must share one shape")
    a = attribution.detach().abs().pow(power).reshape(len(attribution), -1)
    m = mask.reshape(len(mask), -1).to(a.dtype)
    total = a.sum(1)
    return (a * m).sum(1) / total.clamp_min(torch.finfo(a.dtype).tiny)
