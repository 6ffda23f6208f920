"""Weight graph, n-cut, layer-wise shuffles and magnitude pruning of the clusterability checks."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
import torch
from torch import nn

from interpcat.methods.clusterability import (
    MagnitudePruner,
    clusterability_mlp,
    drop_isolated_neurons,
    ncut,
    ncuts_against_shuffles,
    percentile_below,
    polynomial_sparsity,
    prune_finetune,
    shuffle_layers,
    shuffled_ncuts,
    spectral_ncut,
    train_and_prune,
    weight_graph,
    weight_matrices,
)
from interpcat.repro.data import to_split


def _mlp(seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))


def _block_mlp_weights(n_blocks: int = 3, width: int = 4, noise: float = 0.0, seed: int = 0) -> list[np.ndarray]:
    """Three layers of ``n_blocks`` disjoint blocks (block-diagonal weights), plus optional noise."""
    rng = np.random.default_rng(seed)
    n = n_blocks * width
    mats = []
    for _ in range(3):
        w = np.kron(np.eye(n_blocks), np.ones((width, width))) * rng.uniform(0.5, 1.5, size=(n, n))
        mats.append(w + noise * rng.uniform(0, 1, size=(n, n)))
    return mats


def test_weight_matrices_are_fan_in_by_fan_out():
    net = _mlp()
    mats = weight_matrices(net)
    assert [m.shape for m in mats] == [(6, 5), (5, 4), (4, 3)]
    np.testing.assert_allclose(mats[0], net[1].weight.detach().numpy().T)


def test_weight_graph_is_symmetric_absolute_and_layered():
    w1 = np.array([[1.0, -2.0], [0.0, 3.0]])
    w2 = np.array([[-4.0], [5.0]])
    adj = weight_graph([w1, w2]).toarray()
    assert adj.shape == (5, 5)
    np.testing.assert_array_equal(adj, adj.T)
    assert adj[0, 2] == 1.0 and adj[0, 3] == 2.0 and adj[1, 3] == 3.0 and adj[1, 2] == 0.0
    assert adj[2, 4] == 4.0 and adj[3, 4] == 5.0
    assert adj[0, 1] == 0.0 and adj[0, 4] == 0.0  # no edges within a layer or across two layers


def test_drop_isolated_neurons_removes_rows_and_columns_without_edges():
    w1 = np.array([[0.0, 0.0], [1.0, 2.0], [0.0, 3.0]])  # input 0 has no edge
    w2 = np.array([[1.0, 0.0], [1.0, 0.0]])  # output 1 has no edge
    kept = drop_isolated_neurons([w1, w2])
    assert [k.shape for k in kept] == [(2, 2), (2, 1)]
    np.testing.assert_array_equal(kept[0], w1[1:])


def test_ncut_by_hand():
    # two triangles joined by one edge of weight 1; every other edge weighs 2
    adj = np.zeros((6, 6))
    for a, b in [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5)]:
        adj[a, b] = adj[b, a] = 2.0
    adj[2, 3] = adj[3, 2] = 1.0
    labels = np.array([0, 0, 0, 1, 1, 1])
    # each side: cut 1, volume 2 * 3 * 2 + 1 = 13
    assert ncut(adj, labels) == pytest.approx(2 / 13)
    assert ncut(adj, np.zeros(6, dtype=int)) == 0.0
    with pytest.raises(ValueError):
        ncut(adj, labels[:5])


def test_ncut_is_between_zero_and_k():
    rng = np.random.default_rng(0)
    a = rng.uniform(size=(20, 20))
    adj = a + a.T
    labels = rng.integers(0, 4, size=20)
    assert 0.0 <= ncut(adj, labels) <= 4.0


@pytest.mark.filterwarnings("ignore:Graph is not fully connected")
def test_spectral_ncut_finds_planted_blocks():
    mats = _block_mlp_weights()
    value, labels = spectral_ncut(mats, n_clusters=3, seed=0)
    assert value == pytest.approx(0.0, abs=1e-9)
    assert len(np.unique(labels)) == 3


def test_shuffles_keep_each_layers_weights():
    rng = np.random.default_rng(0)
    mats = [rng.normal(size=(5, 4)) * (rng.uniform(size=(5, 4)) > 0.5) for _ in range(2)]
    for nonzero_only in (False, True):
        shuffled = shuffle_layers(mats, np.random.default_rng(1), nonzero_only=nonzero_only)
        for a, b in zip(mats, shuffled, strict=True):
            assert a.shape == b.shape
            np.testing.assert_allclose(np.sort(a.ravel()), np.sort(b.ravel()))
        if nonzero_only:
            for a, b in zip(mats, shuffled, strict=True):
                np.testing.assert_array_equal(a != 0, b != 0)
    assert not all(np.array_equal(a, b) for a, b in zip(mats, shuffle_layers(mats, rng), strict=True))


def test_planted_blocks_beat_their_shuffles():
    mats = _block_mlp_weights(noise=0.05)
    value, _ = spectral_ncut(mats, n_clusters=3, seed=0)
    shuffled = shuffled_ncuts(mats, 4, n_clusters=3, seed=0, n_init=5)
    assert len(shuffled) == 4 and shuffled.std() > 0
    assert value < shuffled.min()
    assert percentile_below(value, shuffled) == pytest.approx(1 / 5)


def test_percentile_below():
    assert percentile_below(0.0, [1, 2, 3]) == pytest.approx(0.25)
    assert percentile_below(10.0, [1, 2, 3]) == pytest.approx(1.0)


def test_polynomial_sparsity_schedule():
    assert polynomial_sparsity(0, 100) == pytest.approx(0.5)
    assert polynomial_sparsity(100, 100) == pytest.approx(0.9)
    assert polynomial_sparsity(500, 100) == pytest.approx(0.9)
    assert polynomial_sparsity(50, 100) == pytest.approx(0.9 - 0.4 * 0.125)
    values = [polynomial_sparsity(s, 100) for s in range(101)]
    assert all(b >= a for a, b in pairwise(values))


def test_magnitude_pruner_prunes_smallest_per_layer_and_masks_only_grow():
    net = _mlp()
    pruner = MagnitudePruner(net)
    before = [layer.weight.detach().abs().clone() for layer in pruner.layers]
    pruner.update(0.5)
    for layer, w0 in zip(pruner.layers, before, strict=True):
        w = layer.weight.detach()
        zero = w == 0
        assert int(zero.sum()) == round(0.5 * w.numel())
        assert w0[zero].max() <= w0[~zero].min()  # the smallest magnitudes went
    first = [m.clone() for m in pruner.masks]
    pruner.update(0.75)
    for m0, m1 in zip(first, pruner.masks, strict=True):
        assert not (m1 & ~m0).any()
    assert pruner.sparsity() == pytest.approx(0.75, abs=0.03)
    with pytest.raises(ValueError):
        pruner.update(1.0)


def test_prune_finetune_reaches_the_final_sparsity():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 6)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0).astype(np.int64)
    net = _mlp()
    pruner = prune_finetune(net, to_split(X, y), epochs=2, batch_size=16, frequency=1, seed=0)
    for layer in pruner.layers:
        assert float((layer.weight == 0).float().mean()) == pytest.approx(0.9, abs=0.02)
    assert pruner.sparsity() == pytest.approx(0.9, abs=0.01)


def test_clusterability_mlp_is_the_papers_network_with_keras_init():
    torch.manual_seed(0)
    net = clusterability_mlp()
    shapes = [w.shape for w in weight_matrices(net)]
    assert shapes == [(784, 256), (256, 256), (256, 256), (256, 256), (256, 10)]
    first = next(m for m in net if isinstance(m, nn.Linear))
    bound = (6 / (784 + 256)) ** 0.5  # Glorot-uniform
    assert float(first.weight.abs().max()) <= bound and float(first.bias.abs().max()) == 0.0
    assert sum(isinstance(m, nn.Dropout) for m in clusterability_mlp(0.5)) == 4
    assert not any(isinstance(m, nn.Dropout) for m in net)


def test_train_and_prune_keeps_three_stages_and_reaches_the_sparsity():
    gen = torch.Generator().manual_seed(0)
    X = torch.rand(96, 1, 28, 28, generator=gen)
    y = (X.flatten(1)[:, :392].sum(1) > X.flatten(1)[:, 392:].sum(1)).long()
    data = to_split(X, y)
    run = train_and_prune(data, data, seed=0, epochs=2, prune_epochs=2, prune_every=1, batch_size=32)
    assert run.sparsity == pytest.approx(0.9, abs=0.01)
    assert all(float((w == 0).mean()) == pytest.approx(0.9, abs=0.01) for w in run.pruned)
    assert not np.allclose(run.init[0], run.dense[0])
    assert 0.0 <= run.pruned_acc <= 1.0 and 0.0 <= run.train_acc <= 1.0
    dense_only = train_and_prune(data, data, seed=0, epochs=2, prune_epochs=0, prune_every=1, batch_size=32)
    assert dense_only.sparsity == 0.0
    assert all(np.array_equal(a, b) for a, b in zip(dense_only.dense, dense_only.pruned, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(dense_only.dense, run.dense, strict=True))  # same seed


def test_ncuts_against_shuffles_finds_the_blocks():
    blocks = _block_mlp_weights(n_blocks=3, width=4, noise=0.01)
    ncuts, shuffles = ncuts_against_shuffles(
        {"blocks": blocks, "other": blocks}, ["blocks"], n_shuffles=3, n_clusters=3, n_init=5
    )
    assert set(ncuts) == {"blocks", "other"} and set(shuffles) == {"blocks"}
    assert shuffles["blocks"].shape == (3,)
    assert ncuts["blocks"] < shuffles["blocks"].min()
