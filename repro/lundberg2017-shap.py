# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # SHAP: Shapley values by weighted regression, and how fast the estimators get there
#
# Reproduction, scaled down, of Lundberg & Lee (2017), *A Unified Approach to Interpreting Model
# Predictions* (NeurIPS 2017, arXiv:1705.07874; code: <https://github.com/slundberg/shap>).
#
# The paper puts LIME, DeepLIFT, layer-wise relevance propagation and three classical Shapley
# estimators into one class, *additive feature attribution methods*: explanations of the form
# `g(z') = phi_0 + sum_i phi_i z'_i` over binary "feature present" variables `z'`. It shows that
# only one member of the class has local accuracy (the `phi` add up to the output), missingness
# and consistency: the Shapley values of the game whose coalition value is the model's expected
# output given the features in the coalition (*SHAP values*). Its model-agnostic estimator,
# **KernelSHAP**, fits LIME's weighted linear regression but with a weighting kernel derived from
# the Shapley formula (Theorem 2), so the regression's solution *is* the Shapley values.
#
# ## The claims
#
# Our catalog statements (`catalog/papers/lundberg2017-shap.yaml`), with what the paper reports:
#
# 1. **shapley-kernel-regression** (Theorem 2, Section 4.1): weighted least squares of the model's
#    coalition values on `z'`, with no regularisation and the *Shapley kernel*
#    `pi(z') = (M - 1) / (C(M, |z'|) |z'| (M - |z'|))` (infinite for the empty and full coalitions,
#    which pins `phi_0 = f(baseline)` and the sum to `f(x) - f(baseline)`), returns exactly the
#    Shapley values. A theorem, proved in the supplement; no number (check `theorem2-shapley-kernel`).
# 2. **kernel-shap-sample-efficiency** (Section 5.1, Figure 3): at equal numbers of model
#    evaluations, KernelSHAP's estimates are closer to the true Shapley values than those of
#    Shapley sampling values (Strumbelj & Kononenko's permutation sampling), on a decision tree that
#    uses all 10 of its input features (Figure 3A) and on one that uses only 3 of 100 (Figure 3B).
#    The paper shows, for one feature of one input, the 10th and 90th percentiles of 200 replicate
#    estimates at each number of evaluations; it gives no table of errors. It adds that the gain is
#    largest "particularly when regularization is added to the linear model": its KernelSHAP used a
#    debiased lasso (check `kernel-shap-fewer-evaluations`).
# 3. **kernel-shap-converges** (Figure 3): as evaluations grow, the KernelSHAP and Shapley sampling
#    estimates close in on the true Shapley value (the horizontal line of Figure 3), KernelSHAP
#    sooner (check `estimators-converge`).
# 4. **lime-kernel-not-shapley** (Section 4.1): with LIME's heuristically chosen kernel, loss and
#    regularisation, the same regression does *not* recover the Shapley values, so LIME breaks
#    local accuracy and/or consistency (check `lime-limit-not-shapley`).
# 5. **lime-estimates-stay-off** (Section 5.1, Figure 3): LIME's estimates (open-source
#    implementation) settle on values that "can differ significantly" from the SHAP values, however
#    many evaluations it gets (check `lime-does-not-converge`).
#
# Not attempted here (see the catalog for reasons): the user study of Figure 4 (Mechanical Turk,
# 30 and 52 participants) and the MNIST comparison of Figure 5 (Kernel SHAP and LIME with 50k
# samples, DeepLIFT versions, masking 20% of pixels over 20 images).
#
# ## Setup: the scaled-down analog
#
# * **Value function.** For an input `x`, a coalition `S` is worth `v(S) = f(x_S, b_notS)`: the
#   model's output with every feature outside `S` set to a fixed **baseline** `b`, the training
#   mean of each feature. This is the paper's Eq. 12 (feature independence plus model linearity in
#   the conditional expectation) and exactly what Captum's `KernelShap`, `ShapleyValueSampling`
#   and `Lime` do with one baseline; the exact values and all three estimators use it, so they
#   answer the same question.
# * **Exact Shapley values.** With `M = 10` features there are `2^10 = 1024` coalitions: one
#   batched model call, then the Shapley formula over all of them
#   (`interpcat.repro.shapley.exact_shapley`).
# * **Models (the paper's Figure 3 pair).** Two scikit-learn decision trees on generated data
#   (10 standard-normal features, 4,000 training rows): a **dense tree** (depth 8) fitted to a target
#   with interactions among all 10 features, which it uses all of, like Figure 3A; and a **sparse
#   tree** (depth 6) fitted to a target of only 3 features, so it uses 3 of its 10 inputs. The
#   paper's sparse tree had 100 inputs; exact enumeration limits us to 10, so our sparse case is
#   3 of 10. In the full profile we add, as an extension, a small MLP trained on the first 10
#   (standardised) features of scikit-learn's breast-cancer table, explained through its predicted
#   probability of the malignant class. Checks use the two trees, in both profiles.
# * **Estimators (Captum), at equal budgets.** Every model call is counted.
#   `KernelShap` (Shapley-kernel sampling of coalitions, unregularised weighted regression with
#   the empty and full coalitions weighted 10^6) and `Lime` spend one evaluation per sampled
#   coalition; `ShapleyValueSampling` spends one on the baseline and `M` per random permutation, so
#   at budget `B` it gets `floor((B - 1) / M)` permutations (at most `B` evaluations, slightly fewer
#   than the other two). **LIME** is Captum's `Lime` set up like the open-source LIME package's
#   image and text explainers on binary features: coalitions drawn uniformly (each feature present
#   with probability 1/2), weight `sqrt(exp(-d^2 / 0.25^2))` with `d` the cosine distance between
#   `z'` and the all-present vector, and an *unregularised* weighted linear fit (LIME's default
#   is a ridge with alpha 1; leaving it out isolates the kernel, the choice Theorem 2 is about).
# * **Budgets**: powers of two from 2^4 evaluations up to 2^10 = 1024 (the number exact enumeration
#   needs); smoke uses 16, 64, 256 and 1024.
# * **Error**: the relative L1 error `sum_i |phi_hat_i - phi_i| / sum_i |phi_i|` of one estimate,
#   averaged over explained inputs and seeds (replicates). Inputs whose exact attributions are
#   degenerate (total mass below a tenth of the median, e.g. an input in the baseline's leaf for
#   every coalition) are skipped.
# * **LIME's limit.** With unlimited samples LIME's regression tends to the weighted least-squares
#   fit over *all* coalitions under its kernel; we compute that fit exactly
#   (`interpcat.repro.shapley.lime_limit`), which separates LIME's bias from its sampling noise.
#   Likewise `shapley_kernel_regression` fits all coalitions under the Shapley kernel (Theorem 2).
#
# What differs from the paper: 10 instead of 10 and 100 inputs; the trees are ours; many inputs and
# all features summarised in one error rather than one feature of one input; fewer replicates;
# Captum's estimators rather than the authors' (in particular no lasso in KernelSHAP, and LIME in
# Captum with the LIME package's kernel instead of the package itself); a mean baseline rather
# than a background data set.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.tree import DecisionTreeRegressor

