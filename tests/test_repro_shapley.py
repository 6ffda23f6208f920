"""Exact Shapley enumeration, the Shapley-kernel regression, LIME's limit and the Captum estimators' budgets."""

from __future__ import annotations

import numpy as np
import pytest

from interpcat.repro.shapley import (
    METHODS,
    budget_sweep,
    coalitions,
    estimate,
    exact_shapley,
    lime_kernel_weight,
    lime_limit,
    pick_examples,
    relative_error,
    samples_for_budget,
    shapley_from_values,
    shapley_kernel_regression,
    shapley_kernel_weight,
)


def _nonlinear(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    return X[:, 0] * X[:, 1] + np.maximum(X[:, 2], X[:, 3]) + np.sin(X[:, 4]) * X[:, 5] * X[:, 0] + 0.5 * X[:, 6]


def test_coalitions_enumerate_every_subset_once() -> None:
    masks = coalitions(4)
    assert masks.shape == (16, 4)
    assert len({tuple(row) for row in masks}) == 16
    assert not masks[0].any() and masks[-1].all()
    with pytest.raises(ValueError):
        coalitions(0)


def test_exact_values_are_efficient() -> None:
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, b = rng.normal(size=7), rng.normal(size=7)
        ex = exact_shapley(_nonlinear, x, b)
        f_x, f_b = _nonlinear(x[None])[0], _nonlinear(b[None])[0]
        assert ex.f_x == pytest.approx(f_x) and ex.f_baseline == pytest.approx(f_b)
        assert ex.phi.sum() == pytest.approx(f_x - f_b, abs=1e-10)


def test_linear_model_values_are_weight_times_offset() -> None:
    rng = np.random.default_rng(1)
    w = rng.normal(size=9)
    x, b = rng.normal(size=9), rng.normal(size=9)
    ex = exact_shapley(lambda X: X @ w + 2.0, x, b)
    np.testing.assert_allclose(ex.phi, w * (x - b), atol=1e-12)


def test_unused_feature_gets_zero_and_symmetric_features_share() -> None:
    x, b = np.array([1.0, 1.0, 3.0]), np.zeros(3)
    ex = exact_shapley(lambda X: X[:, 0] * X[:, 1], x, b)
    assert ex.phi[2] == pytest.approx(0.0)
    assert ex.phi[0] == pytest.approx(ex.phi[1]) == pytest.approx(0.5)


def test_paper_toy_games() -> None:
    # sickness score (Figure 4A): 5 with one symptom, 2 with both, 0 with none
    assert shapley_from_values(np.array([0.0, 5.0, 5.0, 2.0]), 2) == pytest.approx([1.0, 1.0])
    # max allocation (Figure 4B): profit is the best score among three players scoring 5, 4, 0
    scores = np.array([5.0, 4.0, 0.0])
    values = np.array([scores[m].max() if m.any() else 0.0 for m in coalitions(3)])
    assert shapley_from_values(values, 3) == pytest.approx([3.0, 2.0, 0.0])


def test_shapley_kernel_regression_recovers_shapley_values() -> None:
    rng = np.random.default_rng(2)
    x, b = rng.normal(size=7), rng.normal(size=7)
    ex = exact_shapley(_nonlinear, x, b)
    np.testing.assert_allclose(shapley_kernel_regression(ex.values, 7), ex.phi, atol=1e-9)
    assert shapley_kernel_weight(0, 7) == np.inf and shapley_kernel_weight(7, 7) == np.inf
    assert shapley_kernel_weight(1, 7) == pytest.approx(shapley_kernel_weight(6, 7))


def test_lime_limit_matches_on_linear_models_but_not_with_interactions() -> None:
    rng = np.random.default_rng(3)
    w = rng.normal(size=6)
    x, b = rng.normal(size=6), rng.normal(size=6)
    linear = exact_shapley(lambda X: X @ w, x, b)
    np.testing.assert_allclose(lime_limit(linear.values, 6), linear.phi, atol=1e-9)
    product = exact_shapley(lambda X: X[:, 0] * X[:, 1] * X[:, 2], np.ones(6), np.zeros(6))
    assert relative_error(lime_limit(product.values, 6), product.phi) > 0.1
    assert lime_kernel_weight(6, 6) == pytest.approx(1.0)
    assert lime_kernel_weight(0, 6) == 0.0
    assert lime_kernel_weight(5, 6) > lime_kernel_weight(1, 6)


def test_relative_error() -> None:
    assert relative_error(np.array([1.0, 1.0]), np.array([1.0, -1.0])) == pytest.approx(1.0)
    assert np.isnan(relative_error(np.zeros(2), np.zeros(2)))


@pytest.mark.parametrize("method", METHODS)
def test_captum_estimates_stay_within_budget_and_are_exact_on_linear_models(method: str) -> None:
    rng = np.random.default_rng(4)
    w = rng.normal(size=5)
    x, b = rng.normal(size=5).astype(np.float32), np.zeros(5, dtype=np.float32)
    exact = w * x.astype(np.float64)
    for budget in (16, 64):
        phi, used = estimate(method, lambda X: X @ w, x, b, budget, seed=0)
        assert used <= budget
        assert used >= budget - 5  # nothing left unspent beyond one permutation's worth
        assert relative_error(phi, exact) < 1e-4
    assert samples_for_budget("shapley-sampling", 16, 5) == 3
    with pytest.raises(ValueError):
        samples_for_budget("occlusion", 16, 5)


def test_budget_sweep_shapes_and_pick_examples() -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(6, 7)).astype(np.float32)
    b = np.zeros(7, dtype=np.float32)
    chosen, exact = pick_examples(_nonlinear, X, b, n=2)
    assert chosen.shape == (2, 7) and len(exact) == 2
    sweep = budget_sweep(_nonlinear, chosen, b, budgets=(16, 32), seeds=(0, 1))
    assert sweep.errors.shape == (3, 2, 2, 2)
    assert sweep.estimates.shape == (3, 2, 2, 2, 7)
    assert np.isfinite(sweep.errors).all()
    assert (sweep.evaluations <= np.array([16, 32])[None, :, None, None]).all()
    assert sweep.error_curve("lime").shape == (2,)
    assert sweep.seed_means("kernel-shap").shape == (2, 2)
    again = budget_sweep(_nonlinear, chosen, b, budgets=(16, 32), seeds=(0, 1))
    np.testing.assert_array_equal(sweep.errors, again.errors)
