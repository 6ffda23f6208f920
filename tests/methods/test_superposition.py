"""Toy models of superposition: the measures on configurations whose values are known, the sampler,
the closed-form gradients against autograd, and the two-feature analytic reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from interpcat.methods.superposition import (
    ToyModels,
    _loss_and_grads,
    dimensions_per_feature,
    feature_dimensionality,
    feature_norms,
    reconstruction_loss,
    sample_features,
    superposition,
    train_toy_models,
    two_feature_class,
    two_feature_expected_loss,
    two_feature_reference,
    zero_predictor_loss,
)


def _polygon(k: int) -> torch.Tensor:
    """k unit vectors evenly spread on a circle, as rows (k features in 2 dimensions)."""
    angles = torch.arange(k, dtype=torch.float64) * 2 * math.pi / k
    return torch.stack([angles.cos(), angles.sin()], -1)


def _tetrahedron() -> torch.Tensor:
    v = torch.tensor([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=torch.float64)
    return v / v.norm(dim=-1, keepdim=True)


@pytest.mark.parametrize(
    ("W", "expected"),
    [
        (torch.eye(3, dtype=torch.float64), 1.0),  # dedicated dimensions
        (torch.tensor([[1.0], [-1.0]], dtype=torch.float64), 1 / 2),  # antipodal pair
        (_polygon(3), 2 / 3),  # triangle
        (_polygon(5), 2 / 5),  # pentagon
        (_tetrahedron(), 3 / 4),  # tetrahedron
    ],
)
def test_dimensionality_of_regular_configurations(W: torch.Tensor, expected: float) -> None:
    d = feature_dimensionality(W)
    assert torch.allclose(d, torch.full_like(d, expected, dtype=d.dtype), atol=1e-5)
    # m / ||W||_F^2 equals the common dimensionality of unit features
    assert float(dimensions_per_feature(W)) == pytest.approx(expected, abs=1e-5)


def test_superposition_and_norms() -> None:
    W = torch.cat([torch.eye(2), torch.zeros(1, 2)])  # two dedicated features, one ignored
    assert torch.allclose(feature_norms(W), torch.tensor([1.0, 1.0, 0.0]))
    assert torch.allclose(superposition(W), torch.zeros(3))
    assert torch.allclose(feature_dimensionality(W), torch.tensor([1.0, 1.0, 0.0]))
    pair = torch.tensor([[1.0], [-1.0]])
    assert torch.allclose(superposition(pair), torch.ones(2))
    pentagon = _polygon(5).float()  # cos^2 72 + cos^2 144, twice
    assert torch.allclose(superposition(pentagon), torch.full((5,), 1.5), atol=1e-5)
    batch = torch.stack([torch.eye(2), torch.tensor([[1.0, 0.0], [-1.0, 0.0]])])  # instances
    assert superposition(batch).shape == (2, 2)
    assert torch.allclose(dimensions_per_feature(batch), torch.tensor([1.0, 1.0]))


def test_sampler_density_mean_and_range() -> None:
    density = torch.tensor([[1.0, 1.0], [0.1, 0.1]])
    x = sample_features(20000, density, np.random.default_rng(0))
    assert x.shape == (2, 20000, 2)
    assert float(x.min()) >= 0.0 and float(x.max()) <= 1.0
    active = (x > 0).float().mean(dim=1)
    assert torch.allclose(active, density, atol=0.01)
    # given active, uniform on [0, 1]: mean 1/2, mean square 1/3
    on = x[1][x[1] > 0]
    assert float(on.mean()) == pytest.approx(0.5, abs=0.02)
    assert float((on**2).mean()) == pytest.approx(1 / 3, abs=0.02)
    torch_gen = sample_features(100, density, torch.Generator().manual_seed(0))
    assert torch_gen.shape == (2, 100, 2)
    with pytest.raises(ValueError):
        sample_features(10, torch.tensor([[0.0, 1.0]]), np.random.default_rng(0))


@pytest.mark.parametrize("relu", [True, False])
def test_closed_form_gradients_match_autograd(relu: bool) -> None:
    model = ToyModels(3, 6, 2, relu=relu, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        model.b.normal_(generator=torch.Generator().manual_seed(1))
    x = sample_features(64, torch.full((3, 6), 0.5), np.random.default_rng(2))
    importance = 0.7 ** torch.arange(6, dtype=torch.float32)
    loss, grad_W, grad_b = _loss_and_grads(model, x, importance)
    reference = reconstruction_loss(x, model(x), importance)
    reference.sum().backward()
    assert torch.allclose(loss, reference.detach(), atol=1e-6)
    assert torch.allclose(grad_W, model.W.grad, atol=1e-6)
    assert torch.allclose(grad_b, model.b.grad, atol=1e-6)


def test_seeded_models_repeat_per_seed() -> None:
    a = ToyModels.seeded([0, 1], 3, 5, 2)
    b = ToyModels.seeded([1], 3, 5, 2)
    assert torch.equal(a.W[3:], b.W)
    assert not torch.equal(a.W[:3], b.W)


def test_linear_model_keeps_the_most_important_feature() -> None:
    """Dense, two features in one dimension: the linear model keeps the more important one (PCA)."""
    model = ToyModels(1, 2, 1, relu=False, generator=torch.Generator().manual_seed(0))
    importance = torch.tensor([0.1, 1.0])
    loss = train_toy_models(model, torch.ones(1, 2), importance, 1500, 256, 1e-2, np.random.default_rng(0))
    norms = feature_norms(model.W.detach())[0]
    assert float(norms[1]) > 0.9 and float(norms[0]) < 0.1
    assert float(loss[0]) < float(zero_predictor_loss(torch.ones(1, 2), importance)[0]) * 0.2


def test_two_feature_expected_loss_matches_closed_forms() -> None:
    p = torch.tensor([1.0, 0.3], dtype=torch.float64)
    r = torch.tensor([0.5, 2.0], dtype=torch.float64)
    zero = two_feature_expected_loss(torch.zeros(2, 2), torch.zeros(2, 2), p, r)
    assert torch.allclose(zero, (1 + r) * p / 3, rtol=1e-3)  # E[x^2] = p / 3 per feature
    # keep the main feature, predict the extra one by its mean: the extra feature's variance remains
    W = torch.tensor([[1.0, 0.0], [1.0, 0.0]], dtype=torch.float64)
    b = torch.stack([torch.zeros(2, dtype=torch.float64), p / 2], -1)
    kept = two_feature_expected_loss(W, b, p, r)
    assert torch.allclose(kept, r * (p / 3 - p**2 / 4), rtol=1e-3)
    # an antipodal pair without bias errs only when both are active: 2 E[min(x1, x2)^2] = 1/3 at r = 1
    pair = two_feature_expected_loss(torch.tensor([[1.0, -1.0]]), torch.zeros(1, 2), torch.tensor([0.2]), torch.ones(1))
    assert float(pair[0]) == pytest.approx(0.2**2 / 3, rel=1e-2)


def test_two_feature_classes_and_reference_corners() -> None:
    assert two_feature_class(1.0, 0.0) == "not represented"
    assert two_feature_class(0.0, 1.0) == "dedicated"
    assert two_feature_class(1.0, 1.0) == "superposition"
    assert two_feature_class(0.1, 0.2) == "neither"
    ref = two_feature_reference(torch.tensor([1.0, 1.0, 0.01]), torch.tensor([0.1, 10.0, 1.0]), steps=100, points=32)
    assert ref.phase == ["not represented", "dedicated", "superposition"]
    assert bool((ref.margin > 0.5).all())
    assert ref.W.shape == (3, 2)
