"""Importance and coherence of neuron clusters in an MLP: partitions, lesions and random-set tests.

References:
    Hod, S., Casper, S., Filan, D., Wild, C., Critch, A., Russell, S. (2021).
    Detecting Modularity in Deep Neural Networks (v2: Quantifying Local Specialization in Deep
    Neural Networks). arXiv:2110.08058. Official code: github.com/thestephencasper/local_specialization.

A partition of an MLP's neurons comes from spectral clustering of one of two graphs:

* the **weight graph** of :mod:`.clusterability` (every neuron a node, |w| on the edges between
  adjacent layers), which needs no data at all;
* the **coactivation graph** of the hidden neurons, whose edge between two neurons is the squared
  Spearman correlation of their activations over a set of inputs (neurons that never vary are left
  out, as the paper's activation mask does).

Each cluster is cut by layer into *sub-clusters* (its neurons in one hidden layer); those with at
least 2 neurons and at most 99 % of the layer are tested. A sub-cluster is compared with random sets
of the same size from the same layer, drawn by permuting the layer's cluster labels:

* **importance**: the network's mean per-class test accuracy with the sub-cluster lesioned (its
  activations set to zero, as zeroing its incoming weights and biases does behind a ReLU). The
  statistic is the share of random sets whose lesion leaves a *lower* accuracy, as the percentile
  ``(r + 1) / (n + 1)``; a small value means the true sub-cluster hurts more than random sets.
* **coherence** (feature visualisation): an input optimised to excite the set's neurons as a
  group (mean activation, pixels kept in [0, 1] through a sigmoid), then the entropy of the
  network's prediction on it. A low entropy means the set's preferred input looks like one class.
  The percentile is the share of random sets with a lower entropy.

Over the sub-clusters of a network the percentiles are combined with Fisher's method after
shifting them by half a rank (so that uniform ranks are centred on 1/2), as the official code does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import combine_pvalues, rankdata
from sklearn.cluster import SpectralClustering
from torch import nn

from .clusterability import linear_layers, spectral_ncut, weight_matrices

__all__ = [
    "SubCluster",
    "coactivation_graph",
    "coactivation_partition",
    "fisher_combined_p",
    "hidden_activations",
    "hidden_widths",
    "layer_subclusters",
    "lesion_scores",
    "mean_class_accuracy",
    "prediction_entropy",
    "random_sets",
    "rank_percentile",
    "visualize_sets",
    "weight_partition",
]


@dataclass(frozen=True)
class SubCluster:
    """The neurons of one cluster in one hidden layer (``layer`` 0 is the first hidden layer)."""

    layer: int
    label: int
    neurons: np.ndarray


def _params(model: nn.Module) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(lin.weight.detach(), lin.bias.detach()) for lin in linear_layers(model)]


def hidden_widths(model: nn.Module) -> list[int]:
    """Widths of the hidden layers (the outputs of every ``nn.Linear`` but the last)."""
    return [lin.out_features for lin in linear_layers(model)[:-1]]


@torch.no_grad()
def hidden_activations(model: nn.Module, X: torch.Tensor) -> list[torch.Tensor]:
    """Post-ReLU activations of every hidden layer for inputs X, as (n_inputs, width) tensors."""
    h = X.flatten(1)
    acts = []
    params = _params(model)
    for W, b in params[:-1]:
        h = torch.relu(h @ W.T + b)
        acts.append(h)
    return acts


def coactivation_graph(activations: np.ndarray, eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """Squared Spearman correlations between units (columns of ``activations``), zero diagonal.

    Units whose activation never varies are left out; returns the graph and the indices kept.
    """
    acts = np.asarray(activations, dtype=float)
    keep = np.flatnonzero(acts.std(axis=0) > eps)
    ranks = rankdata(acts[:, keep], axis=0)
    corr = np.corrcoef(ranks, rowvar=False)
    adj = np.nan_to_num(corr**2)
    np.fill_diagonal(adj, 0.0)
    return np.clip(adj, 0.0, 1.0), keep


def _split_by_layer(labels: np.ndarray, widths: Sequence[int]) -> list[np.ndarray]:
    offsets = np.concatenate([[0], np.cumsum(widths)])
    return [labels[offsets[i] : offsets[i + 1]] for i in range(len(widths))]


def weight_partition(model: nn.Module, n_clusters: int, seed: int = 0, n_init: int = 25) -> list[np.ndarray]:
    """Cluster labels of the hidden neurons, per hidden layer, from the weight graph of all neurons."""
    mats = weight_matrices(model)
    widths = [mats[0].shape[0]] + [m.shape[1] for m in mats]
    if any(not (m != 0).any(axis=0).all() or not (m != 0).any(axis=1).all() for m in mats):
        raise ValueError("the weight graph has isolated neurons; use a dense network")
    _, labels = spectral_ncut(mats, n_clusters=n_clusters, seed=seed, n_init=n_init)
    per_layer = _split_by_layer(np.asarray(labels), widths)
    return per_layer[1:-1]


def coactivation_partition(
    model: nn.Module, X: torch.Tensor, n_clusters: int, seed: int = 0, n_init: int = 25
) -> list[np.ndarray]:
    """Cluster labels of the hidden neurons, per hidden layer, from their coactivation graph.

    Neurons that never vary on X get the label -1 (never lesioned, never drawn at random).
    """
    acts = torch.cat(hidden_activations(model, X), dim=1).cpu().numpy()
    adj, keep = coactivation_graph(acts)
    clustering = SpectralClustering(
        n_clusters=n_clusters,
        affinity="precomputed",
        eigen_solver="arpack",
        assign_labels="kmeans",
        n_init=n_init,
        random_state=seed,
    )
    labels = np.full(acts.shape[1], -1)
    labels[keep] = clustering.fit(adj).labels_
    return _split_by_layer(labels, hidden_widths(model))


def layer_subclusters(labels: Sequence[np.ndarray], min_size: int = 2, max_prop: float = 0.99) -> list[SubCluster]:
    """Every (hidden layer, cluster) pair with at least ``min_size`` neurons and at most ``max_prop``
    of the layer's labelled neurons (the official code's bounds)."""
    out = []
    for layer, lab in enumerate(labels):
        lab = np.asarray(lab)
        size = int((lab != -1).sum())
        for label in np.unique(lab[lab != -1]):
            neurons = np.flatnonzero(lab == label)
            if min_size <= len(neurons) <= max_prop * size:
                out.append(SubCluster(layer, int(label), neurons))
    return out


def random_sets(sub: SubCluster, layer_labels: np.ndarray, n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """``n`` random sets of ``sub``'s size among the labelled neurons of its layer (what permuting
    the layer's cluster labels, as the official code does, gives one sub-cluster)."""
    pool = np.flatnonzero(np.asarray(layer_labels) != -1)
    return [np.sort(rng.choice(pool, size=len(sub.neurons), replace=False)) for _ in range(n)]


