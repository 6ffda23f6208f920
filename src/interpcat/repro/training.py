"""A small, seeded training loop with a tqdm progress bar, and evaluation helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

from .data import Split
from .environment import under_runner

ExtraLoss = Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Tensor, "torch.Tensor | None"], torch.Tensor]


@dataclass
class History:
    loss: list[float] = field(default_factory=list)
    extra: list[float] = field(default_factory=list)


def fit(
    model: nn.Module,
    data: Split,
    *,
    epochs: int,
    lr: float = 1e-3,
    batch_size: int = 64,
    weight_decay: float = 0.0,
    extra_loss: ExtraLoss | None = None,
    seed: int = 0,
    device: torch.device | str = "cpu",
    desc: str = "training",
) -> History:
    """Train with Adam and cross-entropy, plus ``extra_loss(model, x, y, logits, mask)`` if given.

    Batches are drawn from a generator seeded with ``seed``, so a run repeats exactly on CPU.
    """
    model.to(device).train()
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    gen = torch.Generator().manual_seed(seed)
    X, y = data.X.to(device), data.y.to(device)
    mask = data.mask.to(device) if data.mask is not None else None
    history = History()
    for _ in tqdm(range(epochs), desc=desc, disable=under_runner(), leave=False):
        order = torch.randperm(len(y), generator=gen).to(device)
        total = extra_total = 0.0
        for start in range(0, len(y), batch_size):
            idx = order[start : start + batch_size]
            xb, yb = X[idx], y[idx]
            mb = mask[idx] if mask is not None else None
            logits = model(xb)
            loss = nn.functional.cross_entropy(logits, yb)
            if extra_loss is not None:
                extra = extra_loss(model, xb, yb, logits, mb)
                extra_total += float(extra.detach()) * len(idx)
                loss = loss + extra
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        history.loss.append(total / len(y))
        history.extra.append(extra_total / len(y))
    model.eval()
    return history


@torch.no_grad()
def predict(model: nn.Module, X: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
    """Logits for X, in batches, on the model's device."""
    model.eval()
    device = next(model.parameters()).device
    return torch.cat([model(X[i : i + batch_size].to(device)).cpu() for i in range(0, len(X), batch_size)])


def accuracy(model: nn.Module, data: Split) -> float:
    """Fraction of correct predictions on a split."""
    return float((predict(model, data.X).argmax(1) == data.y.cpu()).float().mean())
