"""Partitions, lesions, feature visualisations and random-set statistics of the modularity checks."""

from __future__ import annotations

import copy
from itertools import pairwise

import numpy as np
import torch
from torch import nn

from interpcat.methods.modularity import (
    SubCluster,
    coactivation_graph,
    coactivation_partition,
    fisher_combined_p,
    hidden_activations,
    layer_subclusters,
    lesion_scores,
    mean_class_accuracy,
    prediction_entropy,
    random_sets,
    rank_percentile,
    visualize_sets,
    weight_partition,
)


def _mlp(seed: int = 0, widths=(6, 8, 8, 3)) -> nn.Sequential:
    torch.manual_seed(seed)
    layers: list[nn.Module] = [nn.Flatten()]
    for i, (a, b) in enumerate(pairwise(widths)):
        layers.append(nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _block_mlp(n_blocks: int = 2, width: int = 4) -> nn.Sequential:
    """Block-diagonal weights (two independent halves) with a faint all-to-all background."""
    n = n_blocks * width
    net = _mlp(widths=(n, n, n, n))
    block = torch.kron(torch.eye(n_blocks), torch.ones(width, width))
    with torch.no_grad():
        for lin in (m for m in net if isinstance(m, nn.Linear)):
            lin.weight.copy_(block * (1.0 + 0.1 * torch.rand(n, n)) + 1e-3)
    return net


def test_hidden_activations_match_the_forward_pass():
    net = _mlp()
    X = torch.randn(5, 6)
    acts = hidden_activations(net, X)
    assert [a.shape for a in acts] == [(5, 8), (5, 8)]
    torch.testing.assert_close(acts[0], torch.relu(net[1](X)))
    torch.testing.assert_close(net[5](acts[1]), net(X))


def test_coactivation_graph_squares_spearman_and_drops_constant_units():
    rng = np.random.default_rng(0)
    a = rng.normal(size=50)
    acts = np.stack([a, np.exp(a), -a, np.zeros(50), rng.normal(size=50)], axis=1)
    adj, keep = coactivation_graph(acts)
    assert list(keep) == [0, 1, 2, 4]  # the constant unit is left out
    np.testing.assert_allclose(adj[0, 1], 1.0)  # monotone: Spearman 1
    np.testing.assert_allclose(adj[0, 2], 1.0)  # anti-monotone: squared, 1
    assert adj[0, 3] < 0.2 and np.all(np.diag(adj) == 0) and np.allclose(adj, adj.T)


def test_weight_partition_recovers_planted_blocks():
    labels = weight_partition(_block_mlp(), n_clusters=2, n_init=5)
    assert len(labels) == 2
    for lab in labels:
        assert len(set(lab[:4])) == 1 and len(set(lab[4:])) == 1 and lab[0] != lab[4]
    assert labels[0][0] == labels[1][0]  # the same block across layers is one cluster


def test_coactivation_partition_separates_independent_halves():
    net = _block_mlp()
    with torch.no_grad():
        for lin in (m for m in net if isinstance(m, nn.Linear)):
            lin.weight.mul_(lin.weight > 0.5)  # cut the background: two independent halves
    X = torch.randn(400, 8).abs()
    X[:, :4] *= torch.rand(400, 1) * 3  # the halves vary independently
    X[:, 4:] *= torch.rand(400, 1) * 3
    labels = coactivation_partition(net, X, n_clusters=2, n_init=5)
    for lab in labels:
        assert len(set(lab[:4])) == 1 and len(set(lab[4:])) == 1 and lab[0] != lab[4]


def test_layer_subclusters_apply_size_bounds():
    labels = [np.array([0, 0, 1, 2, 2, 2]), np.array([0, 0, 0, 0, -1, -1])]
    subs = layer_subclusters(labels)
    assert [(s.layer, s.label, list(s.neurons)) for s in subs] == [(0, 0, [0, 1]), (0, 2, [3, 4, 5])]
    # label 1 is a singleton; layer 1 is a single cluster holding all its labelled neurons


def test_random_sets_have_the_size_and_avoid_unlabelled_neurons():
    sub = SubCluster(0, 0, np.array([0, 1, 2]))
    sets = random_sets(sub, np.array([0, 0, 0, 1, 1, -1, 1]), 20, np.random.default_rng(0))
    assert all(len(s) == 3 and 5 not in s and len(set(s)) == 3 for s in sets)


def test_lesion_scores_match_zeroed_incoming_weights():
    net = _mlp(widths=(6, 8, 8, 3))
    X = torch.randn(60, 6)
    y = net(X).argmax(1)
    sets = [np.array([0, 3]), np.array([1, 2, 5])]
    for layer in (0, 1):
        got = lesion_scores(net, X, y, layer, sets)
        for s, value in zip(sets, got, strict=True):
            damaged = copy.deepcopy(net)
            lin_d = damaged[1] if layer == 0 else damaged[3]
            with torch.no_grad():
                lin_d.weight[s] = 0.0
                lin_d.bias[s] = 0.0
            expected = mean_class_accuracy(damaged(X), y, 3)
            assert abs(float(expected) - value) < 1e-6
    assert lesion_scores(net, X, y, 0, [np.array([], dtype=int)])[0] == 1.0


def test_mean_class_accuracy_weights_classes_equally():
    logits = torch.tensor([[1.0, 0], [1.0, 0], [1.0, 0], [1.0, 0]])
    y = torch.tensor([0, 0, 0, 1])
    assert float(mean_class_accuracy(logits, y, 2)) == 0.5


def test_visualize_sets_raises_the_sets_activation():
    net = _mlp()
    sets = [np.array([0, 1]), np.array([2, 3, 4])]
    x = visualize_sets(net, 0, sets, (6,), steps=100)
    assert x.shape == (2, 6) and float(x.min()) >= 0 and float(x.max()) <= 1
    before = hidden_activations(net, torch.full((1, 6), 0.5))[0][0]
    after = hidden_activations(net, x)[0]
    for i, s in enumerate(sets):
        assert float(after[i, s].mean()) >= float(before[s].mean())
    assert prediction_entropy(net, x).shape == (2,)


def test_rank_percentile_and_fisher():
    assert rank_percentile(0.1, [0.2, 0.3, 0.4]) == 0.25  # below all: the smallest rank
    assert rank_percentile(0.5, [0.2, 0.3, 0.4]) == 1.0
    assert fisher_combined_p([0.05] * 10, 19) < 1e-6
    assert fisher_combined_p([0.525] * 10, 19) > 0.5  # centred ranks: no evidence