from interpcat.repro import Reproduction
from interpcat.repro.data import breast_cancer_table, split_indices, to_split
from interpcat.repro.nets import MLP
from interpcat.repro.shapley import (
    METHODS,
    budget_sweep,
    coalitions,
    estimate,
    lime_limit,
    pick_examples,
    relative_error,
    shapley_from_values,
    shapley_kernel_regression,
)
from interpcat.repro.training import accuracy, fit

run = Reproduction(paper="lundberg2017-shap", seed=0)
cfg = run.pick(
    smoke=dict(
        models=["dense-tree", "sparse-tree"],
        budgets=[16, 64, 256, 1024],
        n_examples=4,
        seeds=[0],
        figure3_replicates=0,
    ),
    full=dict(
        models=["dense-tree", "sparse-tree", "mlp"],
        budgets=[16, 32, 64, 128, 256, 512, 1024],
        n_examples=6,
        seeds=[0, 1, 2],
        figure3_replicates=12,
    ),
)
N_FEATURES = 10
N_TRAIN = 4000
TREE_MODELS = ("dense-tree", "sparse-tree")  # the paper's Figure 3 pair; the checks use these
MID_BUDGET = 64  # "a mid budget": 2^6 evaluations
TOP_BUDGET = 1024  # 2^M: the evaluations exhaustive enumeration needs
TOLERANCE = 0.25  # relative L1 error; reasoning under Expectations
LIME_WIDTH = 0.25  # the LIME package's default kernel width for binary (image / text) features
LABELS = {"kernel-shap": "KernelSHAP", "shapley-sampling": "Shapley sampling", "lime": "LIME"}
COLORS = {"kernel-shap": "tab:blue", "shapley-sampling": "tab:orange", "lime": "tab:green"}
assert MID_BUDGET in cfg.budgets and TOP_BUDGET in cfg.budgets
assert set(TREE_MODELS) <= set(cfg.models)

