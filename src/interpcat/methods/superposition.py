"""Toy models of superposition: a batched trainer and the paper's geometric measures.

The toy model compresses ``n`` sparse features into ``m < n`` hidden dimensions with one matrix
``W`` (``m x n``; here stored feature-major as ``n x m``, so row ``i`` is the feature's direction
``W_i``) and reconstructs them with its transpose, ``x' = ReLU(W^T W x + b)`` (the *ReLU output*
model) or ``x' = W^T W x + b`` (the *linear* model). A feature is zero with probability ``S`` (the
sparsity) and otherwise uniform on [0, 1]; the loss is the importance-weighted squared error. Many
models (instances) with different sparsities, importances or seeds train at once as one batch, as
in the authors' notebook.

Measures, all from the paper:

* :func:`feature_norms`: ``||W_i||``, about 1 for a represented feature and 0 for an ignored one;
* :func:`superposition`: ``sum_{j != i} (W_i_hat . W_j)^2``, how much other features project onto
  feature ``i``'s direction (0 for a feature with a dimension of its own);
* :func:`feature_dimensionality`: ``D_i = ||W_i||^2 / sum_j (W_i_hat . W_j)^2``, the fraction of a
  dimension feature ``i`` occupies (1 dedicated, 1/2 antipodal pair, 2/5 pentagon, ...);
* :func:`dimensions_per_feature`: ``m / ||W||_F^2``.

For the two-feature, one-dimension model of the phase-change section,
:func:`two_feature_expected_loss` computes the exact expected loss by quadrature and
:func:`two_feature_reference` finds the best of the three candidate solutions (the extra feature
not represented, given the dimension, or sharing it as an antipodal pair), the analytic reference
the trained models are compared with.

References:
    Elhage, Hume, Olsson, Schiefer, Henighan, Kravec, Hatfield-Dodds, Lasenby, Drain, Chen, Grosse,
    McCandlish, Kaplan, Amodei, Wattenberg & Olah (2022). Toy Models of Superposition.
    Transformer Circuits Thread; arXiv:2209.10652. Official notebook:
    https://github.com/anthropics/toy-models-of-superposition
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

__all__ = [
    "ToyModels",
    "TwoFeatureReference",
    "dimensions_per_feature",
    "feature_dimensionality",
    "feature_norms",
    "reconstruction_loss",
    "sample_features",
    "superposition",
    "train_toy_models",
    "two_feature_class",
    "two_feature_expected_loss",
    "two_feature_reference",
    "zero_predictor_loss",
]

PHASES = ("not represented", "dedicated", "superposition", "neither")


def sample_features(batch: int, density: torch.Tensor, rng: np.random.Generator | torch.Generator) -> torch.Tensor:
    """Sparse features ``[instances, batch, n]``: 0 with probability ``1 - density``, else U[0, 1].

    ``density`` (``1 - S``) is ``[instances, n]``. One uniform draw per entry serves both the gate
    and the value: given ``u < p``, ``u / p`` is uniform on [0, 1]. With a NumPy generator the
    draws are made by NumPy (several times faster than torch's on a CPU); with a torch generator,
    on the generator's (and ``density``'s) device.
    """
    density = torch.as_tensor(density, dtype=torch.float32)
    if density.ndim != 2:
        raise ValueError("density must be [instances, n]")
    if bool((density <= 0).any()) or bool((density > 1).any()):
        raise ValueError("densities must lie in (0, 1]")
    shape = (density.shape[0], batch, density.shape[1])
    if isinstance(rng, torch.Generator):
        x = torch.rand(shape, generator=rng, device=density.device)
    else:
        x = torch.from_numpy(rng.random(shape, dtype=np.float32)).to(density.device)
    x.div_(density[:, None, :])
    return x.masked_fill_(x > 1, 0.0)


class ToyModels(nn.Module):
    """``instances`` independent toy models ``x' = f(W^T W x + b)``, trained as one batch.

    ``W`` is ``[instances, n, m]`` (row ``i`` of an instance is feature ``i``'s direction), ``b`` is
    ``[instances, n]``; inputs and outputs are ``[instances, batch, n]``.
    """

    def __init__(
        self, instances: int, n: int, m: int, relu: bool = True, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        if m < 1 or n < 1 or instances < 1:
            raise ValueError("instances, n and m must be positive")
        # Xavier-normal per instance, as the authors' notebook (fan_in + fan_out = n + m)
        std = (2.0 / (n + m)) ** 0.5
        self.W = nn.Parameter(torch.randn(instances, n, m, generator=generator) * std)
        self.b = nn.Parameter(torch.zeros(instances, n))
        self.relu = relu

    @classmethod
    def seeded(cls, seeds: list[int], per_seed: int, n: int, m: int, relu: bool = True) -> ToyModels:
        """``per_seed`` instances for each seed, seed-major; each seed's block initialised from its own seed."""
        model = cls(len(seeds) * per_seed, n, m, relu)
        std = (2.0 / (n + m)) ** 0.5
        with torch.no_grad():
            for k, seed in enumerate(seeds):
                gen = torch.Generator().manual_seed(int(seed))
                model.W[k * per_seed : (k + 1) * per_seed] = torch.randn(per_seed, n, m, generator=gen) * std
        return model

    @property
    def instances(self) -> int:
        return self.W.shape[0]

    @property
    def n(self) -> int:
        return self.W.shape[1]

    @property
    def m(self) -> int:
        return self.W.shape[2]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = torch.bmm(x, self.W)
        out = torch.baddbmm(self.b[:, None, :], hidden, self.W.transpose(1, 2))
        return torch.relu(out) if self.relu else out


def reconstruction_loss(x: torch.Tensor, out: torch.Tensor, importance: torch.Tensor) -> torch.Tensor:
    """Importance-weighted squared error per instance: mean over the batch and the features.

    ``importance`` broadcasts to ``[instances, 1, n]`` (give ``[n]`` or ``[instances, 1, n]``).
    """
    return (importance * (x - out) ** 2).mean(dim=(1, 2))


def zero_predictor_loss(density: torch.Tensor, importance: torch.Tensor) -> torch.Tensor:
    """Expected loss of ``x' = 0`` per instance (``E[x_i^2] = p_i / 3``), as :func:`reconstruction_loss`.

    ``density`` is ``[instances, n]``, ``importance`` broadcasts to it.
    """
    p = torch.as_tensor(density, dtype=torch.float32)
    return (torch.as_tensor(importance, dtype=torch.float32) * p / 3).mean(dim=-1)


def _loss_and_grads(model: ToyModels, x: torch.Tensor, importance: torch.Tensor):
    """The summed loss and its gradients, written out (a few passes over the batch instead of autograd's many)."""
    W, b = model.W.detach(), model.b.detach()
    h = torch.bmm(x, W)  # [I, B, m]
    z = torch.baddbmm(b[:, None, :], h, W.transpose(1, 2))  # [I, B, n]
    e = (torch.relu(z) if model.relu else z).sub_(x)  # out - x
    w = importance * e
    loss = (w * e).mean(dim=(1, 2))
    g = w.mul_(2.0 / (x.shape[1] * x.shape[2]))  # dL/d out
    if model.relu:
        g.masked_fill_(z <= 0, 0.0)  # dL/dz
    grad_b = g.sum(1)
    grad_W = torch.bmm(x.transpose(1, 2), torch.bmm(g, W)).add_(torch.bmm(g.transpose(1, 2), h))
    return loss, grad_W, grad_b


def train_toy_models(
    model: ToyModels,
    density: torch.Tensor,
    importance: torch.Tensor,
    steps: int,
    batch_size: int = 1024,
    lr: float = 1e-3,
    rng: np.random.Generator | torch.Generator | None = None,
    eval_batch: int = 8192,
) -> torch.Tensor:
    """Train every instance with AdamW (constant rate, as the authors' notebook); return each one's loss.

    ``density`` is ``[instances, n]`` and ``importance`` broadcasts to ``[instances, 1, n]``. The sum
    of the instances' losses is minimised, so each instance follows its own gradient (computed in
    closed form; a unit test checks it against autograd). The returned loss is measured on a fresh
    batch of ``eval_batch`` samples.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    device = model.W.device
    density = torch.as_tensor(density, dtype=torch.float32).to(device).expand(model.instances, model.n)
    importance = torch.as_tensor(importance, dtype=torch.float32).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    for _ in range(steps):
        x = sample_features(batch_size, density, rng)
        _, grad_W, grad_b = _loss_and_grads(model, x, importance)
        model.W.grad, model.b.grad = grad_W, grad_b
        opt.step()
    with torch.no_grad():
        x = sample_features(eval_batch, density, rng)
        return reconstruction_loss(x, model(x), importance)


def _rows(W: torch.Tensor) -> torch.Tensor:
    W = torch.as_tensor(W, dtype=torch.float32).detach()
    return W if W.ndim == 3 else W[None]


def feature_norms(W: torch.Tensor) -> torch.Tensor:
    """``||W_i||`` for every feature: ``[..., n]`` from ``W`` of shape ``[(instances,) n, m]``."""
    return torch.linalg.vector_norm(torch.as_tensor(W).detach(), dim=-1)


def _projections(W: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    W = _rows(W)
    norms = torch.linalg.vector_norm(W, dim=-1)
    unit = W / norms.clamp_min(eps)[..., None]
    return torch.einsum("kim,kjm->kij", unit, W) ** 2, norms  # (W_i_hat . W_j)^2


def superposition(W: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """``sum_{j != i} (W_i_hat . W_j)^2`` per feature (the paper's colour for 'in superposition')."""
    squared, _ = _projections(W, eps)
    out = squared.sum(-1) - torch.diagonal(squared, dim1=-2, dim2=-1)
    return out if torch.as_tensor(W).ndim == 3 else out[0]


def feature_dimensionality(W: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """``D_i = ||W_i||^2 / sum_j (W_i_hat . W_j)^2`` per feature (0 for a feature with ``W_i = 0``)."""
    squared, norms = _projections(W, eps)
    out = norms**2 / squared.sum(-1).clamp_min(eps**2)
    out = torch.where(norms > eps, out, torch.zeros(()))
    return out if torch.as_tensor(W).ndim == 3 else out[0]


def dimensions_per_feature(W: torch.Tensor) -> torch.Tensor:
    """``m / ||W||_F^2`` per instance (1 when ``m`` features hold one dimension each)."""
    W = _rows(W)
    out = W.shape[-1] / (W**2).sum(dim=(-2, -1))
    return out if torch.as_tensor(W).ndim == 3 else out[0]


def two_feature_class(norm_main: float, norm_extra: float, threshold: float = 0.5) -> str:
    """Which solution a two-feature, one-dimension model holds, from its two ``||W_i||``.

    'not represented' (only the main feature has a weight), 'dedicated' (the extra feature has the
    dimension and the main one is dropped), 'superposition' (both share it) or 'neither'.
    """
    main, extra = norm_main > threshold, norm_extra > threshold
    if main and extra:
        return "superposition"
    if main:
        return "not represented"
    if extra:
        return "dedicated"
    return "neither"


def _quadrature(points: int) -> torch.Tensor:
    return (torch.arange(points, dtype=torch.float64) + 0.5) / points


def two_feature_expected_loss(
    W: torch.Tensor, b: torch.Tensor, density: torch.Tensor, importance_extra: torch.Tensor, points: int = 200
) -> torch.Tensor:
    """Exact expected loss (midpoint quadrature) of ReLU models with ``n = 2``, ``m = 1``.

    ``W`` and ``b`` are ``[K, 2]`` (the weights of the main and the extra feature, and the biases);
    ``density`` and ``importance_extra`` are ``[K]`` (both features share the density; the main
    feature's importance is 1). The loss is the sum over the two features (not the mean).
    """
    W, b = W.to(torch.float64), b.to(torch.float64)
    p = torch.as_tensor(density, dtype=torch.float64)
    imp = torch.stack([torch.ones_like(p), torch.as_tensor(importance_extra, dtype=torch.float64)], -1)
    G = W[:, :, None] * W[:, None, :]  # [K, out, in]: W^T W

    def err(x: torch.Tensor) -> torch.Tensor:  # x: [K, S, 2] -> weighted squared error [K, S]
        out = torch.relu(torch.einsum("koi,ksi->kso", G, x) + b[:, None, :])
        return ((x - out) ** 2 * imp[:, None, :]).sum(-1)

    q = _quadrature(points)
    zeros = torch.zeros_like(q)
    k = W.shape[0]
    none = err(torch.zeros(k, 1, 2, dtype=torch.float64))[:, 0]
    only_main = err(torch.stack([q, zeros], -1).expand(k, -1, -1)).mean(-1)
    only_extra = err(torch.stack([zeros, q], -1).expand(k, -1, -1)).mean(-1)
    g1, g2 = torch.meshgrid(q, q, indexing="ij")
    both = err(torch.stack([g1.reshape(-1), g2.reshape(-1)], -1).expand(k, -1, -1)).mean(-1)
    return (1 - p) ** 2 * none + p * (1 - p) * (only_main + only_extra) + p**2 * both


@dataclass(frozen=True)
class TwoFeatureReference:
    """The best candidate solution at each point: its class, its loss, and the runner-up's margin."""

    phase: list[str]
    loss: torch.Tensor  # [K]
    margin: torch.Tensor  # [K]: (best loss of another class - best loss) / best loss
    losses: dict[str, torch.Tensor]  # per candidate class, [K]
    W: torch.Tensor  # [K, 2] of the best candidate


def two_feature_reference(
    density: torch.Tensor, importance_extra: torch.Tensor, steps: int = 300, points: int = 64
) -> TwoFeatureReference:
    """Optimise each of the three candidate solutions of the n = 2, m = 1 model on its exact loss.

    The candidates, as in the paper's analysis: the extra feature *not represented* (``W = [a, 0]``),
    given a *dedicated* dimension (``W = [0, c]``), or both in *superposition* as an antipodal pair
    (``W = [a, -c]`` with ``a, c >= 0.5``). Each is refined by Adam on the quadrature loss within its
    family (biases free); the reference class at a point is the family with the lowest loss, and the
    margin is how much worse the runner-up family is, relative to the best.
    """
    p = torch.as_tensor(density, dtype=torch.float64)
    r = torch.as_tensor(importance_extra, dtype=torch.float64)
    k = p.shape[0]
    one = torch.ones(k, dtype=torch.float64)
    zero = torch.zeros(k, dtype=torch.float64)
    # free parameters per family: two weight magnitudes (u, v) and the biases
    families = {
        "not represented": lambda u, v: torch.stack([u, zero], -1),
        "dedicated": lambda u, v: torch.stack([zero, v], -1),
        "superposition": lambda u, v: torch.stack(
            [0.5 + torch.nn.functional.softplus(u), -0.5 - torch.nn.functional.softplus(v)], -1
        ),
    }
    inits = {
        "not represented": (one, zero, torch.stack([zero, p / 2], -1)),
        "dedicated": (zero, one, torch.stack([p / 2, zero], -1)),
        "superposition": (0.54 * one, 0.54 * one, torch.stack([zero, zero], -1)),  # softplus(0.54) = 1.0 - 0.5
    }
    losses: dict[str, torch.Tensor] = {}
    weights: dict[str, torch.Tensor] = {}
    for name, make in families.items():
        u0, v0, b0 = inits[name]
        u, v, b = (t.clone().requires_grad_(True) for t in (u0, v0, b0))
        opt = torch.optim.Adam([u, v, b], lr=0.02)
        for _ in range(steps):
            loss = two_feature_expected_loss(make(u, v), b, p, r, points).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            losses[name] = two_feature_expected_loss(make(u, v), b, p, r, points)
            weights[name] = make(u, v).detach().clone()
    names = list(families)
    stacked = torch.stack([losses[name] for name in names], -1)  # [K, 3]
    order = stacked.argsort(-1)
    best, second = order[:, 0], order[:, 1]
    lo = stacked.gather(-1, best[:, None])[:, 0]
    margin = (stacked.gather(-1, second[:, None])[:, 0] - lo) / lo.clamp_min(1e-12)
    W_best = torch.stack([weights[names[int(best[i])]][i] for i in range(k)])
    return TwoFeatureReference(phase=[names[int(i)] for i in best], loss=lo, margin=margin, losses=losses, W=W_best)
