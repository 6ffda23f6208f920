"""Clusterability of an MLP's weight graph: spectral n-cut, layer-wise shuffles, magnitude pruning.

References:
    Filan, D., Casper, S., Hod, S., Wild, C., Critch, A., Russell, S. (2021).
    Clusterability in Neural Networks. arXiv:2103.03386.
    Filan, D., Hod, S., Wild, C., Critch, A., Russell, S. (2020).
    Neural Networks are Surprisingly Modular (later: Pruned Neural Networks are Surprisingly
    Modular). arXiv:2003.04881.

An MLP is read as an undirected graph whose nodes are its neurons (inputs, hidden units and
outputs) and whose edge between two neurons of adjacent layers weighs the absolute value of the
weight joining them; biases are ignored. Neurons with no non-zero edge at all (blank input pixels
after pruning) are dropped before clustering. Spectral clustering (scikit-learn's
``SpectralClustering`` on the precomputed affinity, k-means label assignment) splits the graph into
``k`` clusters, and the partition is scored by its normalised cut (Shi & Malik 2000),

    n-cut = sum over clusters C of cut(C, rest) / vol(C),

where ``cut`` sums the edge weights leaving ``C`` and ``vol`` the degrees of its nodes. The n-cut
lies between 0 (disconnected clusters) and ``k``; lower means more clusterable. Whether a network's
n-cut is low is judged against networks whose weights are permuted at random within each layer
(the same weights, the structure destroyed): its z-score and its one-sided percentile among them.

Pruning follows the papers' setup (TensorFlow Model Optimization's ``prune_low_magnitude``):
per-layer magnitude pruning of every weight matrix, with the target sparsity raised along the
polynomial schedule ``s(t) = s1 + (s0 - s1) (1 - t / T)^3`` while training continues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
import torch
from joblib import Parallel, delayed
from sklearn.cluster import SpectralClustering
from torch import nn
from tqdm.auto import tqdm

from ..repro.data import Split
from ..repro.environment import under_runner
from ..repro.training import accuracy, fit

__all__ = [
    "MagnitudePruner",
    "PrunedRun",
    "clusterability_mlp",
    "drop_isolated_neurons",
    "linear_layers",
    "ncut",
    "ncuts_against_shuffles",
    "percentile_below",
    "polynomial_sparsity",
    "prune_finetune",
    "shuffle_layers",
    "shuffled_ncuts",
    "spectral_ncut",
    "train_and_prune",
    "weight_graph",
    "weight_matrices",
]


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """The model's ``nn.Linear`` layers, in the order they are registered (input to output)."""
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not layers:
        raise ValueError("the model has no nn.Linear layers")
    return layers


def weight_matrices(model: nn.Module) -> list[np.ndarray]:
    """The MLP's weight matrices as (fan_in, fan_out) float64 arrays, input layer first."""
    mats = [layer.weight.detach().cpu().double().numpy().T.copy() for layer in linear_layers(model)]
    for a, b in pairwise(mats):
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"layers do not chain: {a.shape} then {b.shape}")
    return mats


def weight_graph(weights: Sequence[np.ndarray]) -> sp.csr_matrix:
    """Symmetric adjacency matrix of the neuron graph: |W_l| between layers l and l + 1."""
    widths = [weights[0].shape[0]] + [w.shape[1] for w in weights]
    offsets = np.concatenate([[0], np.cumsum(widths)])
    rows, cols, vals = [], [], []
    for layer, w in enumerate(weights):
        r, c = np.nonzero(w)
        rows.append(r + offsets[layer])
        cols.append(c + offsets[layer + 1])
        vals.append(np.abs(w[r, c]))
    r, c, v = (np.concatenate(x) for x in (rows, cols, vals))
    n = int(offsets[-1])
    upper = sp.coo_matrix((v, (r, c)), shape=(n, n))
    return (upper + upper.T).tocsr()