# %% [markdown]
# ## Expectations
#
# Stated before any model is fitted. Errors are relative L1 errors (a fraction of the exact
# attributions' total mass), averaged over the explained inputs and seeds.
#
# * `theorem2-shapley-kernel`: Theorem 2 is an identity, so the Shapley-kernel regression over all
#   1024 coalitions must equal the enumerated Shapley values up to float64 least-squares rounding:
#   largest relative error over every explained input of every model **at most 1e-6**.
# * `kernel-shap-fewer-evaluations`: in both panels of Figure 3 the KernelSHAP band lies inside the
#   Shapley sampling band at every number of evaluations. At the mid budget (64 evaluations, about
#   6 permutations for sampling) we therefore expect KernelSHAP's mean error to be lower than
#   sampling's on **both** trees: the smaller of the two ratios (sampling error / KernelSHAP
#   error) **greater than 1**. We ask for no margin, because the paper says the gain is largest with
#   a regularised (lasso) fit and Captum's KernelSHAP is unregularised; on the sparse tree that
#   matters more, since sampling gives the 7 unused features exactly zero while an unregularised
#   regression spreads noise over them.
# * `estimators-converge`: Monte Carlo error shrinks like `1/sqrt(n)`. At 1024 evaluations
#   sampling averages 102 permutations; its expected relative L1 error is about
#   `0.8 * s / sqrt(102) = 0.08 s`, where `s` is the spread of a feature's marginal contributions
#   relative to its Shapley value. Tree outputs jump, so `s` can reach 3, hence a tolerance of
#   **0.25**; in Figure 3A both estimators' 10-90% bands have closed in on the true value by
#   about a thousand evaluations. Measured: the largest mean error of KernelSHAP and sampling on
#   either tree at 1024 evaluations, **at most 0.25**.
# * `lime-limit-not-shapley`: the paper says LIME's values "can differ significantly" from SHAP
#   values. We read "significantly" as more than the tolerance the converging estimators must meet:
#   LIME's exact unlimited-sample solution should misallocate **at least 0.25** of the attribution
#   mass, on average, on both trees (the smaller of the two means).
# * `lime-does-not-converge`: with the full budget of 1024 evaluations, Captum's LIME estimates
#   should stay outside that same tolerance: smaller mean error of the two trees **at least 0.25**.

# %%
check_theorem = run.expect(
    claim="theorem2-shapley-kernel",
    description="largest relative L1 difference between the Shapley-kernel regression over all coalitions and exact Shapley values",
    at_most=1e-6,
)
check_efficiency = run.expect(
    claim="kernel-shap-fewer-evaluations",
    description=f"mean error of Shapley sampling / mean error of KernelSHAP at {MID_BUDGET} evaluations; smaller of the two trees",
    greater_than=1.0,
)
check_converge = run.expect(
    claim="estimators-converge",
    description=f"largest mean relative L1 error of KernelSHAP and Shapley sampling on either tree at {TOP_BUDGET} evaluations",
    at_most=TOLERANCE,
)
check_lime_limit = run.expect(
    claim="lime-limit-not-shapley",
    description="mean relative L1 error of LIME's unlimited-sample solution (exact weighted fit); smaller of the two trees",
    at_least=TOLERANCE,
)
check_lime = run.expect(
    claim="lime-does-not-converge",
    description=f"mean relative L1 error of Captum LIME at {TOP_BUDGET} evaluations; smaller of the two trees",
    at_least=TOLERANCE,
)

# %% [markdown]
# ## Run
#
# Generate the data and fit the models; pick the inputs to explain (held-out rows).

# %%
rng = np.random.default_rng(run.seed)


def dense_target(X: np.ndarray) -> np.ndarray:
    """Interactions among all 10 features: pairs, a threshold gate and a three-way product."""
    return (
        X[:, 0] * X[:, 1]
        + np.sin(2 * X[:, 2]) * X[:, 3]
        + (X[:, 4] > 0) * (X[:, 5] + X[:, 6])
        + X[:, 7] * X[:, 8] * X[:, 9]
    )


