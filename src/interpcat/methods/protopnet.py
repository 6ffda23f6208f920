"""Prototypical part networks (ProtoPNet): the prototype layer, its losses and the projection step.

A ProtoPNet puts a prototype layer on a convolutional feature map ``z = f(x)`` of shape
(D, H, W). Each of its ``m`` prototypes ``p_j`` is a (D, 1, 1) patch that belongs to one class.
For every prototype the layer takes the smallest squared L2 distance between ``p_j`` and the
H x W patches of ``z``, turns it into a similarity ``log((d + 1) / (d + eps))`` and a last linear
layer ``h`` maps the ``m`` similarities to class logits. ``h`` starts with weight 1 from a
prototype to its own class and -0.5 to every other class.

Training (Section 2.2 of the paper) has three steps:

* gradient descent on everything but ``h`` with
  ``CE + lambda_clst * Clst + lambda_sep * Sep``, where ``Clst`` is the mean over images of the
  smallest distance to a prototype of the image's own class and ``Sep`` the mean smallest
  distance to a prototype of another class (the paper's ``lambda_sep`` is negative: it pushes
  the other classes away);
* projection ("push"): every prototype is replaced by the nearest patch ``z`` of a training image
  of its own class, so that it *is* a part of a training image;
* a convex fit of ``h`` alone, ``CE + lambda_l1 * |h's weights to other classes|_1``.

References:
    Chen, C., Li, O., Tao, C., Barnett, A. J., Su, J., Rudin, C. (2019). This Looks Like That:
    Deep Learning for Interpretable Image Recognition. NeurIPS 2019. arXiv:1806.10574
    (Section 2.1: architecture; Section 2.2: training, cluster and separation costs, projection).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

EPS = 1e-4  # the paper's epsilon in log((d + 1) / (d + eps))


def squared_distances(z: torch.Tensor, prototypes: torch.Tensor) -> torch.Tensor:
    """Squared L2 distances (N, m, H, W) between every patch of ``z`` (N, D, H, W) and each prototype (m, D)."""
    z2 = (z**2).sum(1, keepdim=True)  # (N, 1, H, W)
    p2 = (prototypes**2).sum(1).view(1, -1, 1, 1)  # (1, m, 1, 1)
    zp = torch.einsum("ndhw,md->nmhw", z, prototypes)
    return torch.relu(z2 - 2 * zp + p2)


def log_similarity(d: torch.Tensor, eps: float = EPS) -> torch.Tensor:
    """The paper's similarity: ``log((d + 1) / (d + eps))``, large when the distance is small."""
    return torch.log((d + 1) / (d + eps))


def class_connection_init(prototype_classes: torch.Tensor, n_classes: int, wrong: float = -0.5) -> torch.Tensor:
    """Last-layer weights (n_classes, m): 1 from a prototype to its own class, ``wrong`` to the rest."""
    identity = nn.functional.one_hot(prototype_classes, n_classes).T.float()  # (n_classes, m)
    return identity + wrong * (1 - identity)


@dataclass
class ProtoOutput:
    logits: torch.Tensor
    min_distances: torch.Tensor  # (N, m)
    distances: torch.Tensor  # (N, m, H, W)


