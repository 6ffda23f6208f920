"""Concept bottleneck models: independent, sequential and joint training, and test-time intervention.

A concept bottleneck model splits a predictor into ``g: x -> c`` (one logit per annotated binary
concept) and ``f: c -> y`` that sees only the concept predictions (here the sigmoid probabilities
``sigmoid(g(x))``). Koh et al. compare three ways to train it against an end-to-end ("standard")
model:

* **independent**: ``g`` is fitted to the true concepts (binary cross-entropy) and ``f`` to the
  *true* concepts and labels, separately; at test time ``f`` reads ``g``'s predictions;
* **sequential**: ``g`` as above, then ``f`` is fitted to ``g``'s *predicted* concepts;
* **joint**: both at once, minimising ``L_task(f(g(x)), y) + lambda * sum_j L_j(g_j(x), c_j)``.

At test time a person may **intervene**: replace the predicted probabilities of some concepts by
their true values (0 or 1) and let ``f`` predict again. In the paper concepts are corrected in
*groups* (CUB's 112 attributes form 28 groups such as wing colour), in a random order.

References:
    Koh, P. W., Nguyen, T., Tang, Y. S., Mussmann, S., Pierson, E., Kim, B., Liang, P. (2020).
    Concept Bottleneck Models. ICML 2020. arXiv:2007.04612 (Section 3: the three training modes;
    Section 6: test-time intervention).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

MODES = ("independent", "sequential", "joint")


class ConceptBottleneck(nn.Module):
    """``f(sigmoid(g(x)))``, with an optional intervention on the bottleneck."""

    def __init__(self, concept_net: nn.Module, task_net: nn.Module):
        super().__init__()
        self.concept_net = concept_net
        self.task_net = task_net

    def concept_probs(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.concept_net(x))

    def forward(
        self, x: torch.Tensor, true_concepts: torch.Tensor | None = None, intervene: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Task logits. Where ``intervene`` (a 0/1 mask like the concepts) is 1, the true value is used."""
        probs = self.concept_probs(x)
        if intervene is not None:
            if true_concepts is None:
                raise ValueError("an intervention needs the true concepts")
            probs = intervene_on(probs, true_concepts, intervene)
        return self.task_net(probs)