def mean_class_accuracy(logits: torch.Tensor, y: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Mean over classes of the per-class accuracy; ``logits`` may carry leading batch dimensions."""
    correct = (logits.argmax(-1) == y).float()
    per_class = torch.stack([correct[..., y == c].mean(-1) for c in range(n_classes)], dim=-1)
    return per_class.nanmean(-1)


@torch.no_grad()
def lesion_scores(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, layer: int, sets: Sequence[np.ndarray], chunk: int = 32
) -> np.ndarray:
    """Mean per-class accuracy of the network with each neuron set of hidden ``layer`` zeroed."""
    params = _params(model)
    n_classes = params[-1][0].shape[0]
    h = X.flatten(1)
    for W, b in params[: layer + 1]:
        h = torch.relu(h @ W.T + b)
    scores = []
    for start in range(0, len(sets), chunk):
        group = sets[start : start + chunk]
        mask = torch.ones(len(group), h.shape[1], dtype=h.dtype, device=h.device)
        for i, s in enumerate(group):
            mask[i, torch.as_tensor(np.asarray(s), dtype=torch.long)] = 0.0
        z = h.unsqueeze(0) * mask.unsqueeze(1)  # (sets, inputs, width)
        for i, (W, b) in enumerate(params[layer + 1 :]):
            z = z @ W.T + b
            if i < len(params) - layer - 2:
                z = torch.relu(z)
        scores.append(mean_class_accuracy(z, y, n_classes).cpu())
    return torch.cat(scores).numpy()


def visualize_sets(
    model: nn.Module,
    layer: int,
    sets: Sequence[np.ndarray],
    shape: Sequence[int],
    steps: int = 200,
    lr: float = 0.1,
    seed: int = 0,
) -> torch.Tensor:
    """One input per neuron set, optimised with Adam to maximise the set's mean activation in
    hidden ``layer``; pixels are the sigmoid of the free parameters, so they stay in [0, 1]."""
    params = _params(model)
    width = params[layer][0].shape[0]
    member = torch.zeros(len(sets), width)
    for i, s in enumerate(sets):
        member[i, torch.as_tensor(np.asarray(s), dtype=torch.long)] = 1.0 / len(s)
    gen = torch.Generator().manual_seed(seed)
    free = (0.01 * torch.randn(len(sets), int(np.prod(shape)), generator=gen)).requires_grad_(True)
    opt = torch.optim.Adam([free], lr=lr)
    for _ in range(steps):
        h = torch.sigmoid(free)
        for W, b in params[: layer + 1]:
            h = torch.relu(h @ W.T + b)
        loss = -(h * member).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return torch.sigmoid(free.detach()).reshape(len(sets), *shape)


@torch.no_grad()
def prediction_entropy(model: nn.Module, X: torch.Tensor) -> np.ndarray:
    """Entropy (nats) of the model's predicted class distribution for each input."""
    logp = torch.log_softmax(model(X), dim=-1)
    return (-(logp.exp() * logp).sum(-1)).cpu().numpy()


def rank_percentile(value: float, random_values: Sequence[float]) -> float:
    """``(r + 1) / (n + 1)`` with r the number of random values strictly below ``value``."""
    random_values = np.asarray(random_values, dtype=float)
    return float((np.sum(random_values < value) + 1) / (len(random_values) + 1))


def fisher_combined_p(percentiles: Sequence[float], n_random: int) -> float:
    """Fisher's combination of rank percentiles, shifted down by half a rank as the official code."""
    shifted = np.asarray(percentiles, dtype=float) - 0.5 / (n_random + 1)
    return float(combine_pvalues(shifted, method="fisher").pvalue)
