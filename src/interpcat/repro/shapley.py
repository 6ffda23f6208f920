"""Exact Shapley values by enumerating every coalition, and sampling estimators measured against them.

References:
    Lundberg, S. M., Lee, S.-I. (2017). A Unified Approach to Interpreting Model Predictions.
    NeurIPS 2017. arXiv:1705.07874. (Section 4.1: Shapley sampling values and KernelSHAP;
    Section 5.1 and Figure 3: estimate accuracy against the number of model evaluations.)

The value of a coalition ``S`` of features is the model's output on the explained input with
every feature outside ``S`` replaced by a fixed baseline (the training mean in the notebook):
``v(S) = f(x_S, b_notS)``. This is the paper's Eq. 12 (feature independence and model linearity
for the conditional expectation) and the input mapping Captum's ``KernelShap``, ``Lime`` and
``ShapleyValueSampling`` use when given one baseline, so exact values and estimates answer the
same question. With ``M`` features there are ``2**M`` coalitions; for ``M <= 16`` enumerating
them all takes one batched model call.

Estimates come from Captum only (``KernelShap``, ``ShapleyValueSampling``, ``Lime``); this module
counts the model evaluations each one spends, so that methods are compared at equal budgets.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

Model = Callable[[np.ndarray], np.ndarray]
"""A model as a function from a (n, M) float array to a (n,) float array of outputs."""

METHODS = ("kernel-shap", "shapley-sampling", "lime")
MAX_ENUMERATED_FEATURES = 16


def coalitions(n_features: int) -> np.ndarray:
    """All ``2**M`` coalitions as a boolean (2**M, M) array; row ``k`` holds the bits of ``k``."""
    if not 1 <= n_features <= MAX_ENUMERATED_FEATURES:
        raise ValueError(f"enumerate 1 to {MAX_ENUMERATED_FEATURES} features, got {n_features}")
    k = np.arange(2**n_features)[:, None]
    return ((k >> np.arange(n_features)[None, :]) & 1).astype(bool)


def shapley_from_values(values: np.ndarray, n_features: int) -> np.ndarray:
    """Shapley values of a game given as ``values[k] = v(coalition k)`` (bit ``i`` of ``k`` = player ``i``).

    ``phi_i = sum over S not containing i of |S|! (M - |S| - 1)! / M! * (v(S + i) - v(S))``.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (2**n_features,):
        raise ValueError(f"need {2**n_features} coalition values, got shape {values.shape}")
    index = np.arange(2**n_features)
    size = coalitions(n_features).sum(1)
    weight = np.array(
        [math.factorial(s) * math.factorial(n_features - s - 1) / math.factorial(n_features) for s in range(n_features)]
    )
    phi = np.zeros(n_features)
    for i in range(n_features):
        without = index[((index >> i) & 1) == 0]
        phi[i] = np.sum(weight[size[without]] * (values[without | (1 << i)] - values[without]))
    return phi