def intervene_on(probs: torch.Tensor, true_concepts: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Predicted concept probabilities with the masked entries replaced by the true concepts."""
    mask = mask.to(probs.dtype)
    return probs * (1 - mask) + true_concepts.to(probs.dtype) * mask


def _batches(n: int, batch_size: int, gen: torch.Generator):
    order = torch.randperm(n, generator=gen)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def _fit(params, step, n: int, *, epochs: int, lr: float, batch_size: int, seed: int, weight_decay: float) -> None:
    opt = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for idx in _batches(n, batch_size, gen):
            loss = step(idx)
            opt.zero_grad()
            loss.backward()
            opt.step()


def concept_loss(concept_logits: torch.Tensor, concepts: torch.Tensor) -> torch.Tensor:
    """Sum over concepts of the batch-mean binary cross-entropy (the paper's ``sum_j L_Cj``)."""
    per = nn.functional.binary_cross_entropy_with_logits(concept_logits, concepts.float(), reduction="none")
    return per.mean(0).sum()


def train_concept_bottleneck(
    model: ConceptBottleneck,
    X: torch.Tensor,
    C: torch.Tensor,
    y: torch.Tensor,
    mode: str,
    *,
    epochs: int,
    task_epochs: int | None = None,
    lam: float = 0.01,
    lr: float = 1e-3,
    task_lr: float | None = None,
    batch_size: int = 64,
    weight_decay: float = 0.0,
    seed: int = 0,
    concept_net_trained: bool = False,
) -> ConceptBottleneck:
    """Train ``model`` in one of the paper's modes: ``independent``, ``sequential`` or ``joint``.

    ``epochs`` is for ``g`` (or for the joint model); ``task_epochs`` (default ``epochs``) for ``f``
    in the two-stage modes. ``task_lr`` (default ``lr``) is ``f``'s learning rate in every mode, so
    that a joint ``f`` learns as fast as a two-stage one. With ``concept_net_trained=True`` the two-stage modes reuse ``g`` as it
    is (independent and sequential models share one ``g``, as in the paper) and fit ``f`` only.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: one of {', '.join(MODES)}")
    C = C.float()
    n = len(y)
    task_epochs = epochs if task_epochs is None else task_epochs
    task_lr = lr if task_lr is None else task_lr
    ce = nn.functional.cross_entropy
    model.train()
    if mode == "joint":

        def joint_step(idx: torch.Tensor) -> torch.Tensor:
            logits = model.concept_net(X[idx])
            return ce(model.task_net(torch.sigmoid(logits)), y[idx]) + lam * concept_loss(logits, C[idx])

        groups = [{"params": model.concept_net.parameters()}, {"params": model.task_net.parameters(), "lr": task_lr}]
        _fit(
            groups,
            joint_step,
            n,
            epochs=epochs,
            lr=lr,
            batch_size=batch_size,
            seed=seed,
            weight_decay=weight_decay,
        )
        model.eval()
        return model
    if not concept_net_trained:

        def concept_step(idx: torch.Tensor) -> torch.Tensor:
            return concept_loss(model.concept_net(X[idx]), C[idx])

        _fit(
            model.concept_net.parameters(),
            concept_step,
            n,
            epochs=epochs,
            lr=lr,
            batch_size=batch_size,
            seed=seed,
            weight_decay=weight_decay,
        )
    model.concept_net.eval()
    if mode == "independent":
        inputs = C
    else:
        with torch.no_grad():
            inputs = torch.cat([model.concept_probs(X[i : i + 1024]) for i in range(0, n, 1024)])

    def task_step(idx: torch.Tensor) -> torch.Tensor:
        return ce(model.task_net(inputs[idx]), y[idx])

    _fit(
        model.task_net.parameters(),
        task_step,
        n,
        epochs=task_epochs,
        lr=task_lr,
        batch_size=batch_size,
        seed=seed + 1,
        weight_decay=weight_decay,
    )
    model.eval()
    return model


def group_masks(groups: Sequence[Sequence[int]], n_concepts: int) -> torch.Tensor:
    """A (n_groups, n_concepts) 0/1 tensor: row g marks the concepts of group g."""
    masks = torch.zeros(len(groups), n_concepts)
    seen: set[int] = set()
    for g, members in enumerate(groups):
        for j in members:
            if j in seen:
                raise ValueError(f"concept {j} is in two groups")
            seen.add(j)
            masks[g, j] = 1.0
    if seen != set(range(n_concepts)):
        raise ValueError("the groups must cover every concept exactly once")
    return masks


@torch.no_grad()
def intervention_curve(
    model: ConceptBottleneck,
    X: torch.Tensor,
    C: torch.Tensor,
    y: torch.Tensor,
    groups: Sequence[Sequence[int]],
    seed: int = 0,
) -> np.ndarray:
    """Task accuracy after correcting k = 0, 1, ..., n_groups concept groups.

    Each example gets its own random order of the groups (drawn from ``seed``), and the first k
    groups of its order are set to their true values; entry k of the result is the accuracy.
    """
    model.eval()
    masks = group_masks(groups, C.shape[1])
    n_groups = len(groups)
    rng = np.random.default_rng(seed)
    orders = torch.as_tensor(np.stack([rng.permutation(n_groups) for _ in range(len(y))]))
    probs = model.concept_probs(X)
    accs = []
    mask = torch.zeros_like(probs)
    for k in range(n_groups + 1):
        if k > 0:
            mask = torch.clamp(mask + masks[orders[:, k - 1]], max=1.0)
        pred = model.task_net(intervene_on(probs, C, mask)).argmax(1)
        accs.append(float((pred == y).float().mean()))
    return np.array(accs)


@torch.no_grad()
def concept_accuracy(model: ConceptBottleneck, X: torch.Tensor, C: torch.Tensor) -> float:
    """Mean over examples and concepts of (predicted probability > 0.5) == true concept."""
    model.eval()
    return float(((model.concept_probs(X) > 0.5).float() == C.float()).float().mean())