def sparse_target(X: np.ndarray) -> np.ndarray:
    """Only features 0, 1 and 2 matter."""
    return 2.0 * (X[:, 0] > 0.5) * X[:, 1] + X[:, 1] * X[:, 2] + (X[:, 2] > 0)


def tree_model(target, depth: int, n_used: int):
    X = rng.standard_normal((N_TRAIN, N_FEATURES)).astype(np.float32)
    X_held = rng.standard_normal((1000, N_FEATURES)).astype(np.float32)
    tree = DecisionTreeRegressor(max_depth=depth, min_samples_leaf=5, random_state=run.seed).fit(X, target(X))
    used = np.flatnonzero(tree.feature_importances_)
    assert len(used) == n_used, f"the tree uses features {used.tolist()}, expected {n_used} of them"
    r2 = tree.score(X_held, target(X_held))
    return (lambda Z: tree.predict(np.asarray(Z, dtype=np.float32))), X.mean(0), X_held, used, r2


def mlp_model():
    X_all, y_all, names = breast_cancer_table()
    X_all = X_all[:, :N_FEATURES]
    train_idx, test_idx = split_indices(y_all, (0.7, 0.3), seed=run.seed)
    train, test = to_split(X_all[train_idx], y_all[train_idx]), to_split(X_all[test_idx], y_all[test_idx])
    torch.manual_seed(run.seed)
    net = MLP(N_FEATURES, 2, hidden=32, depth=2)
    fit(net, train, epochs=100, lr=1e-3, seed=run.seed, device="cpu", desc="breast-cancer MLP")
    acc = accuracy(net, test)
    net = net.double().eval()

    def prob_malignant(Z: np.ndarray) -> np.ndarray:  # label 0 is malignant in scikit-learn's table
        with torch.no_grad():
            return torch.softmax(net(torch.as_tensor(np.asarray(Z, dtype=np.float64))), 1)[:, 0].numpy()

    return prob_malignant, X_all[train_idx].mean(0), X_all[test_idx], names[:N_FEATURES], acc


models, baselines, explained, exact = {}, {}, {}, {}
for name in cfg.models:
    if name == "dense-tree":
        f, base, held, used, r2 = tree_model(dense_target, depth=8, n_used=10)
        print(f"dense tree: uses features {used.tolist()}; held-out R^2 {r2:.3f}")
    elif name == "sparse-tree":
        f, base, held, used, r2 = tree_model(sparse_target, depth=6, n_used=3)
        print(f"sparse tree: uses features {used.tolist()}; held-out R^2 {r2:.3f}")
    else:
        f, base, held, feature_names, acc = mlp_model()
        print(f"MLP on breast-cancer features {feature_names}: test accuracy {acc:.3f}")
    models[name], baselines[name] = f, np.asarray(base, dtype=np.float32)
    explained[name], exact[name] = pick_examples(f, held[: 5 * cfg.n_examples], baselines[name], cfg.n_examples)
    mass = [float(np.abs(e.phi).sum()) for e in exact[name]]
    print(f"  {len(exact[name])} inputs explained; total attribution mass {np.round(mass, 3).tolist()}")

# %% [markdown]
# Theorem 2 and LIME's limit, from the 1024 coalition values already computed for the exact
# Shapley values (no further model calls).

# %%
theorem_gap, lime_limit_error = {}, {}
for name in cfg.models:
    gaps = [relative_error(shapley_kernel_regression(e.values, N_FEATURES), e.phi) for e in exact[name]]
    lime_errs = [relative_error(lime_limit(e.values, N_FEATURES, LIME_WIDTH), e.phi) for e in exact[name]]
    efficiency = max(abs(e.phi.sum() - (e.f_x - e.f_baseline)) for e in exact[name])
    theorem_gap[name], lime_limit_error[name] = max(gaps), float(np.mean(lime_errs))
    print(
        f"{name}: Shapley-kernel regression vs exact: largest relative gap {max(gaps):.1e}; "
        f"efficiency |sum phi - (f(x) - f(b))| <= {efficiency:.1e}; "
        f"LIME limit vs exact: mean relative error {np.mean(lime_errs):.3f} "
        f"(per input {np.round(lime_errs, 3).tolist()})"
    )

