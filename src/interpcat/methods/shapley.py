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

Estimates come from the papers' own packages and from Captum, so that each method is measured in two
implementations: the shap package (``KernelExplainer``, the paper's KernelSHAP: whole coalition sizes
enumerated while the budget allows, the rest drawn in complementary pairs, the efficiency constraint
imposed exactly, features selected before the regression; ``SamplingExplainer``, Strumbelj and
Kononenko's Shapley sampling values, the paper's baseline), the LIME package
(``LimeTabularExplainer``) and Captum (``KernelShap``, ``ShapleyValueSampling``, ``Lime``). This
module counts the model evaluations each estimator spends, so that methods are compared at equal
budgets.

Both LIMEs are set up with the open-source LIME package's defaults for tabular data: an exponential kernel
``sqrt(exp(-d**2 / width**2))`` on the Euclidean distance ``d`` between the binary representation of a
sample and the all-present vector, width ``0.75 * sqrt(M)``, and a ridge regression with ``alpha = 1``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

Model = Callable[[np.ndarray], np.ndarray]
"""A model as a function from a (n, M) float array to a (n,) float array of outputs."""

METHODS = (
    "shap-kernel",
    "shap-kernel-auto",
    "shap-sampling",
    "lime-tabular",
    "kernel-shap",
    "shapley-sampling",
    "lime",
)
"""Estimators: the shap package's ``KernelExplainer`` (its default ``l1_reg``, and ``l1_reg="auto"``, the
paper's), its ``SamplingExplainer``, the LIME package's ``LimeTabularExplainer``, and Captum's
``KernelShap``, ``ShapleyValueSampling`` and ``Lime``."""
LIBRARY = {
    "shap-kernel": "shap KernelExplainer",
    "shap-kernel-auto": "shap KernelExplainer (l1_reg='auto')",
    "shap-sampling": "shap SamplingExplainer",
    "lime-tabular": "lime LimeTabularExplainer",
    "kernel-shap": "Captum KernelShap",
    "shapley-sampling": "Captum ShapleyValueSampling",
    "lime": "Captum Lime",
}
MAX_ENUMERATED_FEATURES = 16
LIME_RIDGE_ALPHA = 1.0
"""The LIME package's default ``Ridge(alpha=1)``."""
LIME_DEFAULT_SAMPLES = 5000
"""The LIME package's default ``num_samples``."""


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


def interaction_share(exact: ExactShapley) -> float:
    """How far the coalition game is from additive: ``max_S |v(S) - v(empty) - sum_{i in S} phi_i|``
    as a fraction of ``sum |phi|``.

    Zero for an additive game (e.g. a tree input where only one feature changes the output). On an
    additive game every estimator compared here (KernelSHAP, permutation sampling, LIME's weighted
    fit) returns the exact values at any budget (LIME's ridge shrinks them slightly), so such an
    input tests nothing.
    """
    masks = coalitions(exact.n_features)
    additive = exact.values[0] + masks.astype(np.float64) @ exact.phi
    scale = float(np.abs(exact.phi).sum())
    return float(np.abs(exact.values - additive).max() / scale) if scale > 0 else 0.0


def pick_examples(
    model: Model,
    candidates: np.ndarray,
    baseline: np.ndarray,
    n: int,
    min_fraction: float = 0.1,
    min_interaction: float = 1e-6,
) -> tuple[np.ndarray, list[ExactShapley]]:
    """The first ``n`` candidate rows whose exact attributions are not degenerate, and those attributions.

    A relative error needs a non-zero denominator: rows whose total attribution mass
    ``sum |phi|`` is below ``min_fraction`` of the median over the candidates are skipped
    (e.g. inputs that land in the baseline's leaf for every coalition of a decision tree). Rows
    whose game is additive (:func:`interaction_share` below ``min_interaction``) are skipped too:
    every estimator is (nearly) exact on them, and averaging their zero errors against an absolute
    bar would flatter the converging estimators and make LIME look closer to the Shapley values.
    """
    candidates = np.asarray(candidates, dtype=np.float32)
    baseline = np.asarray(baseline, dtype=np.float32).ravel()
    exact = [exact_shapley(model, x, baseline) for x in candidates]
    mass = np.array([np.abs(e.phi).sum() for e in exact])
    nontrivial = np.array([interaction_share(e) >= min_interaction for e in exact])
    keep = np.flatnonzero((mass >= min_fraction * np.median(mass)) & nontrivial)[:n]
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