def masked_inputs(x: np.ndarray, baseline: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Rows of ``x`` with the features outside each mask set to the baseline."""
    return np.where(masks, np.asarray(x)[None, :], np.asarray(baseline)[None, :])


@dataclass
class ExactShapley:
    """Exact Shapley values of one input, the model outputs they explain, and every coalition's value."""

    phi: np.ndarray
    f_x: float
    f_baseline: float
    values: np.ndarray

    @property
    def n_features(self) -> int:
        return self.phi.size


def exact_shapley(model: Model, x: np.ndarray, baseline: np.ndarray) -> ExactShapley:
    """Exact Shapley values of ``model`` at ``x`` with absent features set to ``baseline``.

    Evaluates the model once on all ``2**M`` coalitions. The values add up to
    ``f(x) - f(baseline)`` (efficiency).
    """
    x, baseline = np.asarray(x).ravel(), np.asarray(baseline).ravel()
    if x.shape != baseline.shape:
        raise ValueError("x and baseline need the same shape")
    n = x.size
    masks = coalitions(n)
    values = np.asarray(model(masked_inputs(x, baseline, masks)), dtype=np.float64).ravel()
    return ExactShapley(shapley_from_values(values, n), float(values[-1]), float(values[0]), values)


def pick_examples(
    model: Model, candidates: np.ndarray, baseline: np.ndarray, n: int, min_fraction: float = 0.1
) -> tuple[np.ndarray, list[ExactShapley]]:
    """The first ``n`` candidate rows whose exact attributions are not degenerate, and those attributions.

    A relative error needs a non-zero denominator: rows whose total attribution mass
    ``sum |phi|`` is below ``min_fraction`` of the median over the candidates are skipped
    (e.g. inputs that land in the baseline's leaf for every coalition of a decision tree).
    """
    candidates = np.asarray(candidates, dtype=np.float32)
    baseline = np.asarray(baseline, dtype=np.float32).ravel()
    exact = [exact_shapley(model, x, baseline) for x in candidates]
    mass = np.array([np.abs(e.phi).sum() for e in exact])
    keep = np.flatnonzero(mass >= min_fraction * np.median(mass))[:n]
    if len(keep) < n:
        raise ValueError(f"only {len(keep)} usable examples among {len(candidates)} candidates")
    return candidates[keep], [exact[i] for i in keep]


class CountingModel:
    """A numpy model as a torch forward function for Captum, counting every input row it evaluates."""

    def __init__(self, model: Model):
        self.model = model
        self.evaluations = 0

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        rows = inputs.detach().cpu().numpy().reshape(len(inputs), -1)
        self.evaluations += len(rows)
        return torch.as_tensor(np.asarray(self.model(rows), dtype=np.float64).ravel())


def shapley_kernel_weight(size: int, n_features: int) -> float:
    """The Shapley kernel of Theorem 2: ``(M - 1) / (C(M, |z|) |z| (M - |z|))``; infinite at 0 and M."""
    if size in (0, n_features):
        return math.inf
    return (n_features - 1) / (math.comb(n_features, size) * size * (n_features - size))


def lime_kernel_weight(size: int, n_features: int, width: float = 0.25) -> float:
    """The open-source LIME package's default kernel, on the binary interpretable representation.

    Weight ``sqrt(exp(-d**2 / width**2))`` where ``d`` is the cosine distance between a binary
    vector with ``size`` ones and the all-present vector, ``d = 1 - sqrt(size / M)`` (LIME's image
    and text explainers use cosine distance with width 0.25 on this scale). The empty coalition has
    no cosine distance; it gets weight 0. The kernel favours coalitions close to the full input.
    """
    if size == 0:
        return 0.0
    distance = 1.0 - math.sqrt(size / n_features)
    return math.sqrt(math.exp(-(distance**2) / width**2))


def lime_similarity(width: float = 0.25) -> Callable[..., torch.Tensor]:
    """:func:`lime_kernel_weight` as a Captum ``Lime`` ``similarity_func``."""

    def similarity(_original: object, _perturbed: object, interpretable: torch.Tensor, **_: object) -> torch.Tensor:
        z = interpretable.reshape(-1)
        return torch.tensor([lime_kernel_weight(int(z.sum()), z.numel(), width)])

    return similarity


def shapley_kernel_regression(values: np.ndarray, n_features: int) -> np.ndarray:
    """Theorem 2 with every coalition: weighted least squares under the Shapley kernel.

    The infinite weights of the empty and full coalitions are imposed as constraints
    (``phi_0 = v(empty)``, ``sum phi = v(full) - v(empty)``) by eliminating the intercept and the
    last coefficient, as the paper suggests; the other coalitions are weighted by
    :func:`shapley_kernel_weight`. By the theorem this returns the Shapley values.
    """
    values = np.asarray(values, dtype=np.float64)
    masks = coalitions(n_features).astype(np.float64)
    size = masks.sum(1).astype(int)
    inner = (size > 0) & (size < n_features)
    total = values[-1] - values[0]
    z = masks[inner]
    weight = np.array([shapley_kernel_weight(s, n_features) for s in size[inner]])
    # g(z) - v(empty) = sum_{i<M} phi_i (z_i - z_M) + total * z_M
    design = z[:, :-1] - z[:, -1:]
    target = values[inner] - values[0] - total * z[:, -1]
    root = np.sqrt(weight)[:, None]
    head, *_ = np.linalg.lstsq(design * root, target * root[:, 0], rcond=None)
    return np.append(head, total - head.sum())


def lime_limit(values: np.ndarray, n_features: int, width: float = 0.25) -> np.ndarray:
    """What LIME converges to with unlimited samples: the coefficients of its weighted regression.

    LIME (as configured in :func:`estimate`) samples each coalition with probability ``2**-M``
    and fits an unregularised linear model with an intercept, weighting each sample by
    :func:`lime_kernel_weight`; as samples grow its estimate tends to the weighted least-squares
    fit over all coalitions, computed here. No constraint ties it to ``f(x) - f(baseline)``.
    """
    values = np.asarray(values, dtype=np.float64)
    masks = coalitions(n_features).astype(np.float64)
    size = masks.sum(1).astype(int)
    weight = np.array([lime_kernel_weight(s, n_features, width) for s in size])
    design = np.hstack([np.ones((len(masks), 1)), masks])
    root = np.sqrt(weight)[:, None]
    coef, *_ = np.linalg.lstsq(design * root, values * root[:, 0], rcond=None)
    return coef[1:]


def samples_for_budget(method: str, budget: int, n_features: int) -> int:
    """Captum's ``n_samples`` so that a method spends at most ``budget`` model evaluations.

    KernelSHAP and LIME spend one evaluation per sampled coalition. Captum's Shapley value sampling
    spends one evaluation on the baseline and ``M`` per sampled permutation.
    """
    if method in ("kernel-shap", "lime"):
        return budget
    if method == "shapley-sampling":
        return max(1, (budget - 1) // n_features)
    raise ValueError(f"unknown method {method!r}")


def estimate(
    method: str,
    model: Model,
    x: np.ndarray,
    baseline: np.ndarray,
    budget: int,
    seed: int,
    lime_width: float = 0.25,
) -> tuple[np.ndarray, int]:
    """One Captum estimate of the Shapley values of ``x``, and the model evaluations it spent."""
    from captum._utils.models.linear_model import SkLearnLinearRegression
    from captum.attr import KernelShap, Lime, ShapleyValueSampling

    n = np.asarray(x).size
    inp = torch.as_tensor(np.asarray(x, dtype=np.float32).reshape(1, n))
    base = torch.as_tensor(np.asarray(baseline, dtype=np.float32).reshape(1, n))
    counted = CountingModel(model)
    n_samples = samples_for_budget(method, budget, n)
    torch.manual_seed(seed)
    with torch.no_grad():
        if method == "kernel-shap":
            attr = KernelShap(counted).attribute(
                inp, baselines=base, n_samples=n_samples, perturbations_per_eval=n_samples
            )
        elif method == "shapley-sampling":
            attr = ShapleyValueSampling(counted).attribute(
                inp, baselines=base, n_samples=n_samples, perturbations_per_eval=n
            )
        elif method == "lime":
            lime = Lime(
                counted, interpretable_model=SkLearnLinearRegression(), similarity_func=lime_similarity(lime_width)
            )
            attr = lime.attribute(inp, baselines=base, n_samples=n_samples, perturbations_per_eval=n_samples)
        else:
            raise ValueError(f"unknown method {method!r}")
    return attr.detach().double().numpy().reshape(n), counted.evaluations


def relative_error(estimate: np.ndarray, exact: np.ndarray) -> float:
    """``sum |estimate - exact| / sum |exact|``: the L1 error as a fraction of the exact values' L1 mass."""
    exact = np.asarray(exact, dtype=np.float64)
    scale = float(np.abs(exact).sum())
    if scale == 0:
        return float("nan")
    return float(np.abs(np.asarray(estimate, dtype=np.float64) - exact).sum() / scale)


@dataclass
class Sweep:
    """Estimates of several methods at several budgets, for several inputs and seeds.

    ``errors[m, b, e, s]``: relative L1 error of method ``m`` at budget ``b`` on example ``e`` with
    seed ``s``; ``evaluations`` has the same shape and counts the model evaluations spent;
    ``estimates[m, b, e, s]`` holds the estimated values (M of them).
    """

    methods: tuple[str, ...]
    budgets: tuple[int, ...]
    exact: list[ExactShapley]
    errors: np.ndarray
    evaluations: np.ndarray
    estimates: np.ndarray

    def mean_error(self, method: str, budget: int) -> float:
        return float(np.nanmean(self.errors[self.methods.index(method), self.budgets.index(budget)]))

    def error_curve(self, method: str, statistic: Callable[[np.ndarray], float] = np.nanmean) -> np.ndarray:
        """One number per budget, computed over all examples and seeds."""
        m = self.methods.index(method)
        return np.array([statistic(self.errors[m, b].ravel()) for b in range(len(self.budgets))])

    def seed_means(self, method: str) -> np.ndarray:
        """(budgets, seeds): error averaged over the examples, per seed (the spread over seeds)."""
        return np.nanmean(self.errors[self.methods.index(method)], axis=1)


def budget_sweep(
    model: Model,
    X: np.ndarray,
    baseline: np.ndarray,
    budgets: Sequence[int],
    seeds: Sequence[int],
    methods: Sequence[str] = METHODS,
    lime_width: float = 0.25,
) -> Sweep:
    """Exact values for each row of ``X``, then every method at every budget with every seed."""
    X = np.asarray(X, dtype=np.float32)
    baseline = np.asarray(baseline, dtype=np.float32).ravel()
    n_feat = X.shape[1]
    exact = [exact_shapley(model, x, baseline) for x in X]
    shape = (len(methods), len(budgets), len(X), len(seeds))
    errors = np.full(shape, np.nan)
    evaluations = np.zeros(shape, dtype=np.int64)
    estimates = np.zeros((*shape, n_feat))
    for m, method in enumerate(methods):
        for b, budget in enumerate(budgets):
            for e, x in enumerate(X):
                for s, seed in enumerate(seeds):
                    # one seed per (method, budget, example, seed): independent replicates
                    stream = (((seed * 1009 + e) * 101 + b) * 11 + m) % (2**31 - 1)
                    phi, used = estimate(method, model, x, baseline, budget, stream, lime_width)
                    estimates[m, b, e, s] = phi
                    evaluations[m, b, e, s] = used
                    errors[m, b, e, s] = relative_error(phi, exact[e].phi)
    return Sweep(tuple(methods), tuple(budgets), exact, errors, evaluations, estimates)