# %% [markdown]
# The budget sweep: every estimator at every budget, on every explained input, with every seed.

# %%
sweeps = {}
for name in cfg.models:
    t0 = time.perf_counter()
    sweeps[name] = budget_sweep(
        models[name], explained[name], baselines[name], cfg.budgets, cfg.seeds, lime_width=LIME_WIDTH
    )
    spent = sweeps[name].evaluations.max(axis=(2, 3))
    assert (spent <= np.array(cfg.budgets)[None, :]).all(), "an estimator exceeded its budget"
    print(f"{name}: {time.perf_counter() - t0:.1f} s; evaluations spent per budget (max):")
    for m, method in enumerate(METHODS):
        print(f"  {LABELS[method]:17s} {spent[m].tolist()}")

# %% [markdown]
# Mean relative error per budget (and the 10th / 90th percentiles over inputs and seeds), the
# smallest budget on our grid at which the mean error is within the tolerance, and how close
# Captum's LIME gets to its own limit.

# %%
for name, sweep in sweeps.items():
    print(f"\n{name}  (replicates per cell: {len(cfg.seeds) * cfg.n_examples})")
    print("  budget  " + "".join(f"{LABELS[m]:>30s}" for m in METHODS))
    for b, budget in enumerate(cfg.budgets):
        cells = []
        for m in range(len(METHODS)):
            e = sweep.errors[m, b].ravel()
            cells.append(f"{e.mean():.3f} [{np.percentile(e, 10):.3f}, {np.percentile(e, 90):.3f}]")
        print(f"  {budget:6d}  " + "".join(f"{c:>30s}" for c in cells))
    for method in METHODS:
        curve = sweep.error_curve(method)
        within = [bud for bud, err in zip(cfg.budgets, curve, strict=True) if err <= TOLERANCE]
        print(
            f"  {LABELS[method]}: mean error within {TOLERANCE} from {within[0] if within else 'never (on this grid)'}"
        )
    m_lime = METHODS.index("lime")
    to_limit = [
        np.mean(
            [
                relative_error(
                    sweep.estimates[m_lime, b, e, s], lime_limit(sweep.exact[e].values, N_FEATURES, LIME_WIDTH)
                )
                for e in range(len(sweep.exact))
                for s in range(len(cfg.seeds))
            ]
        )
        for b in range(len(cfg.budgets))
    ]
    print(f"  Captum LIME's distance to LIME's limit, per budget: {np.round(to_limit, 3).tolist()}")
    print(f"  LIME's limit vs exact Shapley values: {lime_limit_error[name]:.3f}")

# %% [markdown]
# Aside, the two toy games of the paper's Figure 4, solved exactly (no check; the paper compares
# them with the most common answer of Mechanical Turk participants, which we cannot collect):
# a sickness score of 2 with both symptoms, 5 with one and 0 with none; and a profit of $5 set by
# the best of three players who answered 5, 4 and 0 questions right.

# %%
sickness = np.array([0.0, 5.0, 5.0, 2.0])  # coalitions: none, fever, cough, both
scores = np.array([5.0, 4.0, 0.0])
max_game = np.array([scores[mask].max() if mask.any() else 0.0 for mask in coalitions(3)])
print("sickness score, Shapley (fever, cough):", shapley_from_values(sickness, 2).round(3).tolist())
print("max game, Shapley (players 1-3):", shapley_from_values(max_game, 3).round(3).tolist())
print("max game, LIME's limit with the LIME kernel:", lime_limit(max_game, 3, LIME_WIDTH).round(3).tolist())

# %% [markdown]
# ## Plots
#
# Mean relative error against the number of model evaluations (log-log), one panel per model. The
# band is the 10th-90th percentile over explained inputs and seeds (the paper's Figure 3 shows the
# same percentiles over 200 replicates); thin lines are the per-seed means where there are several
# seeds. The dashed line is the tolerance; the dotted green line is the mean error of LIME's exact
# limit. The axis is cut at 0.01 (inputs on which every estimator is exact have zero error).

