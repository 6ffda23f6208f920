"""Saliency guided training: the masking, the KL term and the loss in the training loop."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from interpcat.methods.saliency_guided import (
    label_saliency,
    lowest_saliency_mask,
    mask_low_saliency,
    n_masked,
    output_kl,
    random_fill,
    saliency_guided_loss,
)
from interpcat.repro.data import Split
from interpcat.repro.nets import MLP
from interpcat.repro.training import fit


def _half_blind_linear(n_features: int = 16, n_classes: int = 3) -> nn.Module:
    """A linear model whose non-negative weights use only the first half of the features."""
    torch.manual_seed(0)
    lin = nn.Linear(n_features, n_classes)
    with torch.no_grad():
        lin.weight.copy_(torch.rand(n_classes, n_features) + 0.1)
        lin.weight[:, n_features // 2 :] = 0.0
    return nn.Sequential(nn.Flatten(), lin)


def test_masked_input_differs_in_exactly_k_features_per_example() -> None:
    torch.manual_seed(1)
    model = MLP(20, 4, hidden=8)
    x, y = torch.randn(12, 20), torch.randint(0, 4, (12,))
    k = n_masked(20, 0.5)
    masked, mask = mask_low_saliency(model, x, y, k, generator=torch.Generator().manual_seed(0))
    assert k == 10
    assert mask.shape == x.shape and (mask.sum(1) == k).all()
    changed = masked != x
    assert (changed.sum(1) == k).all()
    assert torch.equal(changed, mask)
    # the replaced features are the k lowest-saliency ones
    sal = label_saliency(model, x, y)
    for i in range(len(x)):
        kept_min = sal[i][~mask[i]].min()
        assert (sal[i][mask[i]] <= kept_min).all()


def test_absolute_ranking_masks_the_smallest_magnitudes() -> None:
    sal = torch.tensor([[-5.0, 0.1, 3.0, -0.2]])
    assert lowest_saliency_mask(sal, 2).tolist() == [[True, False, False, True]]
    assert lowest_saliency_mask(sal.abs(), 2).tolist() == [[False, True, False, True]]
    with pytest.raises(ValueError):
        lowest_saliency_mask(sal, 5)


def test_fill_values_stay_within_each_examples_range() -> None:
    x = torch.stack([torch.linspace(-1.0, 2.0, 50), torch.linspace(3.0, 4.0, 50)])
    filled = random_fill(x, torch.ones_like(x, dtype=torch.bool), torch.Generator().manual_seed(0))
    assert (filled[0] >= -1.0).all() and (filled[0] <= 2.0).all()
    assert (filled[1] >= 3.0).all() and (filled[1] <= 4.0).all()
    assert not torch.equal(filled, x)


def test_kl_is_zero_when_the_model_ignores_the_masked_features() -> None:
    model = _half_blind_linear()
    x, y = torch.rand(8, 16), torch.randint(0, 3, (8,))
    gen = torch.Generator().manual_seed(0)
    masked, mask = mask_low_saliency(model, x, y, 8, absolute=True, generator=gen)
    # the ignored half has zero gradient, the used half a non-zero one: exactly the ignored half is masked
    assert mask[:, 8:].all() and not mask[:, :8].any()
    assert not torch.equal(masked, x)
    assert output_kl(model(x), model(masked)).item() == pytest.approx(0.0, abs=1e-7)
    loss = saliency_guided_loss(0.5, 1.0, absolute=True)(model, x, y, model(x), None)
    assert loss.item() == pytest.approx(0.0, abs=1e-7)


def test_kl_is_positive_and_trains_through_both_outputs() -> None:
    torch.manual_seed(2)
    model = MLP(16, 3, hidden=8)
    x, y = torch.rand(8, 16), torch.randint(0, 3, (8,))
    logits = model(x)
    loss = saliency_guided_loss(0.5, 2.0, seed=3)(model, x, y, logits, None)
    assert loss.item() > 0
    loss.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())
    assert saliency_guided_loss(0.5, 0.0)(model, x, y, logits, None).item() == 0.0


def test_saliency_keeps_the_model_mode() -> None:
    model = MLP(4, 2)
    model.train()
    label_saliency(model, torch.rand(3, 4), torch.tensor([0, 1, 0]))
    assert model.training


def test_fit_with_the_loss_repeats_exactly() -> None:
    torch.manual_seed(0)
    X, y = torch.rand(64, 1, 4, 4), torch.randint(0, 2, (64,))
    data = Split(X, y)
    runs = []
    for _ in range(2):
        torch.manual_seed(5)
        model = MLP(16, 2, hidden=8)
        history = fit(model, data, epochs=2, batch_size=16, extra_loss=saliency_guided_loss(0.25, 1.0, seed=1))
        runs.append((history.extra, [p.detach().clone() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0] and all(h > 0 for h in runs[0][0])
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1], strict=True))


def test_masking_on_28x28_images_through_a_cnn_masks_the_papers_k() -> None:
    """MNIST-shaped input (N, 1, 28, 28) through a small CNN: k = 50 % of the 784 pixels, in range."""
    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 13 * 13, 10)
    ).eval()
    x, y = torch.rand(5, 1, 28, 28), torch.randint(0, 10, (5,))
    k = n_masked(x[0].numel(), 0.5)
    assert k == 392
    masked, mask = mask_low_saliency(model, x, y, k, generator=torch.Generator().manual_seed(0))
    assert mask.shape == x.shape
    assert (mask.reshape(5, -1).sum(1) == k).all()
    assert torch.equal(masked[~mask], x[~mask])
    for i in range(len(x)):
        assert masked[i].min() >= x[i].min() and masked[i].max() <= x[i].max()
    loss = saliency_guided_loss(0.5, 1.0, seed=0)(model, x, y, model(x), None)
    assert loss.item() > 0