class ProtoPNet(nn.Module):
    """``features`` (a CNN ending in a (D, H, W) map), then prototypes and the last layer."""

    def __init__(self, features: nn.Module, n_classes: int, per_class: int, dim: int, seed: int = 0):
        super().__init__()
        self.features = features
        self.n_classes = n_classes
        gen = torch.Generator().manual_seed(seed)
        self.prototypes = nn.Parameter(torch.rand(n_classes * per_class, dim, generator=gen))  # as the paper: U[0, 1]
        self.register_buffer("prototype_classes", torch.arange(n_classes).repeat_interleave(per_class))
        self.last = nn.Linear(n_classes * per_class, n_classes, bias=False)
        with torch.no_grad():
            self.last.weight.copy_(class_connection_init(self.prototype_classes, n_classes))

    def distances(self, x: torch.Tensor) -> torch.Tensor:
        return squared_distances(self.features(x), self.prototypes)

    def run(self, x: torch.Tensor) -> ProtoOutput:
        d = self.distances(x)
        min_d = d.flatten(2).min(2).values
        return ProtoOutput(self.last(log_similarity(min_d)), min_d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.run(x).logits

    def own_class(self, y: torch.Tensor) -> torch.Tensor:
        """(N, m) 0/1: prototype j belongs to the class of example i."""
        return (self.prototype_classes.view(1, -1) == y.view(-1, 1)).float()


def cluster_cost(min_distances: torch.Tensor, own: torch.Tensor) -> torch.Tensor:
    """Mean over examples of the smallest distance to a prototype of the example's own class."""
    big = min_distances.detach().max() + 1.0
    return (min_distances + big * (1 - own)).min(1).values.mean()


def separation_cost(min_distances: torch.Tensor, own: torch.Tensor) -> torch.Tensor:
    """Mean over examples of the smallest distance to a prototype of another class."""
    big = min_distances.detach().max() + 1.0
    return (min_distances + big * own).min(1).values.mean()


def protopnet_loss(
    model: ProtoPNet, x: torch.Tensor, y: torch.Tensor, lambda_clst: float = 0.8, lambda_sep: float = -0.08
) -> torch.Tensor:
    """``CE + lambda_clst * Clst + lambda_sep * Sep`` (the paper's weights by default)."""
    out = model.run(x)
    own = model.own_class(y)
    ce = nn.functional.cross_entropy(out.logits, y)
    return (
        ce + lambda_clst * cluster_cost(out.min_distances, own) + lambda_sep * separation_cost(out.min_distances, own)
    )


def last_layer_l1(model: ProtoPNet) -> torch.Tensor:
    """L1 norm of the last layer's weights from prototypes to classes other than their own."""
    wrong = 1 - nn.functional.one_hot(model.prototype_classes, model.n_classes).T.float()
    return (model.last.weight * wrong).abs().sum()


@dataclass
class Projection:
    """Where each prototype was projected: the training image, the patch's row and column, the distance moved."""

    image: np.ndarray
    row: np.ndarray
    col: np.ndarray
    moved: np.ndarray


@torch.no_grad()
def project_prototypes(model: ProtoPNet, X: torch.Tensor, y: torch.Tensor, batch_size: int = 512) -> Projection:
    """The push step: replace each prototype by its nearest feature-map patch among training images of its class."""
    model.eval()
    m = len(model.prototype_classes)
    best = torch.full((m,), float("inf"))
    where = torch.zeros(m, 3, dtype=torch.long)
    best_patch = model.prototypes.detach().clone()
    for start in range(0, len(y), batch_size):
        xb, yb = X[start : start + batch_size], y[start : start + batch_size]
        z = model.features(xb)  # (n, D, H, W)
        d = squared_distances(z, model.prototypes)  # (n, m, H, W)
        d = d + (1 - model.own_class(yb))[:, :, None, None] * 1e30  # only images of the prototype's class
        H, W = d.shape[2:]
        flat = d.permute(1, 0, 2, 3).reshape(m, -1)  # (m, n*H*W)
        val, arg = flat.min(1)
        better = val < best
        for j in torch.nonzero(better).flatten().tolist():
            i, rc = divmod(int(arg[j]), H * W)
            r, c = divmod(rc, W)
            best[j] = val[j]
            where[j] = torch.tensor([start + i, r, c])
            best_patch[j] = z[i, :, r, c]
    moved = ((best_patch - model.prototypes.detach()) ** 2).sum(1).sqrt()
    model.prototypes.copy_(best_patch)
    return Projection(where[:, 0].numpy(), where[:, 1].numpy(), where[:, 2].numpy(), moved.numpy())


def train_protopnet(
    model: ProtoPNet,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    lr: float = 1e-3,
    prototype_lr: float | None = None,
    batch_size: int = 64,
    lambda_clst: float = 0.8,
    lambda_sep: float = -0.08,
    seed: int = 0,
) -> None:
    """The gradient-descent step: features and prototypes with the cluster and separation costs, ``h`` fixed."""
    params = [{"params": model.features.parameters(), "lr": lr}]
    params.append({"params": [model.prototypes], "lr": prototype_lr or lr})
    opt = torch.optim.Adam(params)
    gen = torch.Generator().manual_seed(seed)
    model.last.weight.requires_grad_(False)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=gen)
        for start in range(0, len(y), batch_size):
            idx = order[start : start + batch_size]
            loss = protopnet_loss(model, X[idx], y[idx], lambda_clst, lambda_sep)
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.last.weight.requires_grad_(True)
    model.eval()


def train_last_layer(
    model: ProtoPNet,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    lr: float = 1e-3,
    batch_size: int = 64,
    lambda_l1: float = 1e-4,
    seed: int = 0,
) -> None:
    """The convex step: ``h`` alone on the (fixed) similarities, ``CE + lambda_l1 * L1(wrong-class weights)``."""
    model.eval()
    with torch.no_grad():
        sims = torch.cat([log_similarity(model.run(X[i : i + 512]).min_distances) for i in range(0, len(y), 512)])
    opt = torch.optim.Adam(model.last.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=gen)
        for start in range(0, len(y), batch_size):
            idx = order[start : start + batch_size]
            loss = nn.functional.cross_entropy(model.last(sims[idx]), y[idx]) + lambda_l1 * last_layer_l1(model)
            opt.zero_grad()
            loss.backward()
            opt.step()
