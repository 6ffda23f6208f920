"""Unit tests for the negative-XIL attribution penalties (interpcat.methods.negative_xil)."""

from __future__ import annotations

import pytest
import torch
from captum.attr import FeatureAblation, InputXGradient, IntegratedGradients, NoiseTunnel, Saliency
from torch import nn

from interpcat.methods import negative_xil as nx


class LogProb(nn.Module):
    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(self.model(x), dim=1)


@pytest.fixture
def setup():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3))
    x = torch.randn(5, 6)
    y = torch.tensor([0, 1, 2, 1, 0])
    mask = torch.zeros_like(x)
    mask[:, :2] = 1.0
    return model, x, y, mask


def test_gradients_match_captum(setup):
    model, x, y, _ = setup
    sal = Saliency(LogProb(model)).attribute(x.clone().requires_grad_(True), target=y, abs=False)
    assert torch.allclose(nx.input_gradient(model, x, y), sal, atol=1e-6)
    ixg = InputXGradient(LogProb(model)).attribute(x.clone().requires_grad_(True), target=y)
    assert torch.allclose(nx.gradient_x_input(model, x, y), ixg, atol=1e-6)


def test_integrated_gradients_match_captum(setup):
    model, x, y, _ = setup
    ours = nx.integrated_gradients(model, x, y, n_steps=16)
    ig = IntegratedGradients(LogProb(model)).attribute(
        x, baselines=torch.zeros_like(x), target=y, n_steps=16, method="riemann_middle"
    )
    assert torch.allclose(ours, ig, atol=1e-5)


def test_smoothgrad_is_captum_in_expectation(setup):
    model, x, y, _ = setup
    gen = torch.Generator().manual_seed(1)
    ours = nx.smoothgrad(model, x, y, sigma=0.3, n_samples=2000, generator=gen)
    torch.manual_seed(2)
    theirs = NoiseTunnel(Saliency(LogProb(model))).attribute(
        x.clone().requires_grad_(True), nt_type="smoothgrad", nt_samples=2000, stdevs=0.3, target=y
    )
    assert torch.allclose(ours, theirs, atol=0.02 * float(theirs.abs().max()))
    sq = nx.smoothgrad(model, x, y, sigma=0.3, n_samples=64, power=2.0, generator=gen)
    one = nx.smoothgrad(model, x, y, sigma=0.3, n_samples=64, power=1.0, generator=torch.Generator().manual_seed(1))
    assert (sq >= 0).all() and one.shape == x.shape


def test_region_occlusion_matches_feature_ablation(setup):
    model, x, y, mask = setup
    groups = torch.tensor([0, 0, 1, 2, 3, 4]).expand_as(x)
    fa = FeatureAblation(LogProb(model)).attribute(x, baselines=0.0, target=y, feature_mask=groups)
    assert torch.allclose(nx.region_occlusion(model, x, y, mask), fa[:, 0], atol=1e-6)


@pytest.mark.parametrize("method", nx.METHODS)
def test_penalty_is_differentiable_and_zero_off_mask(setup, method):
    model, x, y, mask = setup
    kw = {"sigma": 0.3, "n_samples": 4} if method == "smoothgrad" else {}
    pen = nx.negative_xil_penalty(method, model, x, y, mask, **kw)
    assert pen.ndim == 0 and float(pen.detach()) > 0
    grads = torch.autograd.grad(pen, list(model.parameters()), allow_unused=True)
    assert any(g is not None and float(g.abs().sum()) > 0 for g in grads)
    zero = nx.negative_xil_penalty(method, model, x, y, torch.zeros_like(mask), **kw)
    assert float(zero) == 0.0


def test_loss_wrapper(setup):
    model, x, y, mask = setup
    logits = model(x)
    assert float(nx.negative_xil_loss("gradient", 0.0)(model, x, y, logits, mask)) == 0.0
    assert float(nx.negative_xil_loss("gradient", 1.0)(model, x, y, logits, None)) == 0.0
    two = nx.negative_xil_loss("gradient", 2.0)(model, x, y, logits, mask)
    assert torch.isclose(two, 2 * nx.negative_xil_penalty("gradient", model, x, y, mask))
    with pytest.raises(ValueError):
        nx.negative_xil_loss("lime", 1.0)
