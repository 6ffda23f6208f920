"""Exact Shapley enumeration, the Shapley-kernel regression, LIME's limit, and the budgets of the shap, lime and
Captum estimators."""

from __future__ import annotations

import numpy as np
import pytest

from interpcat.methods.shapley import (
    METHODS,
    budget_sweep,
    coalitions,
    estimate,
    exact_shapley,
    interaction_share,
    lime_default_width,
    lime_kernel_weight,
    lime_limit,
    lime_tabular,
    pick_examples,
    relative_error,
    samples_for_budget,
    shap_kernel,
    shap_sampling,
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
    np.testing.assert_allclose(lime_limit(linear.values, 6, alpha=0.0), linear.phi, atol=1e-9)
    # LIME's ridge at its default 5,000 samples shrinks only a little
    np.testing.assert_allclose(lime_limit(linear.values, 6), linear.phi, rtol=1e-2, atol=1e-3)
    assert np.abs(lime_limit(linear.values, 6, n_samples=10)).sum() < np.abs(linear.phi).sum()
    product = exact_shapley(lambda X: X[:, 0] * X[:, 1] * X[:, 2], np.ones(6), np.zeros(6))
    assert relative_error(lime_limit(product.values, 6), product.phi) > 0.1


def test_lime_kernel_is_the_tabular_default() -> None:
    assert lime_default_width(16) == pytest.approx(3.0)
    assert lime_kernel_weight(6, 6) == pytest.approx(1.0)
    # d^2 = M - |z| = 10 at M = 10, width^2 = 0.5625 * 10: weight sqrt(exp(-1 / 0.5625))
    assert lime_kernel_weight(0, 10) == pytest.approx(np.sqrt(np.exp(-1 / 0.5625)))
    assert lime_kernel_weight(5, 6) > lime_kernel_weight(1, 6) > 0


def test_interaction_share_is_zero_on_additive_games_only() -> None:
    rng = np.random.default_rng(6)
    x, b = rng.normal(size=5), rng.normal(size=5)
    assert interaction_share(exact_shapley(lambda X: X @ np.arange(5.0) + np.sin(X[:, 0]), x, b)) < 1e-12
    assert interaction_share(exact_shapley(lambda X: X[:, 0] * X[:, 1], np.ones(5), np.zeros(5))) > 0.1


def test_shap_kernel_explainer_is_exact_when_every_coalition_is_enumerated() -> None:
    rng = np.random.default_rng(7)
    x, b = rng.normal(size=7), rng.normal(size=7)
    ex = exact_shapley(_nonlinear, x, b)
    for l1_reg in ("num_features(10)", "auto"):
        phi, used = shap_kernel(_nonlinear, x, b, budget=2**7, seed=0, l1_reg=l1_reg)
        assert used == 2**7
        np.testing.assert_allclose(phi, ex.phi, atol=1e-6)
    phi, used = shap_kernel(_nonlinear, x, b, budget=500, seed=0)
    assert used == 2**7  # nothing to spend beyond every coalition
    # with a smaller budget (the AIC lasso on) the estimate still adds up to f(x) - f(b)
    phi, used = shap_kernel(_nonlinear, x, b, budget=24, seed=1, l1_reg="auto")
    assert used == 24
    assert phi.sum() == pytest.approx(ex.f_x - ex.f_baseline, abs=1e-6)
    # the package draws from numpy's global generator: seeded per call, and the global state is left alone
    state = np.random.get_state()[1].copy()
    again, _ = shap_kernel(_nonlinear, x, b, budget=24, seed=1, l1_reg="auto")
    np.testing.assert_array_equal(phi, again)
    np.testing.assert_array_equal(state, np.random.get_state()[1])


def test_shap_sampling_explainer_needs_a_sample_per_feature() -> None:
    rng = np.random.default_rng(8)
    x, b = rng.normal(size=7), rng.normal(size=7)
    ex = exact_shapley(_nonlinear, x, b)
    phi, used = shap_sampling(_nonlinear, x, b, budget=2 + 4 * 7 - 1, seed=0)
    assert used == 0 and np.isnan(phi).all()
    phi, used = shap_sampling(_nonlinear, x, b, budget=400, seed=0)
    assert 0 < used <= 400
    assert phi.sum() == pytest.approx(ex.f_x - ex.f_baseline, rel=1e-3)  # the package's efficiency adjustment
    assert relative_error(phi, ex.phi) < 0.3


def test_lime_package_settles_on_lime_limit() -> None:
    rng = np.random.default_rng(9)
    x, b = rng.normal(size=7), rng.normal(size=7)
    ex = exact_shapley(_nonlinear, x, b)
    phi, used = lime_tabular(_nonlinear, x, b, budget=5000, seed=0)
    assert used == 5000
    limit = lime_limit(ex.values, 7, n_samples=5000)
    assert np.abs(phi - limit).sum() / np.abs(ex.phi).sum() < 0.1


def test_relative_error() -> None:
    assert relative_error(np.array([1.0, 1.0]), np.array([1.0, -1.0])) == pytest.approx(1.0)
    assert np.isnan(relative_error(np.zeros(2), np.zeros(2)))


@pytest.mark.parametrize("method", METHODS)
def test_estimates_stay_within_budget_and_are_exact_on_linear_models(method: str) -> None:
    rng = np.random.default_rng(4)
    w = rng.normal(size=5)
    x, b = rng.normal(size=5).astype(np.float32), np.zeros(5, dtype=np.float32)
    exact = w * x.astype(np.float64)
    for budget in (16, 64):
        phi, used = estimate(method, lambda X: X @ w, x, b, budget, seed=0)
        if method == "shap-sampling" and budget < 2 + 4 * 5:
            assert used == 0 and np.isnan(phi).all()  # too few evaluations for a sample per feature
            continue
        assert used <= budget
        assert used >= min(budget, 2**5) - 5  # nothing left unspent beyond one permutation's worth
        # LIME's ridge (alpha 1, as in the LIME package) shrinks the fit at these sample sizes
        assert relative_error(phi, exact) < (0.5 if method.startswith("lime") else 1e-4)
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
    assert sweep.errors.shape == (len(METHODS), 2, 2, 2)
    assert sweep.estimates.shape == (len(METHODS), 2, 2, 2, 7)
    shap_sampling_row = METHODS.index("shap-sampling")
    assert np.isnan(sweep.errors[shap_sampling_row, 0]).all()  # 16 evaluations: fewer than 2 + 4 M
    assert np.isfinite(np.delete(sweep.errors, shap_sampling_row, axis=0)).all()
    assert np.isfinite(sweep.errors[shap_sampling_row, 1]).all()
    assert (sweep.evaluations <= np.array([16, 32])[None, :, None, None]).all()
    assert sweep.error_curve("lime").shape == (2,)
    assert sweep.seed_means("kernel-shap").shape == (2, 2)
    again = budget_sweep(_nonlinear, chosen, b, budgets=(16, 32), seeds=(0, 1))
    np.testing.assert_array_equal(sweep.errors, again.errors)
