"""Prototypical part networks (interpcat.methods.protopnet)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from interpcat.methods.protopnet import (  # noqa: E402
    ProtoPNet,
    class_connection_init,
    cluster_cost,
    last_layer_l1,
    log_similarity,
    project_prototypes,
    separation_cost,
    squared_distances,
    train_last_layer,
    train_protopnet,
)


def _features() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 3, 1), nn.Sigmoid())


def _model(seed: int = 0) -> ProtoPNet:
    torch.manual_seed(seed)
    return ProtoPNet(_features(), n_classes=2, per_class=2, dim=3, seed=seed)


def _data(n: int = 64, seed: int = 0):
    """Class 0: a bright left half; class 1: a bright right half."""
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=gen)
    X = 0.1 * torch.rand(n, 1, 8, 8, generator=gen)
    X[y == 0, :, :, :4] += 0.9
    X[y == 1, :, :, 4:] += 0.9
    return X, y


def test_distances_match_brute_force() -> None:
    z = torch.randn(2, 3, 4, 5)
    p = torch.randn(6, 3)
    d = squared_distances(z, p)
    brute = ((z[:, None, :, :, :] - p[None, :, :, None, None]) ** 2).sum(2)
    assert d.shape == (2, 6, 4, 5)
    assert torch.allclose(d, brute, atol=1e-5)


def test_similarity_falls_with_distance() -> None:
    d = torch.tensor([0.0, 0.1, 1.0, 10.0])
    s = log_similarity(d)
    assert torch.all(s[:-1] > s[1:])
    assert float(s[0]) == pytest.approx(float(torch.log(torch.tensor(1 / 1e-4))))


def test_class_connection_init() -> None:
    w = class_connection_init(torch.tensor([0, 0, 1]), 2)
    assert w.tolist() == [[1.0, 1.0, -0.5], [-0.5, -0.5, 1.0]]


def test_cluster_and_separation_costs() -> None:
    min_d = torch.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 0.5]])
    own = torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert float(cluster_cost(min_d, own)) == pytest.approx((1.0 + 0.5) / 2)
    assert float(separation_cost(min_d, own)) == pytest.approx((2.0 + 3.0) / 2)


def test_last_layer_l1_counts_wrong_class_weights_only() -> None:
    model = _model()
    assert float(last_layer_l1(model).detach()) == pytest.approx(0.5 * 4)  # two wrong connections per class


def test_projection_puts_each_prototype_on_a_patch_of_its_class() -> None:
    model = _model()
    X, y = _data()
    proj = project_prototypes(model, X, y)
    with torch.no_grad():
        z = model.features(X)
    for j, cls in enumerate(model.prototype_classes.tolist()):
        i, r, c = int(proj.image[j]), int(proj.row[j]), int(proj.col[j])
        assert int(y[i]) == cls
        assert torch.allclose(model.prototypes[j], z[i, :, r, c])
    # after the push, each prototype's nearest patch among its class's images is at distance zero
    d = model.run(X).min_distances.detach()
    own = model.own_class(y)
    assert torch.all((d + 1e9 * (1 - own)).min(0).values < 1e-5)
    # pushing again moves nothing
    assert float(project_prototypes(model, X, y).moved.max()) < 1e-5


def test_training_separates_two_classes() -> None:
    model = _model()
    X, y = _data(128)
    train_protopnet(model, X, y, epochs=15, lr=1e-2, seed=0)
    project_prototypes(model, X, y)
    train_last_layer(model, X, y, epochs=10, lr=1e-2)
    Xt, yt = _data(128, seed=1)
    assert float((model(Xt).argmax(1) == yt).float().mean()) > 0.9
