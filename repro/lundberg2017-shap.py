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
# estimators into one class, *additive feature attribution methods*: explanations
# `g(z') = phi_0 + sum_i phi_i z'_i` over binary "feature present" variables `z'`. Only one member
# has local accuracy, missingness and consistency: the Shapley values of the game whose coalition
# value is the model's expected output given the coalition's features (*SHAP values*). Its
# model-agnostic estimator, **KernelSHAP**, is LIME's weighted linear regression with a kernel
# derived from the Shapley formula (Theorem 2),
# `pi(z') = (M - 1) / (C(M, |z'|) |z'| (M - |z'|))`, infinite for the empty and full coalitions.
#
# **Claims tested** (record `catalog/papers/lundberg2017-shap.yaml`, which holds every check, its
# role, unit, threshold and the reason for it; the summary at the top of the executed notebook shows
# the outcomes): KernelSHAP needs fewer evaluations than Shapley sampling (Figure 3); both estimators
# converge to the exact values (Figure 3; Theorem 2 is a control); LIME's kernel, loss and
# regularisation do not give Shapley values (Section 4.1); LIME's estimates settle away from them
# (Figure 3). Not attempted: the user study (Figure 4) and the MNIST comparison (Figure 5).
#
# **Two implementations of every method.** Each claim is measured with the papers' own packages
# (`shap` for KernelSHAP and Shapley sampling, `lime` for LIME) and again with Captum; each library
# has its own checks (the record's `variant` names it). Where they disagree on a verdict, the
# disagreement is the finding: it says that the property belongs to an implementation, not to the
# method's definition.

# %% [markdown]
# ## Setup: the paper and this notebook
#
# | | Paper (Section 5.1, Figure 3) | This notebook |
# |---|---|---|
# | Models | two decision trees: 10 of 10 inputs used (3A), 3 of 100 used (3B) | two scikit-learn trees on generated data: a dense tree (depth 8, 10 of 10 used) and a sparse tree (depth 6, 3 of 10 used); 100 inputs would make exact enumeration intractable. Full profile adds a breast-cancer MLP as an unchecked extension |
# | Value function | the expected output given the coalition, under feature independence (Eq. 12) | the same with one baseline, the training mean: `v(S) = f(x_S, b_notS)` (the shap explainers get it as their one background row) |
# | Ground truth | the true Shapley value of one feature | exact Shapley values of every feature by enumerating all 1,024 coalitions |
# | KernelSHAP | the authors' implementation: paired sampling, whole coalition sizes enumerated, debiased lasso | (a) **`shap.KernelExplainer`** (shap 0.51) with its default `l1_reg="num_features(10)"` (up to 10 features along the LARS path: at M = 10 it need drop none); (b) the same with `l1_reg="auto"`, the paper's AIC lasso below a fifth of the coalitions evaluated (deprecated in 0.51); (c) **Captum `KernelShap`** (independent draws with replacement, soft constraint, no lasso) |
# | Shapley sampling | Strumbelj & Kononenko: per feature, 2 evaluations per sampled permutation | (a) **`shap.SamplingExplainer`**, that estimator (it needs 2 + 4M = 42 evaluations for a sample per feature, so it has no value at 16); (b) **Captum `ShapleyValueSampling`**: one permutation's `M` evaluations serve every feature (about twice as efficient, which makes the claim harder to meet) |
# | LIME | open-source LIME package | (a) **`lime.lime_tabular.LimeTabularExplainer`** with its tabular defaults (kernel `sqrt(exp(-d^2 / w^2))` on the Euclidean distance of the binary representation, `w = 0.75 sqrt(M)`, feature selection `auto`, `Ridge(alpha=1)`); every feature is declared categorical with the two values `x_i` and `b_i`, so it perturbs the same coalition game (its default quartile discretisation would resample values from the training data, a different game with no exact values to compare with); (b) **Captum `Lime`** with the same kernel, width and ridge |
# | Budgets | up to about 1,000 evaluations | 16 to 1,024 evaluations (powers of two; smoke: 16, 64, 256, 1,024), every model call counted; the shap KernelExplainer enumerates every coalition at 1,024 |
# | Statistic | 10th-90th percentile of 200 replicates, one feature of one input | relative L1 error `sum_i abs(phi_hat_i - phi_i) / sum_i abs(phi_i)` over all features, averaged over replicate seeds per explained input; the checks take one value per input and a 95 % t-interval over inputs |
# | Explained inputs | one | held-out rows, skipping rows with near-zero attribution mass and rows whose coalition game is additive (on those every estimator here is exact, so they test nothing) |
#
# **LIME's limit.** With unlimited samples LIME's regression tends to the weighted ridge fit over
# all coalitions under its kernel; `interpcat.methods.shapley.lime_limit` computes it exactly (at a
# given sample size, so the ridge penalty keeps its weight), which separates LIME's bias from its
# sampling noise; a precondition checks that the LIME package at its default 5,000 samples lands on
# it. `shapley_kernel_regression` does the same under the Shapley kernel (Theorem 2).
#
# **Changes after the first run** (of the old design, following the outside review): LIME now uses
# the LIME package's tabular defaults (it had the image/text cosine kernel of width 0.25 and no
# ridge); inputs with an additive game are excluded (they were averaged in with zero error); the
# checks take one value per input; the Figure-3-style single-feature panel was dropped (it repeated
# the sweep plot). Thresholds were kept; the record says where a measure changed. The first smoke run
# of this design explained 6 inputs per tree with 2 seeds and took about 60 s in the notebook alone,
# over the CI budget; smoke now explains 8 inputs with 1 seed (full: 12 inputs, 2 seeds; it had 6 and
# 3). Second round (issue 12): the shap and lime packages replace our re-implementation of the shap
# sampling scheme (`paired_kernel_shap`, dropped: the package is the reference it imitated, and on a
# timing prototype it agreed with `KernelExplainer(l1_reg="auto")` to within sampling noise, so a
# third variant would repeat the second) and are checked beside Captum; that prototype (8 dense-tree
# inputs, one seed) was run, for timing and to get the packages' calls right, before the new checks
# were written; their bars are the old ones. To keep the full profile's time, its unchecked MLP
# extension now runs the packages' estimators only (the first full run also ran Captum's
# ShapleyValueSampling there, through a slip in selecting them by name prefix; fixed).

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.tree import DecisionTreeRegressor