def lime_default_width(n_features: int) -> float:
    """The LIME package's default kernel width for tabular data, ``0.75 * sqrt(M)``."""
    return 0.75 * math.sqrt(n_features)


def lime_kernel_weight(size: int, n_features: int, width: float | None = None) -> float:
    """The open-source LIME package's default tabular kernel, on the binary interpretable representation.

    Weight ``sqrt(exp(-d**2 / width**2))`` where ``d = sqrt(M - size)`` is the Euclidean distance
    between a binary vector with ``size`` ones and the all-present vector (LimeTabularExplainer's
    distance on its binary "same as the explained value" representation), and ``width`` defaults to
    ``0.75 * sqrt(M)``. The kernel favours coalitions close to the full input, mildly: at ``M = 10``
    the empty coalition keeps about 0.41 of the full input's weight.
    """
    width = lime_default_width(n_features) if width is None else width
    distance_sq = float(n_features - size)
    return math.sqrt(math.exp(-distance_sq / width**2))


def lime_similarity(width: float | None = None) -> Callable[..., torch.Tensor]:
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


def lime_limit(
    values: np.ndarray,
    n_features: int,
    width: float | None = None,
    alpha: float = LIME_RIDGE_ALPHA,
    n_samples: int = LIME_DEFAULT_SAMPLES,
) -> np.ndarray:
    """LIME's large-sample solution: the coefficients of its weighted ridge regression in expectation.

    LIME (as configured in :func:`estimate`) samples each coalition with probability ``2**-M``
    and fits a ridge regression (intercept not penalised) weighting each sample by
    :func:`lime_kernel_weight`. With ``n_samples`` draws its normal equations tend to those of the
    fit over all coalitions with weights ``n_samples * 2**-M * kernel``, computed here; the ridge
    penalty ``alpha`` is kept at that sample size (LIME's default 5,000), ``alpha = 0`` gives the
    unregularised limit. No constraint ties it to ``f(x) - f(baseline)``.
    """
    values = np.asarray(values, dtype=np.float64)
    masks = coalitions(n_features).astype(np.float64)
    size = masks.sum(1).astype(int)
    weight = np.array([lime_kernel_weight(s, n_features, width) for s in size]) * n_samples / 2**n_features
    mean_z = weight @ masks / weight.sum()
    mean_v = weight @ values / weight.sum()
    zc, vc = masks - mean_z, values - mean_v
    gram = (zc * weight[:, None]).T @ zc + alpha * np.eye(n_features)
    return np.linalg.solve(gram, (zc * weight[:, None]).T @ vc)


