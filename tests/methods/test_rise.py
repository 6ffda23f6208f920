"""RISE masks and maps, and MoRF region perturbation with AOPC, on models whose answer is known."""

from __future__ import annotations

import pytest
import torch

from interpcat.methods.rise import rise_attribution, rise_masks
from interpcat.metrics.region_perturbation import aopc, from_regions, morf_curve, to_regions


def _masks(n: int = 2000, seed: int = 0, size: tuple[int, int] = (8, 8), grid: int = 4, p: float = 0.5):
    return rise_masks(n, size, grid_size=grid, keep_prob=p, generator=torch.Generator().manual_seed(seed))


def test_masks_shape_range_mean_and_seeding() -> None:
    masks = _masks()
    assert masks.shape == (2000, 1, 8, 8)
    assert float(masks.min()) >= 0.0 and float(masks.max()) <= 1.0
    assert abs(float(masks.mean()) - 0.5) < 0.03
    assert torch.equal(masks, _masks())
    assert not torch.equal(masks, _masks(seed=1))
    # smooth, not binary: bilinear upsampling leaves intermediate values
    assert bool(((masks > 0.01) & (masks < 0.99)).any())


def test_masks_are_shifted_not_tied_to_one_grid() -> None:
    """With a 2-pixel cell, a random shift of 0 or 1 pixel: both phases occur."""
    masks = _masks(n=200, grid=4)
    # A mask drawn without a shift has equal neighbours (0,0)-(0,1) only by chance; shifts must
    # make the pattern vary: the first row is not always a repetition of 2-pixel blocks.
    pairs_equal = (masks[:, 0, 0, 0] == masks[:, 0, 0, 1]).float().mean()
    assert 0.0 < float(pairs_equal) < 1.0


def test_masks_reject_bad_arguments() -> None:
    gen = torch.Generator().manual_seed(0)
    with pytest.raises(ValueError):
        rise_masks(10, (8, 8), grid_size=4, keep_prob=0.0, generator=gen)
    with pytest.raises(ValueError):
        rise_masks(0, (8, 8), grid_size=4, keep_prob=0.5, generator=gen)


def test_rise_ranks_the_only_pixel_the_model_reads_first() -> None:
    """A 'model' whose score is one pixel's value: that pixel gets the highest importance."""
    r, c = 4, 5

    def forward(batch: torch.Tensor) -> torch.Tensor:
        return torch.stack([batch[:, 0, r, c], torch.zeros(len(batch))], 1)

    x = torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(1)) + 0.5
    maps = rise_attribution(forward, x, 0, _masks(n=4000), keep_prob=0.5, batch_size=700)
    for b in range(2):
        flat = maps[b, 0].reshape(-1)
        assert int(flat.argmax()) == r * 8 + c
    # the explained class matters: class 1 scores nothing, so its map is zero
    assert float(rise_attribution(forward, x, 1, _masks(n=50), keep_prob=0.5).abs().max()) == 0.0


def test_rise_normalisation_gives_the_constant_score_for_a_constant_model() -> None:
    """If the score is always 1, E[f | pixel kept] = 1: the map is close to 1 everywhere."""
    x = torch.ones(1, 3, 8, 8)
    maps = rise_attribution(lambda b: torch.ones(len(b), 1), x, 0, _masks(n=4000), keep_prob=0.5)
    assert maps.shape == x.shape
    assert torch.allclose(maps[0, 0], maps[0, 2])
    assert abs(float(maps.mean()) - 1.0) < 0.05


def test_rise_per_example_targets() -> None:
    def forward(batch: torch.Tensor) -> torch.Tensor:
        return torch.stack([batch[:, 0, 2, 3], batch[:, 0, 6, 6]], 1)

    x = torch.ones(2, 1, 8, 8)
    maps = rise_attribution(forward, x, torch.tensor([0, 1]), _masks(n=3000), keep_prob=0.5)
    assert int(maps[0, 0].reshape(-1).argmax()) == 2 * 8 + 3
    assert int(maps[1, 0].reshape(-1).argmax()) == 6 * 8 + 6


def test_regions_round_trip() -> None:
    x = torch.arange(2 * 8 * 8, dtype=torch.float32).reshape(2, 8, 8)
    r = to_regions(x, 2)
    assert r.shape == (16, 8)
    # region 1 is rows 0-1, columns 2-3 of both channels
    assert sorted(r[1].tolist()) == sorted([2.0, 3.0, 10.0, 11.0, 66.0, 67.0, 74.0, 75.0])
    assert torch.equal(from_regions(r[None], (2, 8, 8), 2)[0], x)
    with pytest.raises(ValueError):
        to_regions(x, 3)


def test_morf_curve_removes_one_region_per_step_most_relevant_first() -> None:
    """Score = total of the image; relevance puts the region worth most first."""
    x = torch.zeros(1, 4, 4)
    x[0, 2:, 2:] = 4.0  # region 3 (bottom right) sums to 16
    x[0, :2, :2] = 1.0  # region 0 sums to 4
    attribution = x.clone()
    curve = morf_curve(lambda b: b.sum((1, 2, 3)), x, attribution, torch.zeros_like(x), size=2)
    assert curve.tolist() == [20.0, 4.0, 0.0, 0.0, 0.0]
    # AOPC = mean of the drops 0, 16, 20, 20, 20
    assert aopc(curve) == pytest.approx(76.0 / 5)
    # the reverse ordering drops later, so its AOPC is lower
    worse = morf_curve(lambda b: b.sum((1, 2, 3)), x, -attribution, torch.zeros_like(x), size=2)
    assert aopc(worse) < aopc(curve)


def test_aopc_needs_two_points() -> None:
    with pytest.raises(ValueError):
        aopc([1.0])