def drop_isolated_neurons(weights: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Remove the neurons with no non-zero edge (rows and columns of the weight matrices)."""
    weights = [np.asarray(w) for w in weights]
    keep = []
    for layer in range(len(weights) + 1):
        out_edges = (weights[layer] != 0).any(axis=1) if layer < len(weights) else False
        in_edges = (weights[layer - 1] != 0).any(axis=0) if layer > 0 else False
        keep.append(np.asarray(out_edges | in_edges, dtype=bool))
    return [w[keep[i]][:, keep[i + 1]] for i, w in enumerate(weights)]


def ncut(adjacency: sp.spmatrix | np.ndarray, labels: np.ndarray) -> float:
    """Normalised cut of a partition: the sum over clusters of cut / volume."""
    adj = sp.csr_matrix(adjacency)
    labels = np.asarray(labels)
    if adj.shape[0] != len(labels):
        raise ValueError(f"{len(labels)} labels for {adj.shape[0]} nodes")
    degree = np.asarray(adj.sum(axis=1)).ravel()
    total = 0.0
    for cluster in np.unique(labels):
        inside = labels == cluster
        vol = float(degree[inside].sum())
        internal = float(adj[inside][:, inside].sum())
        if vol > 0:
            total += (vol - internal) / vol
    return total


def spectral_ncut(
    weights: Sequence[np.ndarray], n_clusters: int = 12, seed: int = 0, n_init: int = 25
) -> tuple[float, np.ndarray]:
    """Spectral clustering of the weight graph (isolated neurons dropped): its n-cut and labels.

    As the papers: scikit-learn's ``SpectralClustering`` on the precomputed |weight| affinity,
    ARPACK eigensolver, k-means label assignment with ``n_init`` restarts.
    """
    adj = weight_graph(drop_isolated_neurons(weights))
    clustering = SpectralClustering(
        n_clusters=n_clusters,
        affinity="precomputed",
        eigen_solver="arpack",
        assign_labels="kmeans",
        n_init=n_init,
        random_state=seed,
    )
    labels = clustering.fit(adj).labels_
    return ncut(adj, labels), labels


def shuffle_layers(
    weights: Sequence[np.ndarray], rng: np.random.Generator, nonzero_only: bool = False
) -> list[np.ndarray]:
    """Permute the weights of each layer at random.

    ``nonzero_only=False`` permutes every entry of each matrix, zeros included (the papers'
    ``layer`` shuffle: the same multiset of weights per layer, any sparsity pattern);
    ``nonzero_only=True`` permutes only the non-zero weights among the non-zero positions (the
    ``layer_nonzero`` shuffle: the sparsity pattern is kept).
    """
    out = []
    for w in weights:
        flat = np.array(w, dtype=float).ravel()
        if nonzero_only:
            idx = np.flatnonzero(flat)
            flat[idx] = flat[idx][rng.permutation(len(idx))]
        else:
            flat = flat[rng.permutation(len(flat))]
        out.append(flat.reshape(np.shape(w)))
    return out


def shuffled_ncuts(
    weights: Sequence[np.ndarray],
    n_shuffles: int,
    n_clusters: int = 12,
    seed: int = 0,
    nonzero_only: bool = False,
    n_init: int = 25,
) -> np.ndarray:
    """n-cuts of ``n_shuffles`` layer-wise shuffles of a network (isolated neurons dropped first)."""
    base = drop_isolated_neurons(weights)
    rng = np.random.default_rng(seed)
    return np.array(
        [
            spectral_ncut(shuffle_layers(base, rng, nonzero_only), n_clusters, seed=seed + i, n_init=n_init)[0]
            for i in range(n_shuffles)
        ]
    )


def percentile_below(value: float, samples: Sequence[float]) -> float:
    """One-sided empirical percentile (r + 1) / (n + 1), r = number of samples below ``value``."""
    samples = np.asarray(samples, dtype=float)
    return float((np.sum(samples < value) + 1) / (len(samples) + 1))


def polynomial_sparsity(step: int, end_step: int, initial: float = 0.5, final: float = 0.9, power: int = 3) -> float:
    """Target sparsity at ``step`` of a polynomial schedule from ``initial`` (step 0) to ``final``."""
    if end_step <= 0:
        return final
    frac = min(max(step / end_step, 0.0), 1.0)
    return final + (initial - final) * (1.0 - frac) ** power


class MagnitudePruner:
    """Per-layer magnitude pruning masks for every ``nn.Linear`` weight of a model."""

    def __init__(self, model: nn.Module) -> None:
        self.layers = linear_layers(model)
        self.masks = [torch.ones_like(layer.weight, dtype=torch.bool) for layer in self.layers]

    @torch.no_grad()
    def update(self, sparsity: float) -> None:
        """Zero the smallest-magnitude ``sparsity`` share of each layer's weights (masks only grow)."""
        if not 0.0 <= sparsity < 1.0:
            raise ValueError("sparsity must be in [0, 1)")
        for i, layer in enumerate(self.layers):
            w = layer.weight.abs().masked_fill(~self.masks[i], -1.0).flatten()
            n_prune = round(sparsity * w.numel())
            if n_prune > 0:
                drop = torch.topk(w, n_prune, largest=False).indices
                mask = torch.ones(w.numel(), dtype=torch.bool, device=w.device)
                mask[drop] = False
                self.masks[i] = mask.view_as(layer.weight) & self.masks[i]
        self.apply()

    @torch.no_grad()
    def apply(self) -> None:
        for layer, mask in zip(self.layers, self.masks, strict=True):
            layer.weight.mul_(mask)

    def sparsity(self) -> float:
        """The share of pruned weights over all masked layers."""
        pruned = sum(int((~m).sum()) for m in self.masks)
        return pruned / sum(m.numel() for m in self.masks)


def prune_finetune(
    model: nn.Module,
    data: Split,
    *,
    epochs: int,
    initial_sparsity: float = 0.5,
    final_sparsity: float = 0.9,
    frequency: int = 10,
    lr: float = 1e-3,
    batch_size: int = 128,
    seed: int = 0,
    device: torch.device | str = "cpu",
    desc: str = "pruning",
) -> MagnitudePruner:
    """Keep training with Adam while pruning by magnitude along the polynomial schedule.

    The masks are recomputed every ``frequency`` steps (as ``prune_low_magnitude``) and applied
    after every optimiser step; at the end every layer holds ``final_sparsity`` zeros.
    """
    model.to(device).train()
    pruner = MagnitudePruner(model)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    X, y = data.X.to(device), data.y.to(device)
    steps_per_epoch = int(np.ceil(len(y) / batch_size))
    end_step = steps_per_epoch * epochs
    step = 0
    for _ in tqdm(range(epochs), desc=desc, disable=under_runner(), leave=False):
        order = torch.randperm(len(y), generator=gen).to(device)
        for start in range(0, len(y), batch_size):
            if step % frequency == 0:
                pruner.update(polynomial_sparsity(step, end_step, initial_sparsity, final_sparsity))
            idx = order[start : start + batch_size]
            loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            pruner.apply()
            step += 1
    pruner.update(final_sparsity)
    model.eval()
    return pruner


def clusterability_mlp(dropout: float = 0.0, widths: Sequence[int] = (256, 256, 256, 256)) -> nn.Sequential:
    """The papers' MNIST MLP (784-256-256-256-256-10, ReLU) with Keras's initialisation.

    Glorot-uniform weights and zero biases, so that the untrained network is the one the papers'
    training started from; with ``dropout`` a dropout layer follows every hidden layer.
    """
    layers: list[nn.Module] = [nn.Flatten()]
    width = 784
    for hidden in widths:
        layers += [nn.Linear(width, hidden), nn.ReLU()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = hidden
    layers.append(nn.Linear(width, 10))
    net = nn.Sequential(*layers)
    for m in net:
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


@dataclass
class PrunedRun:
    """One network of the papers' protocol: its weights at three stages and its accuracies."""

    init: list[np.ndarray]
    dense: list[np.ndarray]
    pruned: list[np.ndarray]
    dense_acc: float
    pruned_acc: float
    sparsity: float
    train_acc: float  # of the pruned network, on its own training data


def train_and_prune(
    train: Split,
    test: Split,
    *,
    seed: int,
    epochs: int,
    prune_epochs: int,
    prune_every: int,
    dropout: float = 0.0,
    sparsity: tuple[float, float] = (0.5, 0.9),
    lr: float = 1e-3,
    batch_size: int = 128,
    device: torch.device | str = "cpu",
) -> PrunedRun:
    """Train :func:`clusterability_mlp` with Adam, then prune it while training goes on (the papers' order).

    The weights are kept at initialisation, after training and after pruning; ``prune_epochs=0``
    skips pruning (the pruned weights are then the dense ones).
    """
    torch.manual_seed(seed)
    net = clusterability_mlp(dropout)
    init = weight_matrices(net)
    fit(net, train, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed, device=device, desc=f"train {seed}")
    dense = weight_matrices(net)
    dense_acc = accuracy(net.cpu(), test)
    achieved = 0.0
    if prune_epochs:
        pruner = prune_finetune(
            net,
            train,
            epochs=prune_epochs,
            initial_sparsity=sparsity[0],
            final_sparsity=sparsity[1],
            frequency=prune_every,
            lr=lr,
            batch_size=batch_size,
            seed=seed,
            device=device,
            desc=f"prune {seed}",
        )
        achieved = pruner.sparsity()
    net = net.cpu()
    return PrunedRun(
        init=init,
        dense=dense,
        pruned=weight_matrices(net),
        dense_acc=dense_acc,
        pruned_acc=accuracy(net, test),
        sparsity=achieved,
        train_acc=accuracy(net, train),
    )


def ncuts_against_shuffles(
    networks: dict[str, Sequence[np.ndarray]],
    shuffled: Sequence[str],
    *,
    n_shuffles: int,
    n_clusters: int = 12,
    seed: int = 0,
    n_init: int = 25,
    jobs: int = 1,
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """n-cut of every network, and of ``n_shuffles`` layer-wise shuffles of those named in ``shuffled``.

    All clusterings run in parallel (joblib, ``jobs`` workers); shuffle ``j`` of the ``i``-th
    shuffled network uses seed ``10_000 * seed + 100 * i + j``. Returns ``(ncuts, shuffle_ncuts)``.
    """
    names = list(networks)
    tasks = [delayed(spectral_ncut)(networks[name], n_clusters, seed, n_init) for name in names]
    tasks += [
        delayed(shuffled_ncuts)(networks[name], 1, n_clusters, seed=10_000 * seed + 100 * i + j, n_init=n_init)
        for i, name in enumerate(shuffled)
        for j in range(n_shuffles)
    ]
    out = Parallel(n_jobs=jobs)(tasks)
    ncuts = {name: value for name, (value, _) in zip(names, out[: len(names)], strict=True)}
    rest = out[len(names) :]
    shuffles = {name: np.concatenate(rest[i * n_shuffles : (i + 1) * n_shuffles]) for i, name in enumerate(shuffled)}
    return ncuts, shuffles