from interpcat.methods.shapley import (
    LIBRARY,
    METHODS,
    budget_sweep,
    coalitions,
    interaction_share,
    lime_limit,
    lime_tabular,
    pick_examples,
    relative_error,
    shapley_from_values,
    shapley_kernel_regression,
)
from interpcat.repro import Reproduction
from interpcat.repro.data import breast_cancer_table, split_indices, to_split
from interpcat.repro.nets import MLP
from interpcat.repro.training import accuracy, fit

run = Reproduction(paper="lundberg2017-shap", seed=0)
cfg = run.pick(
    smoke=dict(
        models=["dense-tree", "sparse-tree"],
        budgets=[16, 64, 256, 1024],
        n_examples=8,
        seeds=[0],
    ),
    full=dict(
        models=["dense-tree", "sparse-tree", "mlp"],
        budgets=[16, 32, 64, 128, 256, 512, 1024],
        n_examples=12,
        seeds=[0, 1],
    ),
)
N_FEATURES = 10
N_TRAIN = 4000
TREE_MODELS = ("dense-tree", "sparse-tree")  # the paper's Figure 3 pair; the checks use these
MID_BUDGET = 64  # "a mid budget": 2^6 evaluations
SAMPLING_BUDGET = 256  # the largest budget at which shap's KernelExplainer still samples
TOP_BUDGET = 1024  # 2^M: the evaluations exhaustive enumeration needs
LIME_SAMPLES = 5000  # the LIME package's default num_samples
LABELS = LIBRARY  # "shap KernelExplainer", ..., "Captum Lime"
COLORS = {
    "shap-kernel": "tab:blue",
    "shap-kernel-auto": "tab:cyan",
    "shap-sampling": "tab:orange",
    "lime-tabular": "tab:green",
    "kernel-shap": "tab:purple",
    "shapley-sampling": "tab:brown",
    "lime": "tab:olive",
}
PACKAGES = ("shap-kernel", "shap-kernel-auto", "shap-sampling", "lime-tabular")  # the papers' own packages
STYLE = {m: "-" if m in PACKAGES else "--" for m in METHODS}  # packages solid, Captum dashed
assert {MID_BUDGET, SAMPLING_BUDGET, TOP_BUDGET} <= set(cfg.budgets)
assert set(TREE_MODELS) <= set(cfg.models)
run.data("generated: 10 independent standard-normal features, dense-tree target", size=N_TRAIN + 1000)
run.data("generated: 10 independent standard-normal features, sparse-tree target (3 features)", size=N_TRAIN + 1000)
if "mlp" in cfg.models:
    run.data("scikit-learn breast cancer (first 10 features)", size=569, source="sklearn.datasets.load_breast_cancer")