def samples_for_budget(method: str, budget: int, n_features: int) -> int:
    """The ``n_samples`` (``nsamples``, ``num_samples``) that makes a method spend at most ``budget``
    model evaluations.

    KernelSHAP and LIME (Captum's and the LIME package's) spend one evaluation per sampled
    coalition. Captum's Shapley value sampling spends one evaluation on the baseline and ``M`` per
    sampled permutation. The shap package's ``KernelExplainer`` spends two on ``f(x)`` and
    ``f(baseline)`` and one per coalition (it stops at the ``2**M - 2`` there are); its
    ``SamplingExplainer`` two on the ends and two per sample.
    """
    if method in ("kernel-shap", "lime", "lime-tabular"):
        return budget
    if method in ("shap-kernel", "shap-kernel-auto"):
        return max(1, budget - 2)
    if method == "shap-sampling":
        return max(1, (budget - 2) // 2)
    if method == "shapley-sampling":
        return max(1, (budget - 1) // n_features)
    raise ValueError(f"unknown method {method!r}")


@contextlib.contextmanager
def _global_numpy_seed(seed: int) -> Iterator[None]:
    """Seed numpy's global generator (the shap package draws from it) and restore its state after."""
    state = np.random.get_state()
    np.random.seed(seed % 2**32)
    try:
        yield
    finally:
        np.random.set_state(state)


def shap_kernel(
    model: Model, x: np.ndarray, baseline: np.ndarray, budget: int, seed: int, l1_reg: str = "num_features(10)"
) -> tuple[np.ndarray, int]:
    """The shap package's ``KernelExplainer`` (the paper's implementation) with one background row.

    With the baseline as its only background row, the package explains the same coalition game as
    :func:`exact_shapley`. Its scheme: coalition sizes ``s`` and ``M - s`` are enumerated completely
    from the smallest up while the budget covers them, the rest drawn in complementary pairs, the
    two infinite Shapley-kernel weights imposed as constraints, and features selected by
    ``l1_reg`` before the constrained least squares: the package's default ``"num_features(10)"``
    (up to 10 features along the LARS path, so at ``M = 10`` it need drop none), or ``"auto"``, the
    paper's setting (an AIC lasso when under a fifth of the coalitions are evaluated, then the least
    squares refitted on the selected features: the "debiased lasso"; deprecated in shap 0.51).
    ``nsamples = budget - 2`` (the package also evaluates ``f(baseline)`` and ``f(x)``) and the
    package caps it at the ``2**M - 2`` coalitions, where the estimate is exact.
    Returns the estimate and the model evaluations spent (every model row counted).
    """
    import shap
    from sklearn.exceptions import ConvergenceWarning

    counted = _CountingNumpy(model)
    x64, b64 = np.asarray(x, dtype=np.float64).reshape(1, -1), np.asarray(baseline, dtype=np.float64).reshape(1, -1)
    with _global_numpy_seed(seed), warnings.catch_warnings(), _quiet_shap():
        warnings.simplefilter("ignore", DeprecationWarning)  # l1_reg="auto"
        warnings.simplefilter("ignore", ConvergenceWarning)  # LARS drops duplicated (degenerate) columns
        explainer = shap.KernelExplainer(counted, b64)
        phi = explainer.shap_values(
            x64, nsamples=samples_for_budget("shap-kernel", budget, x64.size), l1_reg=l1_reg, silent=True
        )
    return np.asarray(phi, dtype=np.float64).reshape(-1), counted.evaluations


def shap_sampling(model: Model, x: np.ndarray, baseline: np.ndarray, budget: int, seed: int) -> tuple[np.ndarray, int]:
    """The shap package's ``SamplingExplainer``: Strumbelj and Kononenko's Shapley sampling values
    (IME), the baseline of the paper's Figure 3, with one background row.

    Each feature is estimated separately, two model evaluations per sampled permutation, and the
    estimates are adjusted to add up to ``f(x) - f(baseline)``. ``nsamples = (budget - 2) // 2``.
    Below ``2 + 4 M`` evaluations (42 at ``M = 10``) the package leaves some feature without a sample
    and fails; the estimate is then NaN with no evaluation counted.
    """
    import shap

    m = np.asarray(x).size
    n_samples = samples_for_budget("shap-sampling", budget, m)
    if n_samples < 2 * m:
        return np.full(m, np.nan), 0
    counted = _CountingNumpy(model)
    x64, b64 = np.asarray(x, dtype=np.float64).reshape(1, -1), np.asarray(baseline, dtype=np.float64).reshape(1, -1)
    with _global_numpy_seed(seed), _quiet_shap():
        explainer = shap.SamplingExplainer(counted, b64)
        phi = explainer.shap_values(x64, nsamples=n_samples, silent=True)
    return np.asarray(phi, dtype=np.float64).reshape(-1), counted.evaluations


def lime_tabular(
    model: Model, x: np.ndarray, baseline: np.ndarray, budget: int, seed: int, num_samples: int | None = None
) -> tuple[np.ndarray, int]:
    """The LIME package's ``LimeTabularExplainer`` with its tabular defaults, on the baseline game.

    Every feature is declared categorical and the "training data" is the two rows ``baseline`` and
    ``x``: the package then draws each feature from ``{x_i, b_i}`` with probability 1/2 (a uniformly
    drawn coalition, the same game as :func:`exact_shapley`) and its interpretable representation is
    "feature equals ``x_i``". Kernel (``sqrt(exp(-d**2 / width**2))`` on the Euclidean distance of
    that binary representation, width ``0.75 sqrt(M)``), feature selection (``"auto"``),
    ``num_features=10`` and the ``Ridge(alpha=1)`` regression are the package's defaults.
    ``num_samples = budget`` (the first sample is ``x`` itself); LIME's default is 5,000.
    Returns the coefficients and the model evaluations spent.
    """
    from lime.lime_tabular import LimeTabularExplainer

    x64 = np.asarray(x, dtype=np.float64).ravel()
    b64 = np.asarray(baseline, dtype=np.float64).ravel()
    m = x64.size
    counted = _CountingNumpy(model)
    explainer = LimeTabularExplainer(
        np.stack([b64, x64]),
        mode="regression",
        categorical_features=list(range(m)),
        discretize_continuous=False,
        random_state=seed % 2**32,
    )
    n = budget if num_samples is None else num_samples
    exp = explainer.explain_instance(x64, counted, num_features=m, num_samples=n)
    phi = np.zeros(m)
    for i, w in exp.local_exp[1]:  # regression: key 1 holds the fit, key 0 its negation
        phi[i] = w
    return phi, counted.evaluations


class _CountingNumpy:
    """A numpy model that counts every input row it evaluates (for the shap and lime packages)."""

    def __init__(self, model: Model):
        self.model = model
        self.evaluations = 0

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows)
        rows = rows.reshape(1, -1) if rows.ndim == 1 else rows
        self.evaluations += len(rows)
        return np.asarray(self.model(rows), dtype=np.float64).ravel()


@contextlib.contextmanager
def _quiet_shap() -> Iterator[None]:
    logger = logging.getLogger("shap")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def estimate(
    method: str,
    model: Model,
    x: np.ndarray,
    baseline: np.ndarray,
    budget: int,
    seed: int,
    lime_width: float | None = None,
) -> tuple[np.ndarray, int]:
    """One estimate of the Shapley values of ``x``, and the model evaluations it spent.

    ``shap-kernel``, ``shap-kernel-auto`` and ``shap-sampling`` are the shap package's explainers
    (:func:`shap_kernel`, :func:`shap_sampling`), ``lime-tabular`` the LIME package's
    (:func:`lime_tabular`); ``kernel-shap``, ``shapley-sampling`` and ``lime`` are Captum's. Captum's
    LIME uses the LIME package's tabular defaults (module docstring); ``lime_width`` changes its
    kernel width only.
    """
    if method == "shap-kernel":
        return shap_kernel(model, x, baseline, budget, seed)
    if method == "shap-kernel-auto":
        return shap_kernel(model, x, baseline, budget, seed, l1_reg="auto")
    if method == "shap-sampling":
        return shap_sampling(model, x, baseline, budget, seed)
    if method == "lime-tabular":
        return lime_tabular(model, x, baseline, budget, seed)

    from captum._utils.models.linear_model import SkLearnRidge
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
                counted,
                interpretable_model=SkLearnRidge(alpha=LIME_RIDGE_ALPHA),
                similarity_func=lime_similarity(lime_width),
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
    lime_width: float | None = None,
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
