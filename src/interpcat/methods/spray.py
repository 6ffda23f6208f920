"""Spectral Relevance Analysis (SpRAy): cluster many relevance maps to find a model's strategies.

References:
    Lapuschkin, S., Wäldchen, S., Binder, A., Montavon, G., Samek, W., Müller, K.-R. (2019).
    Unmasking Clever Hans predictors and assessing what machines really learn. Nature
    Communications 10, 1096. arXiv:1902.10178, doi:10.1038/s41467-019-08987-4.

SpRAy takes the LRP heatmaps of many inputs of one class, compares them through a
k-nearest-neighbour graph, and reads the graph Laplacian's spectrum: a graph made of ``c``
well-separated groups has ``c`` eigenvalues near zero followed by a jump (the *eigengap*), so the
position of the largest gap suggests how many distinct prediction strategies the heatmaps show.
Spectral clustering then assigns each heatmap to a strategy, for a person to inspect.

What is ours (the paper leaves these choices open or makes them for far larger images): each
map is flattened and scaled to unit Euclidean norm (its pattern, not its size, is compared); the
affinity is the symmetric 0/1 k-nearest-neighbour graph (an edge where either map is among the
other's k nearest, Euclidean distance); the Laplacian is the symmetric normalised one,
``L = I - D^-1/2 A D^-1/2``; the cluster count is the position of the largest gap among the first
``max_clusters + 1`` eigenvalues. Clustering is scikit-learn's ``SpectralClustering`` on the same
precomputed affinity, so the spectrum and the clusters come from one graph.

The heatmaps come from Captum's ``LRP`` (:func:`relevance_maps`); the networks of
:mod:`interpcat.repro.nets` flatten inside ``forward``, so LRP has a rule for every module. Two rule
sets are offered: ``"epsilon"``, Captum's default (the epsilon rule with epsilon = 1e-9 on every
layer, practically LRP-0, which on a ReLU network is close to gradient times input), and
``"epsilon-plus"``, the layer-wise composite recommended for convolutional networks by the LRP
authors' group (Kohlbrenner et al. 2020, "Towards best practice in explaining neural network
decisions with LRP", arXiv:1910.09840; Montavon et al. 2019, "Layer-wise relevance propagation: an
overview"): the z+ rule (alpha = 1, beta = 0) on convolutions and the epsilon rule on dense layers.
Max-pooling keeps Captum's default (epsilon, relevance passed to the maximum).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch
from captum.attr import LRP
from captum.attr._utils.lrp_rules import Alpha1_Beta0_Rule, EpsilonRule
from scipy.sparse import csgraph
from sklearn.cluster import SpectralClustering
from sklearn.neighbors import kneighbors_graph
from torch import nn

RULES = ("epsilon", "epsilon-plus")


def _attach_rules(model: nn.Module, rules: str, epsilon: float) -> None:
    """Set a Captum propagation rule on each convolution and dense layer (Captum removes them after each call)."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            module.rule = Alpha1_Beta0_Rule()  # type: ignore[attr-defined]
        elif isinstance(module, nn.Linear):
            module.rule = EpsilonRule(epsilon=epsilon)  # type: ignore[attr-defined]


def relevance_maps(
    model: nn.Module,
    x: torch.Tensor,
    target: int | torch.Tensor,
    *,
    batch_size: int = 256,
    rules: str = "epsilon",
    epsilon: float = 0.25,
) -> torch.Tensor:
    """Captum LRP relevance of ``target`` for each input.

    ``rules="epsilon"``: Captum's default rules (epsilon = 1e-9 on every layer, about LRP-0).
    ``rules="epsilon-plus"``: z+ (alpha1-beta0) on convolutions, epsilon (``epsilon``) on dense layers.
    """
    if rules not in RULES:
        raise ValueError(f"rules must be one of {RULES}, got {rules!r}")
    model.eval()
    device = next(model.parameters()).device
    targets = torch.as_tensor(target).expand(len(x)) if torch.as_tensor(target).dim() == 0 else torch.as_tensor(target)
    out = []
    for start in range(0, len(x), batch_size):
        xb = x[start : start + batch_size].to(device)
        tb = targets[start : start + batch_size].to(device)
        if rules == "epsilon-plus":
            _attach_rules(model, rules, epsilon)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require gradients")
            out.append(LRP(model).attribute(xb, target=tb).detach().cpu())
    return torch.cat(out)