# %% [markdown]
# ## Models and explained inputs
#
# Generated data, the two trees (and the MLP in the full profile); the inputs to explain are
# held-out rows, with their exact Shapley values.

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
        print(f"MLP on breast-cancer features {[str(n) for n in feature_names]}: test accuracy {acc:.3f}")
    models[name], baselines[name] = f, np.asarray(base, dtype=np.float32)
    explained[name], exact[name] = pick_examples(f, held[: 30 * cfg.n_examples], baselines[name], cfg.n_examples)
    mass = [float(np.abs(e.phi).sum()) for e in exact[name]]
    share = [interaction_share(e) for e in exact[name]]
    print(f"  {len(exact[name])} inputs explained; attribution mass {np.round(mass, 3).tolist()}")
    print(f"  interaction share (0 = additive game) {np.round(share, 3).tolist()}")

# %% [markdown]
# Theorem 2 and LIME's limit, from the 1,024 coalition values already computed for the exact
# Shapley values (no further model calls); then the LIME package at its default 5,000 samples, which
# should land on that limit.

# %%
theorem_gap, lime_limit_error, lime_package_to_limit = {}, {}, {}
for name in cfg.models:
    theorem_gap[name] = [relative_error(shapley_kernel_regression(e.values, N_FEATURES), e.phi) for e in exact[name]]
    lime_limit_error[name] = [relative_error(lime_limit(e.values, N_FEATURES), e.phi) for e in exact[name]]
    efficiency = max(abs(e.phi.sum() - (e.f_x - e.f_baseline)) for e in exact[name])
    print(
        f"{name}: Shapley-kernel regression vs exact, largest relative gap {max(theorem_gap[name]):.1e}; "
        f"efficiency |sum phi - (f(x) - f(b))| <= {efficiency:.1e}\n"
        f"  LIME's limit vs exact, per input {np.round(lime_limit_error[name], 3).tolist()}"
    )
for name in TREE_MODELS:
    lime_package_to_limit[name] = []
    for e, (x, ex) in enumerate(zip(explained[name], exact[name], strict=True)):
        phi, _ = lime_tabular(models[name], x, baselines[name], LIME_SAMPLES, seed=run.seed + e)
        gap = np.abs(phi - lime_limit(ex.values, N_FEATURES, n_samples=LIME_SAMPLES)).sum()
        lime_package_to_limit[name].append(gap / np.abs(ex.phi).sum())
    print(
        f"{name}: LIME package at {LIME_SAMPLES} samples vs LIME's limit, per input "
        f"{np.round(lime_package_to_limit[name], 3).tolist()}"
    )

# %% [markdown]
# The budget sweep: every estimator at every budget, on every explained input, with every seed
# (the unchecked MLP extension of the full profile runs the two packages' estimators only).

# %%
sweeps = {}
for name in cfg.models:
    t0 = time.perf_counter()
    methods = METHODS if name in TREE_MODELS else PACKAGES
    sweeps[name] = budget_sweep(models[name], explained[name], baselines[name], cfg.budgets, cfg.seeds, methods)
    spent = sweeps[name].evaluations.max(axis=(2, 3))
    assert (spent <= np.array(cfg.budgets)[None, :]).all(), "an estimator exceeded its budget"
    print(f"{name}: {time.perf_counter() - t0:.1f} s; evaluations spent per budget (max; 0 = no estimate):")
    for m, method in enumerate(methods):
        print(f"  {LABELS[method]:38s} {spent[m].tolist()}")

# %% [markdown]
# Mean relative error per budget (10th / 90th percentiles over inputs and seeds in brackets), and how
# close each LIME gets to its own limit at the same sample size.

# %%