# %%
fig, axes = plt.subplots(1, len(sweeps), figsize=(4.2 * len(sweeps), 3.6), squeeze=False, dpi=80)
for ax, (name, sweep) in zip(axes[0], sweeps.items(), strict=True):
    for m, method in enumerate(METHODS):
        errs = sweep.errors[m].reshape(len(cfg.budgets), -1)
        ax.plot(cfg.budgets, errs.mean(1), marker="o", color=COLORS[method], label=LABELS[method])
        ax.fill_between(
            cfg.budgets,
            np.percentile(errs, 10, axis=1),
            np.percentile(errs, 90, axis=1),
            color=COLORS[method],
            alpha=0.15,
        )
        if len(cfg.seeds) > 1:
            for per_seed in sweep.seed_means(method).T:
                ax.plot(cfg.budgets, per_seed, color=COLORS[method], lw=0.6, alpha=0.5)
    ax.axhline(TOLERANCE, color="k", ls="--", lw=1)
    ax.set_ylim(bottom=1e-2)  # trivial inputs have zero error; the log axis is cut at 0.01
    ax.axhline(lime_limit_error[name], color=COLORS["lime"], ls=":", lw=1.5, label="LIME limit")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("model evaluations")
    ax.set_title(name)
    ax.grid(alpha=0.3)
axes[0][0].set_ylabel("relative L1 error vs exact")
axes[0][0].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# In the paper's own format (full profile only): the estimate of one feature of one input of the
# dense tree (the feature with the largest exact attribution), median and 10th-90th percentiles
# over replicate estimates, against the true Shapley value.

# %%
if cfg.figure3_replicates:
    name = "dense-tree"
    x0, ex0 = explained[name][0], exact[name][0]
    feature = int(np.argmax(np.abs(ex0.phi)))
    fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=80)
    for m, method in enumerate(METHODS):
        reps = np.array(
            [
                [
                    estimate(
                        method,
                        models[name],
                        x0,
                        baselines[name],
                        budget,
                        seed=10_000 + 97 * r + m,
                        lime_width=LIME_WIDTH,
                    )[0][feature]
                    for r in range(cfg.figure3_replicates)
                ]
                for budget in cfg.budgets
            ]
        )
        ax.plot(cfg.budgets, np.median(reps, 1), marker="o", color=COLORS[method], label=LABELS[method])
        ax.fill_between(
            cfg.budgets, np.percentile(reps, 10, 1), np.percentile(reps, 90, 1), color=COLORS[method], alpha=0.15
        )
    ax.axhline(ex0.phi[feature], color="k", ls="--", lw=1, label="true Shapley value")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("model evaluations")
    ax.set_ylabel(f"attribution of feature {feature}")
    ax.set_title(f"dense tree, one input, {cfg.figure3_replicates} replicates")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    plt.show()
else:
    print("skipped in the smoke profile")

# %% [markdown]
# ## Checks

# %%
check_theorem.measure(max(theorem_gap.values()), note=f"per model: { {k: f'{v:.1e}' for k, v in theorem_gap.items()} }")

ratios = {
    name: sweeps[name].mean_error("shapley-sampling", MID_BUDGET) / sweeps[name].mean_error("kernel-shap", MID_BUDGET)
    for name in TREE_MODELS
}
for name in cfg.models:
    s = sweeps[name]
    print(
        f"{name} at {MID_BUDGET} evaluations: KernelSHAP {s.mean_error('kernel-shap', MID_BUDGET):.3f}, "
        f"sampling {s.mean_error('shapley-sampling', MID_BUDGET):.3f}, LIME {s.mean_error('lime', MID_BUDGET):.3f}"
    )
check_efficiency.measure(
    min(ratios.values()), note=f"sampling/KernelSHAP per tree: { {k: round(v, 3) for k, v in ratios.items()} }"
)

top = {
    (name, method): sweeps[name].mean_error(method, TOP_BUDGET)
    for name in TREE_MODELS
    for method in ("kernel-shap", "shapley-sampling")
}
worst = max(top, key=top.get)
check_converge.measure(
    max(top.values()),
    note=f"worst: {LABELS[worst[1]]} on {worst[0]}; all: { {f'{k[0]}/{k[1]}': round(v, 3) for k, v in top.items()} }",
)

check_lime_limit.measure(
    min(lime_limit_error[name] for name in TREE_MODELS),
    note=f"per tree: { {k: round(lime_limit_error[k], 3) for k in TREE_MODELS} }",
)
lime_top = {name: sweeps[name].mean_error("lime", TOP_BUDGET) for name in TREE_MODELS}
check_lime.measure(min(lime_top.values()), note=f"per tree: { {k: round(v, 3) for k, v in lime_top.items()} }")

