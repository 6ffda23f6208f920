"""Attribution penalties for "negative XIL": training a model *against* an attribution method.

References:
    Pope, Q. (2022). QAPR 3: interpretability-guided training of neural nets (Quintin's Alignment
    Papers Roundup, week 3). LessWrong. The proposal: annotate every feature a task needs, penalise
    the model for attributing to them through the method under test, raise the penalty until the
    method reports almost nothing there, and read the accuracy the model keeps as information that
    training smuggled past the method.
    Ross, A. S., Hughes, M. C., Doshi-Velez, F. (2017). Right for the Right Reasons. IJCAI 2017
    (the penalty's form: squared attribution inside an annotation mask, trained by double backprop).
    Sundararajan, M., Taly, A., Yan, Q. (2017). Axiomatic Attribution for Deep Networks. ICML 2017
    (Integrated Gradients). Smilkov, D., et al. (2017). SmoothGrad: removing noise by adding noise.
    arXiv:1706.03825. Zeiler, M. D., Fergus, R. (2014). Visualizing and Understanding
    Convolutional Networks. ECCV 2014 (occlusion).

Every method explains one scalar per example, the log-probability of the example's own label,
``log p(y | x)``, and returns an attribution of the shape of ``x``. With ``create_graph=True`` the
attribution can be differentiated with respect to the model's parameters, so that its squared mass
inside an annotation mask ``A`` can be added to the loss:

    penalty = mean_n sum_d (A_nd * attribution_nd)^2

For occlusion the attribution of the annotated region is one number per example, the change of
``log p(y | x)`` when the region is replaced by the baseline; its square is the penalty. This is
how a perturbation method becomes differentiable: the two forward passes are differentiated, not
the choice of region. Measurements in notebooks use Captum; the unit tests check that these
training-time versions agree with Captum's where Captum has the method.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ..repro.training import ExtraLoss

METHODS = ("gradient", "gradient-x-input", "integrated-gradients", "smoothgrad", "occlusion")


def label_log_prob(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``log p(y_n | x_n)`` per example, shape (N,)."""
    return torch.log_softmax(model(x), dim=1).gather(1, y.view(-1, 1)).squeeze(1)


def input_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, create_graph: bool = False) -> torch.Tensor:
    """``d log p(y | x) / dx`` per example."""
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        (grad,) = torch.autograd.grad(label_log_prob(model, x, y).sum(), x, create_graph=create_graph)
    return grad if create_graph else grad.detach()


def gradient_x_input(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, create_graph: bool = False) -> torch.Tensor:
    """The input times its gradient (Captum's ``InputXGradient``)."""
    return x.detach() * input_gradient(model, x, y, create_graph=create_graph)


def integrated_gradients(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    baseline: float | torch.Tensor = 0.0,
    n_steps: int = 8,
    create_graph: bool = False,
) -> torch.Tensor:
    """Integrated Gradients from ``baseline`` to ``x`` with the midpoint rule on ``n_steps`` points
    (Captum's ``method="riemann_middle"``)."""
    if n_steps < 2:
        raise ValueError("n_steps must be at least 2")
    x = x.detach()
    base = torch.as_tensor(baseline, dtype=x.dtype, device=x.device).expand_as(x)
    alphas = torch.linspace(1 / (2 * n_steps), 1 - 1 / (2 * n_steps), n_steps, dtype=x.dtype, device=x.device)
    path = torch.cat([base + a * (x - base) for a in alphas])
    grads = input_gradient(model, path, y.repeat(n_steps), create_graph=create_graph)
    mean_grad = grads.reshape(n_steps, *x.shape).mean(0)
    return (x - base) * mean_grad


def smoothgrad(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    sigma: float,
    n_samples: int = 8,
    power: float = 1.0,
    generator: torch.Generator | None = None,
    create_graph: bool = False,
) -> torch.Tensor:
    """Mean over ``n_samples`` Gaussian perturbations ``x + eps`` (``eps ~ N(0, sigma^2)``) of
    ``|d log p(y | x + eps) / dx| ** power``.

    ``power=1`` is Captum's ``NoiseTunnel(Saliency)`` with ``nt_type="smoothgrad"`` (absolute
    gradients averaged). The penalty uses ``power=2`` (the mean squared gradient, which bounds the
    square of the power-1 map from above), so that driving it down drives Captum's map down.
    """
    x = x.detach()
    noise = torch.randn((n_samples, *x.shape), generator=generator, dtype=x.dtype).to(x.device) * sigma
    noisy = (x.unsqueeze(0) + noise).reshape(n_samples * len(x), *x.shape[1:])
    grads = input_gradient(model, noisy, y.repeat(n_samples), create_graph=create_graph)
    return grads.abs().pow(power).reshape(n_samples, *x.shape).mean(0)


def region_occlusion(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    mask: torch.Tensor,
    *,
    baseline: float = 0.0,
    create_graph: bool = False,
) -> torch.Tensor:
    """``log p(y | x) - log p(y | x with the masked region set to baseline)``, shape (N,).

    This is what Captum's ``Occlusion`` (or ``FeatureAblation``) gives every feature of a window
    (or group) that is exactly the masked region.
    """
    if mask.shape != x.shape:
        raise ValueError(f"the mask has shape {tuple(mask.shape)}, the input {tuple(x.shape)}")
    x = x.detach()
    occluded = x * (1 - mask) + baseline * mask
    with torch.set_grad_enabled(create_graph or torch.is_grad_enabled()):
        delta = label_log_prob(model, x, y) - label_log_prob(model, occluded, y)
    return delta if create_graph else delta.detach()


def attribution(method: str, model: nn.Module, x: torch.Tensor, y: torch.Tensor, **kw) -> torch.Tensor:
    """The attribution of ``method`` (one of :data:`METHODS` except occlusion), shape of ``x``."""
    fns: dict[str, Callable[..., torch.Tensor]] = {
        "gradient": input_gradient,
        "gradient-x-input": gradient_x_input,
        "integrated-gradients": integrated_gradients,
        "smoothgrad": smoothgrad,
    }
    if method not in fns:
        raise ValueError(f"unknown method {method!r}; occlusion needs region_occlusion and a mask")
    return fns[method](model, x, y, **kw)


def negative_xil_penalty(
    method: str,
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    mask: torch.Tensor,
    **kw,
) -> torch.Tensor:
    """Mean over the batch of the squared attribution of ``method`` inside ``mask`` (unweighted),
    differentiable with respect to the model's parameters (double backprop)."""
    if mask.shape != x.shape:
        raise ValueError(f"the mask has shape {tuple(mask.shape)}, the input {tuple(x.shape)}")
    if method == "occlusion":
        return region_occlusion(model, x, y, mask, create_graph=True, **kw).pow(2).mean()
    if method == "smoothgrad":
        kw = {"power": 2.0, **kw}
        return (mask * attribution(method, model, x, y, create_graph=True, **kw)).reshape(len(x), -1).sum(1).mean()
    a = attribution(method, model, x, y, create_graph=True, **kw)
    return (mask * a).pow(2).reshape(len(x), -1).sum(1).mean()


def negative_xil_loss(method: str, weight: float, **kw) -> ExtraLoss:
    """``weight * negative_xil_penalty(method, ...)`` in the form ``interpcat.repro.training.fit``
    takes (batches without a mask, or a weight of zero, add nothing)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")

    def extra(model: nn.Module, x: torch.Tensor, y: torch.Tensor, logits: torch.Tensor, mask: torch.Tensor | None):
        if mask is None or weight == 0:
            return logits.new_zeros(())
        return weight * negative_xil_penalty(method, model, x, y, mask, **kw)

    return extra