def lime_to_limit(sweep, method: str, b: int) -> np.ndarray:
    """(inputs,): mean over seeds of one LIME's L1 distance to LIME's limit at budget b, over sum |phi|."""
    m, budget = sweep.methods.index(method), cfg.budgets[b]
    return np.array(
        [
            np.mean(
                [
                    np.abs(sweep.estimates[m, b, e, s] - lime_limit(ex.values, N_FEATURES, n_samples=budget)).sum()
                    / np.abs(ex.phi).sum()
                    for s in range(len(cfg.seeds))
                ]
            )
            for e, ex in enumerate(sweep.exact)
        ]
    )


for name, sweep in sweeps.items():
    print(f"\n{name}  (replicates per cell: {len(cfg.seeds) * cfg.n_examples})")
    for m, method in enumerate(sweep.methods):
        cells = []
        for b in range(len(cfg.budgets)):
            e = sweep.errors[m, b].ravel()
            cells.append(
                "--"
                if np.isnan(e).all()
                else f"{e.mean():.3f} [{np.percentile(e, 10):.2f}, {np.percentile(e, 90):.2f}]"
            )
        print(f"  {LABELS[method]:38s} " + "  ".join(f"{c:>19s}" for c in cells))
    print("  budgets: " + ", ".join(map(str, cfg.budgets)))
    for method in ("lime-tabular", "lime"):
        if method in sweep.methods:
            to_limit = [lime_to_limit(sweep, method, b).mean() for b in range(len(cfg.budgets))]
            print(f"  {LABELS[method]}: distance to LIME's limit per budget {np.round(to_limit, 3).tolist()}")
    print(f"  LIME's limit vs exact Shapley values (mean over inputs): {np.mean(lime_limit_error[name]):.3f}")

# %% [markdown]
# Aside, the two toy games of the paper's Figure 4, solved exactly (no check; the paper compares
# them with the most common answer of Mechanical Turk participants, which we cannot collect): a
# sickness score of 2 with both symptoms, 5 with one and 0 with none; and a profit of $5 set by
# the best of three players who answered 5, 4 and 0 questions right.

# %%
sickness = np.array([0.0, 5.0, 5.0, 2.0])  # coalitions: none, fever, cough, both
scores = np.array([5.0, 4.0, 0.0])
max_game = np.array([scores[mask].max() if mask.any() else 0.0 for mask in coalitions(3)])
print("sickness score, Shapley (fever, cough):", shapley_from_values(sickness, 2).round(3).tolist())
print("max game, Shapley (players 1-3):", shapley_from_values(max_game, 3).round(3).tolist())
print("max game, LIME's limit (tabular defaults):", lime_limit(max_game, 3).round(3).tolist())

# %% [markdown]
# ## Plot
#
# Mean relative error against the number of model evaluations (log-log), one panel per model; the
# band is the 10th-90th percentile over inputs and seeds (Figure 3 shows the same percentiles over
# 200 replicates of one feature). Solid lines are the papers' packages, dashed lines Captum; the
# dotted line is the mean error of LIME's exact limit. The shap KernelExplainer enumerates every
# coalition at 1,024 evaluations, so its error there is zero and falls off the log axis (cut at
# 0.001); its SamplingExplainer has no estimate at 16 evaluations.

# %%
fig, axes = plt.subplots(1, len(sweeps), figsize=(4.6 * len(sweeps), 3.8), squeeze=False, dpi=80)
for ax, (name, sweep) in zip(axes[0], sweeps.items(), strict=True):
    for m, method in enumerate(sweep.methods):
        errs = sweep.errors[m].reshape(len(cfg.budgets), -1)
        ok = ~np.isnan(errs).all(1)
        budgets = np.array(cfg.budgets)[ok]
        ax.plot(
            budgets, errs[ok].mean(1), marker="o", ms=3, ls=STYLE[method], color=COLORS[method], label=LABELS[method]
        )
        ax.fill_between(
            budgets,
            np.percentile(errs[ok], 10, axis=1),
            np.percentile(errs[ok], 90, axis=1),
            color=COLORS[method],
            alpha=0.08,
        )
    ax.axhline(np.mean(lime_limit_error[name]), color="tab:green", ls=":", lw=1.5, label="LIME limit")
    ax.set_ylim(bottom=1e-3)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("model evaluations")
    ax.set_title(name)
    ax.grid(alpha=0.3)
