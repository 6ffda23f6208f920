"""The right-for-the-right-reasons penalty (interpcat.methods.rrr)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import numpy as np  # noqa: E402
from torch import nn  # noqa: E402

from interpcat.methods.rrr import (  # noqa: E402
    log_prob_input_gradients,
    masked_share,
    right_reasons_penalty,
    rrr_extra_loss,
    unit_pixel_weight,
)
from interpcat.repro.data import to_split  # noqa: E402
from interpcat.repro.training import fit  # noqa: E402
from interpcat.tasks.decoys import add_decoy_mnist_swatches  # noqa: E402


def _model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


def test_penalty_is_zero_without_annotations() -> None:
    model = _model()
    x = torch.randn(16, 4)
    assert float(right_reasons_penalty(model, x, torch.zeros_like(x)).detach()) == 0.0


def test_penalty_is_positive_when_the_model_uses_masked_inputs() -> None:
    model = _model()
    x = torch.randn(16, 4)
    mask = torch.zeros_like(x)
    mask[:, 0] = 1.0
    assert float(right_reasons_penalty(model, x, mask).detach()) > 0.0


def test_penalty_is_zero_when_the_model_ignores_masked_inputs() -> None:
    model = _model()
    with torch.no_grad():
        model[0].weight[:, 0] = 0.0  # feature 0 cannot affect the output
    x = torch.randn(16, 4)
    mask = torch.zeros_like(x)
    mask[:, 0] = 1.0
    assert float(right_reasons_penalty(model, x, mask).detach()) == pytest.approx(0.0, abs=1e-12)


def test_gradients_match_finite_differences() -> None:
    model = _model().double()
    x = torch.randn(3, 4, dtype=torch.float64)
    grad = log_prob_input_gradients(model, x)

    def f(z: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(model(z), dim=1).sum(1)

    eps = 1e-6
    for d in range(4):
        step = torch.zeros_like(x)
        step[:, d] = eps
        numeric = (f(x + step) - f(x - step)) / (2 * eps)
        assert torch.allclose(grad[:, d], numeric, atol=1e-6)


def test_penalty_reaches_the_parameters() -> None:
    model = _model()
    x = torch.randn(8, 4)
    mask = torch.ones_like(x)
    right_reasons_penalty(model, x, mask).backward()
    assert model[0].weight.grad is not None and float(model[0].weight.grad.abs().sum()) > 0


def test_training_with_the_penalty_moves_reliance_off_the_masked_feature() -> None:
    # Feature 0 is a perfect shortcut for the label; features 1-3 carry the label only noisily.
    gen = torch.Generator().manual_seed(0)
    y = torch.randint(0, 2, (256,), generator=gen)
    x = torch.randn(256, 4, generator=gen) * 0.5
    x[:, 0] = y.float() * 2 - 1
    x[:, 1:] += (y.float() * 2 - 1)[:, None] * 0.8
    mask = torch.zeros_like(x)
    mask[:, 0] = 1.0
    data = to_split(x.numpy(), y.numpy(), mask.numpy())

    shares = {}
    for weight in (0.0, 100.0):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
        fit(model, data, epochs=30, lr=1e-2, batch_size=64, extra_loss=rrr_extra_loss(weight), seed=0)
        grads = log_prob_input_gradients(model, x)
        shares[weight] = float(masked_share(grads, mask).mean())
    assert shares[100.0] < 0.1 < shares[0.0]


def test_masked_share() -> None:
    a = torch.tensor([[1.0, -3.0], [0.0, 0.0]])
    m = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    assert masked_share(a, m).tolist() == [0.75, 0.0]
    assert masked_share(a, m, power=2).tolist()[0] == pytest.approx(0.9)
    with pytest.raises(ValueError):
        masked_share(a, m[:, :1])


def test_unit_pixel_weight_gives_the_raw_pixel_objective() -> None:
    # The same function on raw 0-255 pixels (first layer divided by 255) and on [0, 1] pixels:
    # lambda1 * penalty on raw pixels equals unit_pixel_weight(lambda1) * penalty on [0, 1] pixels.
    torch.manual_seed(0)
    unit = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3)).double()
    raw = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3)).double()
    raw.load_state_dict(unit.state_dict())
    with torch.no_grad():
        raw[0].weight /= 255.0
    x = torch.rand(10, 6, dtype=torch.float64)
    mask = (torch.rand(10, 6) < 0.4).double()
    assert torch.allclose(unit(x), raw(x * 255.0))
    p_unit = float(right_reasons_penalty(unit, x, mask, create_graph=False))
    p_raw = float(right_reasons_penalty(raw, x * 255.0, mask, create_graph=False))
    assert 1000.0 * p_raw == pytest.approx(unit_pixel_weight(1000.0) * p_unit, rel=1e-9)


def test_decoy_mnist_swatches_follow_the_authors_code() -> None:
    rng = np.random.default_rng(0)
    images = np.zeros((200, 1, 28, 28), dtype=np.float32)
    labels = np.arange(200) % 10
    out, masks = add_decoy_mnist_swatches(images, labels, rng)
    assert masks.sum(axis=(1, 2, 3)).tolist() == [16.0] * 200
    corners = set()
    for img, mask, y in zip(out, masks, labels, strict=True):
        rows, cols = np.nonzero(mask[0])
        assert np.ptp(rows) == 3 and np.ptp(cols) == 3  # one 4x4 square
        assert rows.min() in (0, 24) and cols.min() in (0, 24)  # in a corner
        corners.add((rows.min(), cols.min()))
        assert np.allclose(img[0][mask[0] > 0], (255 - 25 * y) / 255)  # shade 255 - 25y
        assert img[0][mask[0] == 0].sum() == 0
    assert len(corners) == 4
    shades = np.full(200, 3)
    out, masks = add_decoy_mnist_swatches(images, labels, rng, shade_labels=shades)
    assert np.allclose(out[masks > 0], (255 - 75) / 255)
    with pytest.raises(ValueError):
        add_decoy_mnist_swatches(np.zeros((2, 1, 8, 8), dtype=np.float32), labels[:2], rng)