def positive_share(maps: torch.Tensor, region: torch.Tensor) -> torch.Tensor:
    """Per map, the fraction of its positive relevance that lies inside ``region`` (a 0/1 mask).

    Maps without positive relevance give NaN.
    """
    pos = maps.clamp(min=0).flatten(1)
    inside = (pos * region.flatten(1).to(pos.dtype)).sum(1)
    total = pos.sum(1)
    return torch.where(total > 0, inside / total.clamp(min=1e-30), torch.full_like(total, float("nan")))


def prepare(maps: np.ndarray | torch.Tensor) -> np.ndarray:
    """Flatten each map and scale it to unit Euclidean norm (all-zero maps stay zero)."""
    arr = np.asarray(maps.detach().cpu() if hasattr(maps, "detach") else maps, dtype=np.float64)
    flat = arr.reshape(len(arr), -1)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return np.divide(flat, norms, out=np.zeros_like(flat), where=norms > 0)


def knn_affinity(features: np.ndarray, n_neighbors: int = 10) -> np.ndarray:
    """Symmetric 0/1 affinity: an edge where either point is among the other's nearest neighbours."""
    if not 1 <= n_neighbors < len(features):
        raise ValueError(f"n_neighbors must be between 1 and {len(features) - 1}")
    graph = kneighbors_graph(features, n_neighbors, mode="connectivity", include_self=False).toarray()
    return np.maximum(graph, graph.T)


def laplacian_spectrum(affinity: np.ndarray, n: int | None = None) -> np.ndarray:
    """The smallest ``n`` eigenvalues (ascending) of the symmetric normalised graph Laplacian."""
    lap = csgraph.laplacian(np.asarray(affinity, dtype=np.float64), normed=True)
    values = np.linalg.eigvalsh((lap + lap.T) / 2)
    values = np.clip(values, 0.0, None)
    return values if n is None else values[:n]


def eigengap(eigenvalues: np.ndarray, max_clusters: int = 10) -> int:
    """The number of clusters the largest gap suggests: k with lambda_(k+1) - lambda_k largest, k <= max_clusters."""
    values = np.sort(np.asarray(eigenvalues, dtype=np.float64))
    m = min(max_clusters, len(values) - 1)
    if m < 1:
        raise ValueError("need at least two eigenvalues")
    gaps = np.diff(values[: m + 1])
    return int(np.argmax(gaps)) + 1


@dataclass
class SprayResult:
    """What SpRAy finds for one set of relevance maps."""

    eigenvalues: np.ndarray  # smallest eigenvalues of the normalised Laplacian, ascending
    n_clusters: int  # chosen by the eigengap
    labels: np.ndarray  # cluster of each map
    affinity: np.ndarray  # the k-nearest-neighbour graph
    features: np.ndarray  # the prepared (flattened, unit-norm) maps


def spray(
    maps: np.ndarray | torch.Tensor,
    *,
    n_neighbors: int = 10,
    max_clusters: int = 10,
    n_clusters: int | None = None,
    n_eigenvalues: int = 20,
    seed: int = 0,
) -> SprayResult:
    """Spectral relevance analysis of a set of maps: eigengap, then spectral clustering.

    ``n_clusters`` overrides the eigengap's choice (the eigenvalues are still returned).
    """
    features = prepare(maps)
    affinity = knn_affinity(features, n_neighbors)
    values = laplacian_spectrum(affinity, max(n_eigenvalues, max_clusters + 1))
    k = eigengap(values, max_clusters) if n_clusters is None else n_clusters
    if k == 1:
        labels = np.zeros(len(features), dtype=int)
    else:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Graph is not fully connected")
            labels = SpectralClustering(
                n_clusters=k, affinity="precomputed", random_state=seed, assign_labels="kmeans", n_init=10
            ).fit_predict(affinity)
    return SprayResult(
        eigenvalues=values, n_clusters=k, labels=np.asarray(labels), affinity=affinity, features=features
    )


def best_cluster_f1(labels: np.ndarray, members: np.ndarray) -> tuple[float, int]:
    """The F1 score of the cluster that best matches a marked subset (e.g. the tagged images), and its label."""
    members = np.asarray(members, dtype=bool)
    best, best_label = 0.0, -1
    for label in np.unique(labels):
        in_cluster = labels == label
        tp = float(np.sum(in_cluster & members))
        if tp == 0:
            continue
        precision, recall = tp / in_cluster.sum(), tp / members.sum()
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best:
            best, best_label = f1, int(label)
    return best, best_label