axes[0][0].set_ylabel("relative L1 error vs exact")
axes[0][0].legend(fontsize=6)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Checks
#
# One value per explained input (errors averaged over the replicate seeds); the toolkit takes the
# mean over inputs and its 95 % t-interval. Each library's estimators have their own checks.

# %%
b_mid, b_samp, b_top = (cfg.budgets.index(b) for b in (MID_BUDGET, SAMPLING_BUDGET, TOP_BUDGET))


def per_input(name: str, method: str, b: int) -> np.ndarray:
    """(inputs,): relative error of one method at one budget, averaged over seeds."""
    return sweeps[name].errors[sweeps[name].methods.index(method), b].mean(axis=1)


def labelled(name: str, values) -> dict:
    return {f"{name} input {e}": float(v) for e, v in enumerate(values)}


def both_trees(values_of) -> dict:
    return {k: v for name in TREE_MODELS for k, v in labelled(name, values_of(name)).items()}


def gain(name: str, kernel: str, sampling: str) -> dict:
    """Per input: Shapley sampling's error minus KernelSHAP's, at the mid budget (> 0: KernelSHAP is closer)."""
    return labelled(name, per_input(name, sampling, b_mid) - per_input(name, kernel, b_mid))


# Figure 3: KernelSHAP against Shapley sampling at 64 evaluations, within each library
run.measure("shap-kernel-fewer-evaluations-dense", gain("dense-tree", "shap-kernel", "shap-sampling"))
run.measure("shap-kernel-fewer-evaluations-sparse", gain("sparse-tree", "shap-kernel", "shap-sampling"))
run.measure("shap-kernel-auto-fewer-evaluations-dense", gain("dense-tree", "shap-kernel-auto", "shap-sampling"))
run.measure("shap-kernel-auto-fewer-evaluations-sparse", gain("sparse-tree", "shap-kernel-auto", "shap-sampling"))
run.measure("kernel-shap-fewer-evaluations-dense", gain("dense-tree", "kernel-shap", "shapley-sampling"))
run.measure("kernel-shap-fewer-evaluations-sparse", gain("sparse-tree", "kernel-shap", "shapley-sampling"))

# Figure 3: convergence (shap's KernelExplainer at 256, since at 1,024 it enumerates every coalition)
run.measure("shap-kernel-converges-dense", labelled("dense-tree", per_input("dense-tree", "shap-kernel", b_samp)))
run.measure("shap-kernel-converges-sparse", labelled("sparse-tree", per_input("sparse-tree", "shap-kernel", b_samp)))
run.measure("shap-kernel-exact-at-enumeration", both_trees(lambda n: per_input(n, "shap-kernel", b_top)))
run.measure("shap-sampling-converges-dense", labelled("dense-tree", per_input("dense-tree", "shap-sampling", b_top)))
run.measure("shap-sampling-converges-sparse", labelled("sparse-tree", per_input("sparse-tree", "shap-sampling", b_top)))
run.measure("kernel-shap-converges-dense", labelled("dense-tree", per_input("dense-tree", "kernel-shap", b_top)))
run.measure("kernel-shap-converges-sparse", labelled("sparse-tree", per_input("sparse-tree", "kernel-shap", b_top)))
run.measure("sampling-converges-dense", labelled("dense-tree", per_input("dense-tree", "shapley-sampling", b_top)))
run.measure("sampling-converges-sparse", labelled("sparse-tree", per_input("sparse-tree", "shapley-sampling", b_top)))
run.measure("theorem2-shapley-kernel", both_trees(lambda n: theorem_gap[n]))

# Section 4.1: LIME's large-sample solution, and whether the package lands on it
run.measure("lime-limit-models-package", both_trees(lambda n: lime_package_to_limit[n]))
run.measure("lime-limit-not-shapley", both_trees(lambda n: lime_limit_error[n]))