if "mlp" in sweeps:
    s = sweeps["mlp"]
    print(
        f"extension (not checked), breast-cancer MLP: sampling/KernelSHAP at {MID_BUDGET} = "
        f"{s.mean_error('shapley-sampling', MID_BUDGET) / s.mean_error('kernel-shap', MID_BUDGET):.3f}; "
        f"at {TOP_BUDGET}: KernelSHAP {s.mean_error('kernel-shap', TOP_BUDGET):.3f}, "
        f"sampling {s.mean_error('shapley-sampling', TOP_BUDGET):.3f}, LIME {s.mean_error('lime', TOP_BUDGET):.3f}; "
        f"LIME limit {lime_limit_error['mlp']:.3f}"
    )

# %% [markdown]
# ## Discussion
#
# *The measured values are in the printed output above; this text quotes none of them.*
#
# * **Theorem 2 reproduces**, exactly and without sampling: least squares over all 1024 coalition
#   values under the Shapley kernel (the two infinite weights imposed as constraints) returns the
#   enumerated Shapley values, up to float64 rounding, on every model. This is the paper's central
#   technical result, and it does not depend on the model.
# * **Both estimators converge.** The mean errors of KernelSHAP and of permutation sampling fall
#   steadily with the budget and are within the tolerance at 1024 evaluations on both trees, as
#   Figure 3 shows.
# * **Sample efficiency does not reproduce with Captum's estimators.** On both trees, Captum's
#   permutation sampling was *more* accurate than Captum's KernelSHAP at the mid budget and over
#   most of the grid, in both profiles; on the breast-cancer MLP (full profile) the two were about
#   level. The efficiency claim belongs to the paper's estimator, which differs from Captum's:
#   the paper's KernelSHAP used a debiased lasso, and it says the gain comes "particularly when
#   regularization is added"; the shap library's `KernelExplainer` (read in its current source)
#   enumerates whole coalition sizes when the budget allows, draws the rest in complementary pairs,
#   merges duplicates and eliminates the efficiency constraint exactly, whereas Captum's
#   `KernelShap` draws independent coalitions with replacement and approximates the constraint
#   with large weights. Permutation sampling also has structural advantages here: every
#   permutation's estimate adds up exactly to `f(x) - f(b)`, and a feature the tree never uses gets
#   exactly zero, whereas a regression spreads noise over it (the case the paper's lasso targets).
#   Our error also covers every feature of several inputs, where Figure 3 follows one feature of
#   one input. None of this contradicts Theorem 2; it limits the efficiency claim to the paper's
#   implementation.
# * **LIME: right direction, smaller size than we stated.** Captum's LIME estimates approach
#   LIME's own limit as the budget grows, and that limit is not the Shapley values, which is the
#   paper's point (Theorem 2 singles out one kernel). On our two trees, though, the gap between
#   LIME's limit and the Shapley values is well below the 0.25 we asked for, so both LIME checks are
#   recorded as not reproduced. With 10 features the LIME kernel at width 0.25 is not very local
#   (worked out by hand, a coalition with half the features present keeps about half the weight
#   of the full input), so the fit weights coalitions not far from uniformly and lands near the
#   Shapley values on these trees. On the MLP, whose explained output is a saturating probability,
#   LIME's limit is much further from the Shapley values (extension, not checked). How far LIME
#   ends up from SHAP depends on the model and the kernel width; "can differ significantly" holds
#   for some models, not as a fixed amount.
# * **Caveats.** Some explained tree inputs are trivial: only one feature changes the tree's
#   output between the baseline and the input, and every estimator is then exact at any budget
#   (hence the zero 10th percentiles); they lower every method's mean alike. The dense tree fits
#   its target poorly on held-out data, which does not matter here: it is the model being
#   explained, not a predictor we rely on.
# * **Figure 4's toy games** (aside): worked by hand, the Shapley values are (1, 1) for the
#   sickness score and (3, 2, 0) for the max game (our unit tests check the enumeration on both);
#   the paper reports that the most common human answers agree with SHAP much better than with
#   LIME or the original DeepLIFT. We cannot repeat the human side.

# %%
run.finish()
