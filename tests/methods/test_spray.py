"""Spectral relevance analysis (SpRAy) helpers: affinity, Laplacian spectrum, eigengap, clustering, LRP view."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import adjusted_rand_score

from interpcat.methods.spray import (
    best_cluster_f1,
    eigengap,
    knn_affinity,
    laplacian_spectrum,
    positive_share,
    prepare,
    relevance_maps,
    spray,
)
from interpcat.repro.nets import MLP, SmallCNN


def _groups(sizes: list[int], seed: int = 0, noise: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Maps (N, 1, 8, 8): each group a noisy copy of its own blob in its own place."""
    rng = np.random.default_rng(seed)
    maps, labels = [], []
    for g, n in enumerate(sizes):
        base = np.zeros((8, 8))
        r, c = divmod(3 * g, 6)
        base[2 * r : 2 * r + 3, c : c + 3] = 1.0
        maps.append(base[None, None] + noise * rng.standard_normal((n, 1, 8, 8)))
        labels += [g] * n
    return np.concatenate(maps), np.array(labels)


def test_two_separated_groups_give_eigengap_two_and_are_recovered() -> None:
    maps, truth = _groups([40, 25])
    result = spray(maps, n_neighbors=8)
    assert result.n_clusters == 2
    assert result.eigenvalues[1] < 1e-8  # two components: two zero eigenvalues
    assert result.eigenvalues[2] > 0.1
    assert adjusted_rand_score(truth, result.labels) == pytest.approx(1.0)
    f1, _ = best_cluster_f1(result.labels, truth == 1)
    assert f1 == pytest.approx(1.0)


def test_three_groups_give_eigengap_three() -> None:
    maps, truth = _groups([30, 20, 25], seed=1)
    result = spray(maps, n_neighbors=6)
    assert result.n_clusters == 3
    assert adjusted_rand_score(truth, result.labels) == pytest.approx(1.0)


def test_one_homogeneous_group_gives_no_split_at_the_first_gap() -> None:
    rng = np.random.default_rng(0)
    values = laplacian_spectrum(knn_affinity(rng.standard_normal((60, 5)), 10))
    assert values[0] == pytest.approx(0.0, abs=1e-8)
    assert values[1] > 1e-3  # a connected graph has a single zero eigenvalue


def test_n_clusters_overrides_the_eigengap() -> None:
    maps, _ = _groups([20, 20])
    result = spray(maps, n_neighbors=5, n_clusters=3)
    assert result.n_clusters == 3
    assert len(np.unique(result.labels)) == 3


def test_eigengap_picks_the_largest_jump() -> None:
    assert eigengap(np.array([0.0, 0.01, 0.02, 0.6, 0.65, 0.7]), max_clusters=5) == 3
    assert eigengap(np.array([0.0, 0.5, 0.55, 0.6]), max_clusters=3) == 1
    # a jump beyond max_clusters is not considered
    assert eigengap(np.array([0.0, 0.1, 0.15, 0.2, 0.9]), max_clusters=3) == 1
    with pytest.raises(ValueError):
        eigengap(np.array([0.0]))


def test_affinity_is_symmetric_binary_without_self_loops() -> None:
    rng = np.random.default_rng(0)
    a = knn_affinity(rng.standard_normal((30, 4)), 4)
    assert np.array_equal(a, a.T)
    assert set(np.unique(a)) <= {0.0, 1.0}
    assert np.all(np.diag(a) == 0)
    assert np.all(a.sum(1) >= 4)
    with pytest.raises(ValueError):
        knn_affinity(rng.standard_normal((5, 2)), 5)


def test_prepare_scales_to_unit_norm_and_keeps_zero_maps() -> None:
    maps = np.zeros((3, 1, 2, 2))
    maps[0, 0, 0, 0] = 3.0
    maps[1] = -2.0
    flat = prepare(maps)
    assert flat.shape == (3, 4)
    assert np.linalg.norm(flat[0]) == pytest.approx(1.0)
    assert np.linalg.norm(flat[1]) == pytest.approx(1.0)
    assert np.all(flat[2] == 0)


def test_positive_share_counts_positive_relevance_in_the_region() -> None:
    maps = torch.zeros(3, 1, 2, 2)
    maps[0, 0] = torch.tensor([[3.0, 1.0], [-5.0, 0.0]])  # 3 of 4 positive units inside
    maps[1, 0] = torch.tensor([[0.0, 2.0], [2.0, 0.0]])  # none inside
    region = torch.zeros(1, 2, 2)
    region[0, 0, 0] = 1.0
    share = positive_share(maps, region.expand(3, 1, 2, 2))
    assert share[0].item() == pytest.approx(0.75)
    assert share[1].item() == pytest.approx(0.0)
    assert torch.isnan(share[2])


def test_best_cluster_f1() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 2])
    members = np.array([0, 0, 0, 1, 1, 1, 0, 0], dtype=bool)
    f1, label = best_cluster_f1(labels, members)
    assert label == 1
    assert f1 == pytest.approx(2 * 0.75 * 1.0 / 1.75)


@pytest.mark.parametrize("make", [lambda: SmallCNN(), lambda: MLP(64, 10, hidden=16)])
def test_lrp_runs_on_the_shared_networks(make) -> None:
    torch.manual_seed(0)
    model = make().eval()
    x = torch.rand(6, 1, 8, 8)
    maps = relevance_maps(model, x, 3, batch_size=4)
    assert maps.shape == x.shape
    assert torch.isfinite(maps).all()
    again = relevance_maps(model, x, torch.full((6,), 3))
    assert torch.allclose(maps, again)


def test_lrp_conserves_relevance_in_a_bias_free_relu_network() -> None:
    torch.manual_seed(0)
    model = MLP(64, 10, hidden=16)
    for m in model.modules():
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.zeros_(m.bias)
    x = torch.rand(5, 1, 8, 8)
    target = torch.arange(5)
    maps = relevance_maps(model, x, target)
    with torch.no_grad():
        logits = model(x).gather(1, target[:, None])[:, 0]
    assert torch.allclose(maps.sum((1, 2, 3)), logits, atol=1e-4)


def test_epsilon_plus_conserves_relevance_in_a_bias_free_cnn_and_differs_from_lrp0() -> None:
    torch.manual_seed(0)
    model = SmallCNN()
    for m in model.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            torch.nn.init.zeros_(m.bias)
    x = torch.rand(5, 1, 8, 8)
    target = torch.arange(5)
    maps = relevance_maps(model, x, target, rules="epsilon-plus", epsilon=1e-9)
    with torch.no_grad():
        logits = model(x).gather(1, target[:, None])[:, 0]
    assert torch.allclose(maps.sum((1, 2, 3)), logits, atol=1e-4)  # z+ and (tiny) epsilon both conserve
    lrp0 = relevance_maps(model, x, target)
    assert not torch.allclose(maps, lrp0, atol=1e-4)


def test_epsilon_plus_leaves_the_model_unchanged_and_rejects_unknown_rules() -> None:
    torch.manual_seed(0)
    model = SmallCNN()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.rand(4, 1, 8, 8)
    relevance_maps(model, x, 2, rules="epsilon-plus", batch_size=3)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert not any(hasattr(m, "rule") for m in model.modules())
    with pytest.raises(ValueError):
        relevance_maps(model, x, 2, rules="gamma")