# Figure 3: LIME at the top budget, in both implementations
run.measure("lime-package-near-its-limit", both_trees(lambda n: lime_to_limit(sweeps[n], "lime-tabular", b_top)))
run.measure("lime-near-its-limit", both_trees(lambda n: lime_to_limit(sweeps[n], "lime", b_top)))
run.measure(
    "lime-package-does-not-converge-dense", labelled("dense-tree", per_input("dense-tree", "lime-tabular", b_top))
)
run.measure(
    "lime-package-does-not-converge-sparse", labelled("sparse-tree", per_input("sparse-tree", "lime-tabular", b_top))
)
run.measure("lime-does-not-converge-dense", labelled("dense-tree", per_input("dense-tree", "lime", b_top)))
run.measure("lime-does-not-converge-sparse", labelled("sparse-tree", per_input("sparse-tree", "lime", b_top)))

if "mlp" in sweeps:
    s = sweeps["mlp"]
    print(
        f"extension (not checked), breast-cancer MLP at {MID_BUDGET} evaluations: "
        + ", ".join(f"{LABELS[m]} {s.mean_error(m, MID_BUDGET):.3f}" for m in s.methods)
        + f"; at {TOP_BUDGET}: LIME package {s.mean_error('lime-tabular', TOP_BUDGET):.3f}; "
        f"LIME limit {np.mean(lime_limit_error['mlp']):.3f}"
    )

# %% [markdown]
# ## Discussion
#
# *The summary at the top holds the measured values; this text quotes none of them.*
#
# * **Theorem 2** holds exactly whatever the model: least squares over all coalitions under the
#   Shapley kernel returns the enumerated Shapley values up to float64 rounding. That is a property
#   of the algebra, so it is a control of our code, not evidence for the paper; the shap package's
#   estimate at 1,024 evaluations (every coalition) is the same identity, and shows that the package
#   and our enumeration explain the same game.
# * **Sample efficiency belongs to an implementation.** The claim is tested in the paper's package
#   (KernelExplainer against SamplingExplainer, the paper's own comparison) and in Captum (KernelShap
#   against ShapleyValueSampling), and the two can disagree: Captum's KernelShap draws coalitions
#   independently with replacement, wastes draws on duplicates among the few small and large
#   coalitions that carry most of the kernel's weight, and only approximates the efficiency
#   constraint, while the shap package enumerates those coalition sizes outright and draws the rest
#   in complementary pairs. Captum's permutation sampling is also stronger than the paper's baseline
#   (it shares each permutation across features, and a feature a tree never uses gets exactly zero).
#   A claim met in the shap package but not in Captum says that the sampling scheme, not the Shapley
#   kernel alone, carries the efficiency. The two `l1_reg` settings of the package show whether the
#   paper's lasso matters at these budgets; at M = 10 the package's current default
#   may keep every feature.
# * **Convergence** of the shap KernelExplainer is tested at 256 evaluations, the largest budget at
#   which it still samples; at 1,024 it is exact by enumeration (a control, not a test).
# * **LIME.** The two LIMEs are the same estimator (same kernel, width, ridge and coalition
#   distribution), so their checks should agree up to sampling noise; the precondition
#   `lime-limit-models-package` says whether the closed-form limit speaks for the package. How far
#   that limit lies from the Shapley values depends on LIME's kernel: the tabular default width
#   `0.75 sqrt(M)` makes it nearly flat over coalitions, so LIME's fit is close to an unweighted
#   regression on uniformly drawn coalitions, which gives Banzhaf-like values: they differ from
#   Shapley values only through interactions among features, and do not add up to `f(x) - f(b)`.
#   Whether that difference reaches the bar is a property of these trees, not a general law: "can
#   differ significantly" is an existence statement, and the extension MLP, whose output is a
#   saturating probability, shows another model. The preconditions `*-near-its-limit` say whether
#   each LIME has settled near its limit at the top budget; if not, the LIME verdict on Figure 3 is
#   inconclusive, since a large error could then be noise.
# * **Caveats.** Our error covers every feature of several inputs, where Figure 3 follows one
#   feature of one input; the sparse tree has 10 inputs, not 100; the dense tree fits its target
#   poorly on held-out data, which does not matter (it is the model being explained).
# * **Figure 4's toy games** (aside): worked by hand, the Shapley values are (1, 1) for the sickness
#   score and (3, 2, 0) for the max game (our unit tests check the enumeration on both); the paper
#   reports that the most common human answers agree with SHAP much better than with LIME or the
#   original DeepLIFT. We cannot repeat the human side.

# %%
run.finish()
