"""The SENN building blocks: prediction = sum theta*h, the stability penalty, concept removal."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from interpcat.methods.senn import (
    SENN,
    AutoencoderConcepts,
    ConvConcepts,
    IdentityConcepts,
    LeNet,
    cnn_senn,
    concept_removal_drops,
    concept_senn,
    gradient_stability_penalty,
    mean_row_correlation,
    senn_loss,
    tabular_senn,
)


class ConstantTheta(nn.Module):
    """A relevance 'network' that ignores its input: a learned constant."""

    def __init__(self, n_out: int):
        super().__init__()
        self.value = nn.Parameter(torch.randn(n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.value.expand(len(x), -1)


class LinearTheta(nn.Module):
    """theta(x) = W x: varies with x, so the model is quadratic and the penalty is not zero."""

    def __init__(self, in_dim: int, n_out: int):
        super().__init__()
        self.lin = nn.Linear(in_dim, n_out, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x.flatten(1))


def test_prediction_is_the_sum_of_relevance_times_concept() -> None:
    torch.manual_seed(0)
    model = tabular_senn(5, 3, hidden=8)
    x = torch.randn(4, 5)
    h, theta = model.concepts(x), model.relevances(x)
    assert h.shape == (4, 6) and theta.shape == (4, 6, 3)  # five features and the constant concept
    by_hand = torch.stack([sum(theta[b, i, :] * h[b, i] for i in range(6)) for b in range(4)])
    assert torch.allclose(model(x), by_hand, atol=1e-6)
    assert torch.allclose(h[:, -1], torch.ones(4))


def test_penalty_vanishes_for_constant_relevances_and_identity_concepts() -> None:
    torch.manual_seed(0)
    for bias in (False, True):
        concepts = IdentityConcepts(4, bias=bias)
        model = SENN(concepts, ConstantTheta(concepts.n_concepts * 2), n_classes=2)
        for form in ("direct", "product-rule"):
            model.zero_grad()
            penalty = gradient_stability_penalty(model, torch.randn(8, 4), form=form)
            assert float(penalty.detach()) < 1e-5
            penalty.backward()  # finite gradients even where the penalty is zero
            assert all(p.grad is None or torch.isfinite(p.grad).all() for p in model.parameters())


def test_penalty_equals_jacobian_of_theta_times_concepts() -> None:
    # grad f_c - J_h^T theta_c = J_theta_c^T h (product rule); for theta = W x and h = x that is W_c^T x.
    torch.manual_seed(0)
    d, n_classes = 3, 2
    concepts = IdentityConcepts(d, bias=False)
    theta_net = LinearTheta(d, d * n_classes)
    model = SENN(concepts, theta_net, n_classes=n_classes)
    x = torch.randn(5, d)
    W = theta_net.lin.weight.reshape(d, n_classes, d)  # W[i, c, :] gives theta_ic(x) = W[i, c] . x
    expected = []
    for b in range(5):
        sq = sum(float((W[:, c, :].T @ x[b]).pow(2).sum()) for c in range(n_classes))
        expected.append(math.sqrt(sq))
    for form in ("direct", "product-rule"):
        value = float(gradient_stability_penalty(model, x, form=form).detach())
        assert value == pytest.approx(sum(expected) / 5, rel=1e-4)


@pytest.mark.parametrize("learned", [False, True])
def test_both_forms_of_the_penalty_agree_in_value_and_gradient(learned: bool) -> None:
    torch.manual_seed(0)
    model = concept_senn(12, 3, 4, hidden=8) if learned else tabular_senn(6, 3, hidden=8)
    x = torch.randn(5, 12) if learned else torch.randn(5, 6)
    grads = {}
    values = {}
    for form in ("direct", "product-rule"):
        model.zero_grad()
        penalty = gradient_stability_penalty(model, x, form=form)
        penalty.backward()
        values[form] = float(penalty.detach())
        grads[form] = [torch.zeros_like(p) if p.grad is None else p.grad.clone() for p in model.parameters()]
    assert values["direct"] == pytest.approx(values["product-rule"], rel=1e-4)
    for a, b in zip(grads["direct"], grads["product-rule"], strict=True):
        assert torch.allclose(a, b, atol=1e-5, rtol=1e-3)
    with pytest.raises(ValueError):
        gradient_stability_penalty(model, x, form="other")


def test_penalty_trains_the_relevance_network() -> None:
    torch.manual_seed(0)
    model = SENN(IdentityConcepts(3, bias=False), LinearTheta(3, 6), n_classes=2)
    x = torch.randn(16, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    start = float(gradient_stability_penalty(model, x))
    for _ in range(50):
        opt.zero_grad()
        gradient_stability_penalty(model, x).backward()
        opt.step()
    assert float(gradient_stability_penalty(model, x)) < 0.5 * start


def test_learned_concepts_shapes_loss_and_removal() -> None:
    torch.manual_seed(0)
    model = concept_senn(in_dim=16, n_concepts=3, n_classes=4, hidden=8)
    assert isinstance(model.conceptizer, AutoencoderConcepts)
    x = torch.rand(6, 1, 4, 4)
    h = model.concepts(x)
    assert h.shape == (6, 3) and bool(((h >= 0) & (h <= 1)).all())
    assert model.conceptizer.reconstruct(h).shape == (6, 16)
    loss = senn_loss(0.1, reconstruction=1.0, sparsity=0.01)(model, x, torch.zeros(6, dtype=torch.long), model(x), None)
    loss.backward()
    assert torch.isfinite(loss)
    # Removing concept i changes every class score by -theta_ic h_i: check through the logits.
    target = model(x).argmax(1)
    drops = concept_removal_drops(model, x, target)
    assert drops.shape == (6, 3)
    theta = model.relevances(x).detach()
    h = h.detach()
    logits = model(x).detach()
    for i in range(3):
        removed = logits - theta[:, i, :] * h[:, i : i + 1]
        q = removed.softmax(1)[torch.arange(6), target]
        p = logits.softmax(1)[torch.arange(6), target]
        assert torch.allclose(drops[:, i], p - q, atol=1e-6)


def test_feature_removal_replaces_with_baseline_and_skips_the_constant() -> None:
    torch.manual_seed(0)
    model = tabular_senn(4, 2, hidden=8)
    x = torch.randn(3, 4)
    target = model(x).argmax(1)
    base = torch.tensor([0.5, -1.0, 0.0, 2.0])
    drops = concept_removal_drops(model, x, target, baseline=base)
    assert drops.shape == (3, 4)
    x1 = x.clone()
    x1[:, 1] = -1.0
    p = model(x).softmax(1)[torch.arange(3), target]
    q = model(x1).softmax(1)[torch.arange(3), target]
    assert torch.allclose(drops[:, 1], (p - q).detach(), atol=1e-6)
    assert model.explain(x, target).shape == (3, 4)
    assert model.explain(x, 1).shape == (3, 4)


def test_mean_row_correlation() -> None:
    a = torch.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    b = torch.tensor([[2.0, 4.0, 6.0], [3.0, 2.0, 1.0], [0.0, 1.0, 2.0]])
    assert mean_row_correlation(a, b) == pytest.approx(0.0)  # +1 and -1; the constant row is skipped
    assert math.isnan(mean_row_correlation(a[2:], b[2:]))


def test_explanation_sensitivity_matches_local_lipschitz_and_measures_relative_change() -> None:
    from interpcat.metrics import explanation_sensitivity, local_lipschitz

    torch.manual_seed(0)
    weight = torch.randn(4, 4)

    def explain(xs: torch.Tensor) -> torch.Tensor:
        return torch.tanh(xs @ weight)

    x = torch.randn(1, 4)
    for n in (5, 70):  # one batch, and more than one batch of 64
        lip_ref = local_lipschitz(explain, x, radius=0.2, n_samples=n, generator=torch.Generator().manual_seed(3))
        lip, change = explanation_sensitivity(
            explain, x, radius=0.2, n_samples=n, generator=torch.Generator().manual_seed(3)
        )
        assert lip == pytest.approx(lip_ref, rel=1e-6)
        assert change > 0

    # A constant explanation never changes; a linear one changes by ||A d|| / ||A x|| at most.
    lip, change = explanation_sensitivity(lambda xs: torch.ones(len(xs), 3), x, radius=0.2, n_samples=20)
    assert lip == 0.0 and change == 0.0
    a = torch.eye(4) * 2.0
    x0 = torch.ones(1, 4)
    lip, change = explanation_sensitivity(lambda xs: xs @ a, x0, radius=0.1, n_samples=200)
    assert lip == pytest.approx(2.0, rel=1e-5)  # e(x') - e(x) = 2 (x' - x)
    assert 0.0 < change <= 0.1 + 1e-6  # ||2d|| / ||2x|| with ||d|| <= 0.1 * sqrt(4) and ||x0|| = 2


def test_cnn_senn_has_the_authors_mnist_shapes() -> None:
    torch.manual_seed(0)
    model = cnn_senn(n_concepts=5, n_classes=10)
    assert isinstance(model.conceptizer, ConvConcepts)
    x = torch.rand(3, 1, 28, 28)
    h, theta = model.concepts(x), model.relevances(x)
    assert h.shape == (3, 5) and theta.shape == (3, 5, 10)
    assert bool((theta.abs() <= 1).all())  # tanh relevances, as the authors' image parametrizer
    recon = model.conceptizer.reconstruct(h)
    assert recon.shape == (3, 28 * 28) and bool(((recon >= 0) & (recon <= 1)).all())
    assert model(x).shape == (3, 10)
    assert LeNet(10)(x).shape == (3, 10)
    # authors' layer sizes: conv 1->10 (5x5), conv 10->k (5x5), a 4x4 map per concept, LeNet fc 320
    assert model.conceptizer.map == 4 and model.parametrizer.net.fc.in_features == 320
    with pytest.raises(ValueError):
        ConvConcepts(5, image_size=12)


def test_cnn_senn_penalty_forms_agree() -> None:
    torch.manual_seed(0)
    model = cnn_senn(n_concepts=3, n_classes=4).double()
    x = torch.rand(2, 1, 28, 28, dtype=torch.float64)
    direct = gradient_stability_penalty(model, x, form="direct")
    product = gradient_stability_penalty(model, x, form="product-rule")
    assert float(direct) == pytest.approx(float(product), rel=1e-6)


def test_penalty_batch_uses_the_first_examples_only() -> None:
    torch.manual_seed(0)
    model = cnn_senn(n_concepts=3, n_classes=4)
    x = torch.rand(6, 1, 28, 28)
    y = torch.zeros(6, dtype=torch.long)
    logits = model(x)
    sub = senn_loss(0.5, reconstruction=0.0, penalty_batch=2)(model, x, y, logits, None)
    # reconstruction weight 0 leaves the penalty and an exact zero from the MSE term
    assert float(sub) == pytest.approx(0.5 * float(gradient_stability_penalty(model, x[:2])), rel=1e-5)
    whole = senn_loss(0.5, reconstruction=0.0, penalty_batch=100)(model, x, y, logits, None)
    assert float(whole) == pytest.approx(0.5 * float(gradient_stability_penalty(model, x)), rel=1e-5)
    with pytest.raises(ValueError):
        senn_loss(0.5, penalty_batch=0)
