"""Shared metrics against hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch

from interpcat.metrics import (
    completeness_gap,
    deletion_curve,
    gini,
    insertion_curve,
    local_lipschitz,
    normalized_auc,
    precision_at_k,
    spearman_rank_correlation,
)


def linear_score(weights: torch.Tensor):
    return lambda batch: (batch.reshape(len(batch), -1) * weights.reshape(1, -1)).sum(1)


def test_deletion_curve_of_a_linear_model_by_hand() -> None:
    # score = 4*x0 + 3*x1 + 2*x2 + 1*x3 with x = 1: removing the best feature first.
    w = torch.tensor([4.0, 3.0, 2.0, 1.0])
    x, base = torch.ones(4), torch.zeros(4)
    curve = deletion_curve(linear_score(w), x, w.clone(), base, steps=4)
    assert curve.tolist() == [10.0, 6.0, 3.0, 1.0, 0.0]
    # trapezoid on [0,1] with 4 intervals: 0.25 * (10/2 + 6 + 3 + 1 + 0/2) = 3.75
    assert normalized_auc(curve) == pytest.approx(3.75)


def test_insertion_curve_by_hand_and_a_reversed_map_is_worse() -> None:
    w = torch.tensor([4.0, 3.0, 2.0, 1.0])
    x, base = torch.ones(4), torch.zeros(4)
    good = insertion_curve(linear_score(w), x, w, base, steps=4)
    assert good.tolist() == [0.0, 4.0, 7.0, 9.0, 10.0]
    assert normalized_auc(good) == pytest.approx(0.25 * (0 / 2 + 4 + 7 + 9 + 10 / 2))
    bad = insertion_curve(linear_score(w), x, -w, base, steps=4)
    assert normalized_auc(bad) < normalized_auc(good)
    assert normalized_auc(deletion_curve(linear_score(w), x, -w, base, steps=4)) > 3.75


def test_deletion_ties_are_broken_by_position() -> None:
    w = torch.tensor([1.0, 2.0])
    curve = deletion_curve(linear_score(w), torch.ones(2), torch.zeros(2), torch.zeros(2), steps=2)
    assert curve.tolist() == [3.0, 2.0, 0.0]  # feature 0 goes first on a tie


def test_deletion_uneven_chunks_and_shape_checks() -> None:
    w = torch.arange(5, dtype=torch.float32)
    curve = deletion_curve(linear_score(w), torch.ones(5), w, torch.zeros(5), steps=2)
    # round(0), round(2.5)=2, round(5)=5 features removed -> 10, 10-4-3=3, 0
    assert curve.tolist() == [10.0, 3.0, 0.0]
    with pytest.raises(ValueError):
        deletion_curve(linear_score(w), torch.ones(5), torch.ones(4), torch.zeros(5))


def test_spearman_by_hand_with_ties_and_where() -> None:
    assert spearman_rank_correlation([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman_rank_correlation([1, 2, 3, 4], [4, 3, 2, 1], absolute=False) == pytest.approx(-1.0)
    # |[-1, 2, -3, 4]| = [1, 2, 3, 4]: identical ranks in absolute mode
    assert spearman_rank_correlation([-1, 2, -3, 4], [1, 2, 3, 4]) == pytest.approx(1.0)
    # Shared zeros tie and inflate rho; restricting to the informative positions removes them.
    a = [0, 0, 0, 0, 1, 2, 3]
    b = [0, 0, 0, 0, 3, 2, 1]
    assert spearman_rank_correlation(a, b, absolute=False) > 0.5
    keep = [False] * 4 + [True] * 3
    assert spearman_rank_correlation(a, b, absolute=False, where=keep) == pytest.approx(-1.0)
    assert math.isnan(spearman_rank_correlation([1, 1, 1], [1, 2, 3]))


def test_precision_at_k_by_hand() -> None:
    attr = torch.tensor([[0.9, 0.1, 0.8, 0.0], [0.1, 0.2, 0.3, 0.4]])
    relevant = torch.tensor([[True, False, False, False], [True, True, False, False]])
    assert precision_at_k(attr, relevant, 2).tolist() == [0.5, 0.0]
    assert precision_at_k(attr, relevant, torch.tensor([1, 4])).tolist() == [1.0, 0.5]
    with pytest.raises(ValueError):
        precision_at_k(attr, relevant, 5)


def test_completeness_gap() -> None:
    attrs = torch.tensor([[1.0, 2.0], [0.5, 0.5]])
    out, base = torch.tensor([4.0, 1.0]), torch.tensor([1.0, 0.0])
    assert completeness_gap(attrs, out, base).tolist() == pytest.approx([0.0, 0.0])
    assert completeness_gap(attrs * 2, out, base).tolist() == pytest.approx([1.0, 1.0])
    assert completeness_gap(attrs * 2, out, base, relative=False).tolist() == pytest.approx([3.0, 1.0])


def test_local_lipschitz_of_linear_maps() -> None:
    gen = torch.Generator().manual_seed(0)
    # A constant explanation has Lipschitz constant 0; the identity has exactly 1; 3x has 3.
    x = torch.zeros(1, 5)
    assert local_lipschitz(lambda z: torch.ones_like(z), x, radius=0.1, generator=gen) == 0.0
    assert local_lipschitz(lambda z: z, x, radius=0.1, generator=gen) == pytest.approx(1.0)
    assert local_lipschitz(lambda z: 3 * z, x, radius=0.1, generator=gen) == pytest.approx(3.0)


def test_gini_extremes() -> None:
    a = torch.tensor([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 5.0], [0.0, 0.0, 0.0, 0.0]])
    g = gini(a)
    assert g[0].item() == pytest.approx(0.0, abs=1e-6)
    assert g[1].item() == pytest.approx(0.75, abs=1e-6)  # (n - 1) / n for one non-zero feature
    assert g[2].item() == 0.0
