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
# # RISE against white-box maps, scored by deletion, insertion and region perturbation
#
# Scaled-down reproduction of Petsiuk, Das & Saenko (2018), *RISE: Randomized Input Sampling for
# Explanation of Black-box Models* (BMVC 2018, arXiv:1806.07421), together with the central
# comparison of Samek, Binder, Montavon, Lapuschkin & Müller (2017), *Evaluating the Visualization
# of What a Deep Neural Network Has Learned* (IEEE TNNLS 28(11), arXiv:1509.06321), which shares its
# evaluation idea: a good map is one whose top-ranked pixels, once removed, hurt the class score most.
#
# ## The claims
#
# From our catalog records (`catalog/papers/petsiuk2018-rise.yaml`,
# `catalog/papers/samek2017-evaluating-visualization.yaml`):
#
# 1. **RISE scores best on the causal metrics (RISE, Table 1).** On 2,000 ImageNet validation images,
#    RISE has the lowest deletion AUC and the highest insertion AUC of the methods compared. With
#    ResNet50: deletion 0.1076 (Grad-CAM 0.1232, sliding window 0.1421, LIME 0.1217) and insertion
#    0.7267 (Grad-CAM 0.6766, sliding window 0.6618, LIME 0.6940). With VGG16: deletion 0.0980
#    (0.1087, 0.1158, 0.1014) and insertion 0.6663 (0.6149, 0.5917, 0.6167). RISE sees the model
#    only as a black box, yet beats the white-box Grad-CAM. Gradient saliency and a random ordering
#    are not in that table; we add them as the brief's weaker references (checks
#    `rise-deletion-vs-gradient`, `rise-insertion-vs-gradient`, `rise-deletion-vs-random`,
#    `rise-insertion-vs-random`) and keep the paper's own comparison with Grad-CAM and the sliding
#    window (`rise-deletion-vs-table1-baselines`, `rise-insertion-vs-table1-baselines`).
# 2. **LRP orders regions better than sensitivity and deconvolution (Samek et al., Section IV and
#    the AOPC figures).** Under most-relevant-first (MoRF) region perturbation, the class score
#    falls faster when regions are removed in the order of LRP heatmaps than in the order of
#    sensitivity (gradient) or deconvolution heatmaps, on SUN397, ILSVRC2012 and MIT Places; the
#    area over the perturbation curve (AOPC) is highest for LRP (checks `lrp-aopc-above-gradient`,
#    `lrp-aopc-above-deconvnet`). Samek et al. also show the random ordering as the floor.
# 3. **Every attribution method beats a random ordering on deletion** (the sanity floor that both
#    papers' evaluations presuppose; check `all-methods-beat-random-deletion`).
#
# ## Setup: the scaled-down analog
#
# * **Data**: scikit-learn's 1,797 handwritten digits (8x8 pixels in [0, 1], blank background = 0),
#   a stratified 75/25 train/test split; maps are computed for the first test images, for the class
#   the model predicts (RISE explains the top class).
# * **Model**: `interpcat.repro.nets.SmallCNN` (two 3x3 convolutions with ReLU, max-pool, a hidden
#   layer, logits). One network in smoke, three seeds in full.
# * **Score** `f`: the softmax probability of the explained class, as in RISE's evaluation.
# * **RISE** (`interpcat.repro.rise`, our implementation from the paper's description): `N` masks
#   from a 4x4 grid of cells kept with probability 0.5, bilinearly upsampled to 10x10 and cropped to
#   8x8 at a random shift; importance = score-weighted mask sum / (N p). A 4x4 grid gives 2-pixel
#   cells, about a stroke's width, as the paper's 7x7 grid on 224-pixel images gives object-part-sized
#   cells. The masks are drawn once from a seeded generator and shared by all images, as in the
#   authors' code.
# * **Other maps** (Captum): `Saliency` (absolute gradient of the logit, Simonyan et al.; Samek's
#   "sensitivity"), `IntegratedGradients` (zero baseline, 50 steps), `LRP` (Captum's default epsilon
#   rules), `Occlusion` (2x2 zero window, stride 1, on the probability: the paper's "sliding window"),
#   `LayerGradCam` on the last convolution (positive part, already at 8x8 because pooling comes after),
#   `Deconvolution` (absolute value, Samek's third method), and `Lime` (16 superpixels of 2x2 pixels,
#   zero baseline) on a subset of images because Captum's LIME is slow per image. A **random map**
#   (seeded uniform noise) gives the random ordering.
# * **Deletion** (`interpcat.metrics.deletion_curve`): pixels set to **0**, one per step (64 steps),
#   most important first. Zero is the digits' blank background, i.e. "no ink", the natural analog of
#   RISE's constant substrate. Deleting a pixel that is already blank changes nothing, so maps that
#   rank blank pixels high waste steps: that is a real property of a map under this metric.
# * **Insertion** (`insertion_curve`): pixels revealed one per step on top of a **blurred** copy of the
#   digit (Gaussian, sigma = 1 pixel), as RISE starts insertion from a blurred image (their kernel is
#   wide relative to object parts; one pixel is an eighth of our image). A blank image would be the
#   other possible start, but it is itself an input the model classifies, with some confidence; the
#   mean probability of the explained class at both possible starts is printed below.
# * **AUC** (`normalized_auc`): trapezoidal area with the x axis scaled to [0, 1]; lower is better
#   for deletion, higher for insertion.
# * **MoRF region perturbation** (`interpcat.metrics.region_perturbation`, Samek et al.): 2x2 regions
#   (16 per image) ranked by summed relevance and replaced, most relevant first, by uniform random
#   values in [0, 1]; AOPC = mean drop of the score over the 17 points of the curve.
#
# What differs from the papers: 8x8 digits and a tiny CNN instead of ImageNet-scale images and
# networks; Captum's implementations of the baselines instead of the authors'; a blur scaled to
# the image; Samek's LRP rules (epsilon and alpha-beta on Caffe models) replaced by Captum's
# default epsilon rules.

# %%

import matplotlib.pyplot as plt
import numpy as np
import torch
from captum.attr import (
    LRP,
    Deconvolution,
    IntegratedGradients,
    LayerGradCam,
    Lime,
    Occlusion,
    Saliency,
)
from torch import nn
from torch.nn import functional as F

from interpcat.metrics import aopc, deletion_curve, insertion_curve, morf_curve, normalized_auc
from interpcat.repro import Reproduction
from interpcat.repro.data import digit_images, split_indices, to_split
from interpcat.repro.nets import SmallCNN
from interpcat.repro.plots import heatmap_grid, line_plot
from interpcat.repro.rise import rise_attribution, rise_masks
from interpcat.repro.training import accuracy, fit, predict

run = Reproduction(paper="petsiuk2018-rise", seed=0)
cfg = run.pick(
    smoke=dict(seeds=[0], epochs=20, n_examples=100, n_masks=1000, n_lime=25, lime_samples=100),
    full=dict(seeds=[0, 1, 2], epochs=40, n_examples=200, n_masks=3000, n_lime=60, lime_samples=300),
)
device = run.device
WIDTH = 8  # SmallCNN channels (8 and 16): small enough for thousands of RISE queries per image
GRID, KEEP = 4, 0.5  # RISE mask grid (cells of 2 pixels on 8x8) and keep probability
STEPS = 64  # deletion / insertion: one pixel per step
BLUR_SIGMA = 1.0  # insertion substrate: Gaussian blur, in pixels
REGION = 2  # MoRF region side (16 regions of 2x2)
METHODS = ["RISE", "Saliency", "IG", "LRP", "Occlusion", "Grad-CAM", "Deconvnet", "Random"]
TABLE1 = ["Grad-CAM", "Occlusion"]  # the white-box and sliding-window baselines of RISE's Table 1
# Smallest margins by which RISE beat a competitor in RISE's Table 1 (both networks):
# deletion 0.0980 vs LIME 0.1014 on VGG16 (ratio 0.966); insertion 0.7267 vs LIME 0.6940 on ResNet50
# (ratio 1.047). Rounded towards "no difference" to leave room for our sampling noise.
DELETION_RATIO = 0.97
INSERTION_RATIO = 1.04

# %% [markdown]
# ## Expectations
#
# Stated before any model is trained. Each RISE check compares mean AUCs over all explained images
# (all seeds pooled) as a ratio, RISE over the other method.
#
# * **How much better must RISE be?** RISE's Table 1 gives the margins a win looks like in the paper:
#   its smallest winning margin is 3.4% on deletion (0.0980 vs LIME's 0.1014, VGG16) and 4.7% on
#   insertion (0.7267 vs LIME's 0.6940, ResNet50); against Grad-CAM it wins by 10-13% on deletion and
#   7-8% on insertion. We ask for at least the smallest margin, slightly rounded: deletion ratio
#   **at most 0.97** and insertion ratio **at least 1.04**, against each reference.
# * **Against gradient saliency** we expect RISE to win both metrics clearly: the gradient is a
#   local sensitivity and gives weight to blank pixels, whose deletion is a no-op. On insertion we
#   are less sure: revealing blank pixels does sharpen the blurred digit, so the gradient's blind spot
#   matters less there.
# * **Against the random ordering** we expect wide wins on both metrics.
# * **Against Grad-CAM and the sliding window (Table 1 analog)** the paper's claim is the one most
#   likely to fail at this scale: with 64 pixels a 2x2 occlusion window is almost an exhaustive
#   perturbation analysis of the same kind of perturbation the metric uses, and Grad-CAM here is
#   already at full resolution. We keep the paper's thresholds and expect a close call.
# * **Samek's LRP vs sensitivity and deconvolution**: the paper reports LRP's AOPC curve above both
#   at every perturbation step on its three datasets; its margins are shown in figures and we do not
#   quote numbers we could not check, so we ask for the direction only: AOPC ratio LRP / other
#   **greater than 1**. On a ReLU network Captum's epsilon-LRP is close to gradient x input, which
#   accounts for the pixel values, so we expect it to beat the plain gradient; deconvolution, like
#   the gradient, ignores whether a pixel carries ink.
# * **Every method beats random on deletion**: the largest ratio method / random over all methods
#   (the absolute gradient and deconvolution are the candidates to fail) must be **below 1**.

# %%
ratio_checks = {
    "rise-deletion-vs-gradient": run.expect(
        claim="rise-deletion-vs-gradient",
        description="mean deletion AUC (zero substrate) of RISE divided by that of gradient saliency",
        at_most=DELETION_RATIO,
    ),
    "rise-insertion-vs-gradient": run.expect(
        claim="rise-insertion-vs-gradient",
        description="mean insertion AUC (blurred substrate) of RISE divided by that of gradient saliency",
        at_least=INSERTION_RATIO,
    ),
    "rise-deletion-vs-random": run.expect(
        claim="rise-deletion-vs-random",
        description="mean deletion AUC of RISE divided by that of a random ordering",
        at_most=DELETION_RATIO,
    ),
    "rise-insertion-vs-random": run.expect(
        claim="rise-insertion-vs-random",
        description="mean insertion AUC of RISE divided by that of a random ordering",
        at_least=INSERTION_RATIO,
    ),
    "rise-deletion-vs-table1-baselines": run.expect(
        claim="rise-deletion-vs-table1-baselines",
        description="mean deletion AUC of RISE divided by the best (lowest) of Grad-CAM and 2x2 occlusion",
        at_most=DELETION_RATIO,
    ),
    "rise-insertion-vs-table1-baselines": run.expect(
        claim="rise-insertion-vs-table1-baselines",
        description="mean insertion AUC of RISE divided by the best (highest) of Grad-CAM and 2x2 occlusion",
        at_least=INSERTION_RATIO,
    ),
}
check_lrp_grad = run.expect(
    claim="lrp-aopc-above-gradient",
    description="mean MoRF AOPC (2x2 regions, uniform noise) of LRP divided by that of gradient sensitivity",
    greater_than=1.0,
)
check_lrp_deconv = run.expect(
    claim="lrp-aopc-above-deconvnet",
    description="mean MoRF AOPC of LRP divided by that of deconvolution",
    greater_than=1.0,
)
check_random = run.expect(
    claim="all-methods-beat-random-deletion",
    description="largest ratio, over the attribution methods, of mean deletion AUC to that of a random ordering",
    less_than=1.0,
)

# %% [markdown]
# ## Run
#
# Train the network(s), compute every map for the explained images, then every curve.

# %%
images, labels = digit_images()
train_idx, test_idx = split_indices(labels, (0.75, 0.25), seed=run.seed)
train = to_split(images[train_idx], labels[train_idx])
test = to_split(images[test_idx], labels[test_idx])
print(f"train {len(train)} images, test {len(test)} images")
blank = float((test.X == 0).float().mean())
print(f"share of blank (zero) pixels in the test digits: {blank:.2f}")


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Blur (B, 1, H, W) with a normalised Gaussian kernel, zero padding (the digits' background)."""
    radius = max(1, round(3 * sigma))
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    k1 = torch.exp(-(t**2) / (2 * sigma**2))
    k1 = k1 / k1.sum()
    kernel = (k1[:, None] * k1[None, :])[None, None]
    return F.conv2d(x, kernel, padding=radius)


def attribution_maps(model: nn.Module, X: torch.Tensor, target: torch.Tensor, seed: int) -> dict:
    """Every method's map for X (B, 1, 8, 8), for the target classes; higher = more important."""

    def prob(batch: torch.Tensor) -> torch.Tensor:
        return torch.softmax(model(batch), 1)

    masks = rise_masks(
        cfg.n_masks, (8, 8), grid_size=GRID, keep_prob=KEEP, generator=torch.Generator().manual_seed(1000 + seed)
    )
    maps = {
        "RISE": rise_attribution(prob, X, target, masks, keep_prob=KEEP),
        "Saliency": Saliency(model).attribute(X, target=target, abs=True),
        "IG": IntegratedGradients(model).attribute(X, baselines=torch.zeros_like(X), target=target, n_steps=50),
        "LRP": LRP(model).attribute(X, target=target),
        "Occlusion": Occlusion(prob).attribute(
            X, target=target, sliding_window_shapes=(1, 2, 2), strides=(1, 1, 1), baselines=0, perturbations_per_eval=64
        ),
        "Grad-CAM": LayerGradCam(model, model.features[3]).attribute(X, target=target, relu_attributions=True),
        "Deconvnet": Deconvolution(model).attribute(X, target=target).abs(),
        "Random": torch.rand(X.shape, generator=torch.Generator().manual_seed(2000 + seed)).to(X.device),
    }
    assert all(m.shape == X.shape for m in maps.values()), {k: m.shape for k, m in maps.items()}
    return {k: m.detach() for k, m in maps.items()}


def lime_maps(model: nn.Module, X: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Captum LIME on 16 superpixels of 2x2 pixels (zero baseline), for a subset of images."""
    superpixels = torch.arange(16).reshape(4, 4).repeat_interleave(2, 0).repeat_interleave(2, 1)
    mask = superpixels[None, None].expand(len(X), 1, 8, 8).to(X.device)
    lime = Lime(lambda b: torch.softmax(model(b), 1))
    return lime.attribute(
        X, target=target, feature_mask=mask, baselines=0, n_samples=cfg.lime_samples, perturbations_per_eval=50
    ).detach()


def curves(model: nn.Module, X: torch.Tensor, target: torch.Tensor, maps: dict, seed: int) -> dict:
    """Deletion, insertion and MoRF curves (noise and zero regions) for every map and image."""
    blurred = gaussian_blur(X, BLUR_SIGMA)
    noise = torch.rand(X.shape, generator=torch.Generator().manual_seed(3000 + seed)).to(X.device)
    out = {name: {"del": [], "ins": [], "morf": [], "morf0": []} for name in maps}
    for i in range(len(X)):
        c = int(target[i])

        def score(batch: torch.Tensor, c: int = c) -> torch.Tensor:
            return torch.softmax(model(batch), 1)[:, c]

        for name, m in maps.items():
            x, a = X[i], m[i]
            out[name]["del"].append(deletion_curve(score, x, a, torch.zeros_like(x), steps=STEPS).cpu())
            out[name]["ins"].append(insertion_curve(score, x, a, blurred[i], steps=STEPS).cpu())
            out[name]["morf"].append(morf_curve(score, x, a, noise[i], size=REGION).cpu())
            out[name]["morf0"].append(morf_curve(score, x, a, torch.zeros_like(x), size=REGION).cpu())
    return {name: {k: torch.stack(v) for k, v in d.items()} for name, d in out.items()}


results = []  # one entry per network
for seed in cfg.seeds:
    torch.manual_seed(seed)
    model = SmallCNN(n_classes=10, width=WIDTH)
    fit(model, train, epochs=cfg.epochs, lr=2e-3, seed=seed, device=device, desc=f"SmallCNN seed {seed}")
    model.eval()
    acc = accuracy(model, test)
    X = test.X[: cfg.n_examples].to(device)
    target = predict(model, X).argmax(1).to(device)
    maps = attribution_maps(model, X, target, seed)
    crv = curves(model, X, target, maps, seed)
    lime = lime_maps(model, X[: cfg.n_lime], target[: cfg.n_lime])
    lime_crv = curves(
        model, X[: cfg.n_lime], target[: cfg.n_lime], {"LIME": lime, "RISE": maps["RISE"][: cfg.n_lime]}, seed
    )
    with torch.no_grad():
        p_x = torch.softmax(model(X), 1).gather(1, target[:, None]).mean()
        p_blur = torch.softmax(model(gaussian_blur(X, BLUR_SIGMA)), 1).gather(1, target[:, None]).mean()
        p_zero = torch.softmax(model(torch.zeros_like(X)), 1).gather(1, target[:, None]).mean()
    print(
        f"seed {seed}: test accuracy {acc:.3f}; mean probability of the explained class: "
        f"image {float(p_x):.3f}, blurred start {float(p_blur):.3f}, blank start {float(p_zero):.3f}"
    )
    results.append(dict(seed=seed, model=model, X=X, target=target, maps=maps, curves=crv, lime=lime_crv))

# %% [markdown]
# ## Results per method
#
# Mean AUCs over all explained images (all networks pooled), with a paired bootstrap 95% interval
# for the ratio where a check uses one. AOPC is Samek's MoRF score with regions replaced by uniform
# noise (higher is better); `AOPC (0)` replaces the regions with zeros instead (an aside, not checked).

# %%
auc = {
    name: {
        kind: np.concatenate([np.array([normalized_auc(c) for c in r["curves"][name][kind]]) for r in results])
        for kind in ("del", "ins")
    }
    for name in METHODS
}
for name in METHODS:
    for kind, key in (("morf", "aopc"), ("morf0", "aopc0")):
        auc[name][key] = np.concatenate([np.array([aopc(c) for c in r["curves"][name][kind]]) for r in results])
mean = {name: {k: float(v.mean()) for k, v in d.items()} for name, d in auc.items()}

print(f"{'method':10s} {'deletion':>9s} {'insertion':>10s} {'AOPC':>7s} {'AOPC (0)':>9s}")
for name in METHODS:
    m = mean[name]
    print(f"{name:10s} {m['del']:9.4f} {m['ins']:10.4f} {m['aopc']:7.4f} {m['aopc0']:9.4f}")

lime_auc = {
    name: {
        kind: np.concatenate([np.array([normalized_auc(c) for c in r["lime"][name][kind]]) for r in results])
        for kind in ("del", "ins")
    }
    for name in ("LIME", "RISE")
}
n_lime = len(lime_auc["LIME"]["del"])
print(
    f"\nLIME subset ({n_lime} images, not checked): deletion LIME {lime_auc['LIME']['del'].mean():.4f} "
    f"vs RISE {lime_auc['RISE']['del'].mean():.4f}; insertion LIME {lime_auc['LIME']['ins'].mean():.4f} "
    f"vs RISE {lime_auc['RISE']['ins'].mean():.4f}"
)

rng = np.random.default_rng(run.seed)
boot_idx = rng.integers(0, len(auc["RISE"]["del"]), size=(1000, len(auc["RISE"]["del"])))


def ratio_ci(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Ratio of means a / b and its paired bootstrap 95% interval (resampling images)."""
    boots = a[boot_idx].mean(1) / b[boot_idx].mean(1)
    return float(a.mean() / b.mean()), float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))


def fmt(t: tuple[float, float, float]) -> str:
    return f"{t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]"


ratios = {
    "rise-deletion-vs-gradient": ratio_ci(auc["RISE"]["del"], auc["Saliency"]["del"]),
    "rise-insertion-vs-gradient": ratio_ci(auc["RISE"]["ins"], auc["Saliency"]["ins"]),
    "rise-deletion-vs-random": ratio_ci(auc["RISE"]["del"], auc["Random"]["del"]),
    "rise-insertion-vs-random": ratio_ci(auc["RISE"]["ins"], auc["Random"]["ins"]),
}
best_del = min(TABLE1, key=lambda k: mean[k]["del"])
best_ins = max(TABLE1, key=lambda k: mean[k]["ins"])
ratios["rise-deletion-vs-table1-baselines"] = ratio_ci(auc["RISE"]["del"], auc[best_del]["del"])
ratios["rise-insertion-vs-table1-baselines"] = ratio_ci(auc["RISE"]["ins"], auc[best_ins]["ins"])
print(f"\nbest Table 1 baseline: deletion {best_del}, insertion {best_ins}")
for claim, t in ratios.items():
    print(f"{claim:38s} ratio {fmt(t)}")

lrp_grad = ratio_ci(auc["LRP"]["aopc"], auc["Saliency"]["aopc"])
lrp_deconv = ratio_ci(auc["LRP"]["aopc"], auc["Deconvnet"]["aopc"])
print(f"\nAOPC ratio LRP / Saliency  {fmt(lrp_grad)}")
print(f"AOPC ratio LRP / Deconvnet {fmt(lrp_deconv)}")
vs_random = {name: mean[name]["del"] / mean["Random"]["del"] for name in METHODS if name != "Random"}
print("\ndeletion AUC ratio to random:", {k: round(v, 3) for k, v in vs_random.items()})
if len(results) > 1:
    for r in results:
        per = {
            name: float(np.mean([normalized_auc(c) for c in r["curves"][name]["del"]]))
            for name in ("RISE", "Saliency", "Occlusion", "Random")
        }
        print(f"seed {r['seed']} deletion AUCs:", {k: round(v, 4) for k, v in per.items()})

# %% [markdown]
# ## Plots
#
# Example maps for the first network (input in the top row; signed maps in red/blue).

# %%
first = results[0]
cols = list(range(6))
fig = heatmap_grid(
    [[first["X"][i].cpu() for i in cols]] + [[first["maps"][name][i].cpu() for i in cols] for name in METHODS],
    ["input", *METHODS],
    [f"pred {int(first['target'][i])}" for i in cols],
    size=1.1,
)
fig.set_dpi(80)
plt.show()

# %% [markdown]
# Mean deletion and insertion curves (all images, all networks) and the mean MoRF curves (noise, and zeros).

# %%
frac = [i / STEPS for i in range(STEPS + 1)]
for kind, label in (("del", "deletion (zero substrate)"), ("ins", "insertion (blurred substrate)")):
    series = {name: torch.cat([r["curves"][name][kind] for r in results]).mean(0).tolist() for name in METHODS}
    fig = line_plot(frac, series, xlabel="fraction of pixels changed", ylabel="class probability", title=label)
    for line in fig.axes[0].lines:
        line.set_marker("")
    fig.set_dpi(80)
    plt.show()

regions = list(range(64 // REGION**2 + 1))
for kind, label in (
    ("morf", "MoRF, regions replaced by uniform noise"),
    ("morf0", "MoRF, regions set to zero (aside)"),
):
    series = {name: torch.cat([r["curves"][name][kind] for r in results]).mean(0).tolist() for name in METHODS}
    fig = line_plot(
        regions, series, xlabel="regions perturbed, most relevant first", ylabel="class probability", title=label
    )
    fig.set_dpi(80)
    plt.show()

# %% [markdown]
# ## Checks

# %%
for claim, check in ratio_checks.items():
    value, lo, hi = ratios[claim]
    check.measure(value, note=f"paired bootstrap 95% interval [{lo:.3f}, {hi:.3f}]; {len(auc['RISE']['del'])} images")
check_lrp_grad.measure(lrp_grad[0], note=f"bootstrap 95% interval [{lrp_grad[1]:.3f}, {lrp_grad[2]:.3f}]")
check_lrp_deconv.measure(lrp_deconv[0], note=f"bootstrap 95% interval [{lrp_deconv[1]:.3f}, {lrp_deconv[2]:.3f}]")
worst = max(vs_random, key=vs_random.get)
check_random.measure(vs_random[worst], note=f"worst method: {worst}")

# %% [markdown]
# ## Discussion
#
# The tables and verdicts above carry the measured numbers; this section says how to read them.
# In both profiles, smoke and full, the same checks pass and fail.
#
# * **What reproduces: RISE beats chance, and beats the gradient on deletion.** RISE's maps are
#   far better than a random ordering on both metrics and far better than the absolute gradient on
#   deletion. Deletion with the blank substrate punishes any map that ranks blank pixels high: the
#   absolute gradient does (about half of each digit is blank, and deleting a blank pixel is a
#   no-op), while RISE, whose masks multiply the input, puts its weight on and around the strokes.
# * **What does not: RISE vs the gradient on insertion.** On insertion the two tie (the ratio's
#   interval straddles or sits just below 1, short of the paper-sized margin). Two reasons are
#   visible in the setup: the blurred start already gives the explained class a large share of the
#   probability, which squeezes every insertion AUC towards the top, and revealing blank pixels does
#   matter on a blurred digit (it sharpens the stroke edges), so the gradient's attention to blank
#   pixels stops being a handicap.
# * **What does not: the paper's Table 1 comparison.** On this scale RISE loses clearly to the 2x2
#   occlusion window on deletion and only ties it on insertion, and the white-box IG and LRP do better
#   still on deletion. On ImageNet the sliding window is coarse and Grad-CAM is a 7x7 (ResNet50) or
#   14x14 (VGG16) map upsampled to 224 pixels, so a fine-grained black-box map has room to win. With
#   64 pixels a 2x2 window at stride 1 is nearly an exhaustive perturbation analysis of exactly the
#   kind of change the metric makes, whereas RISE's smooth 2-pixel masks spread importance onto the
#   blank pixels next to strokes. Grad-CAM, by contrast, is poor here (it is the worst map against
#   random on deletion, and for some images its positive part is empty, leaving the ordering to the
#   tie-break), so RISE does beat Grad-CAM as in the paper; the check compares with the best baseline.
#   The LIME subset, unchecked, has LIME slightly ahead of RISE on deletion and level on insertion:
#   a small gap, but the reverse of Table 1's order.
# * **What does not: Samek's LRP result under noise.** With regions replaced by uniform noise, LRP
#   orders regions no better than chance, and sensitivity and deconvolution do better. The aside with
#   regions set to zero reverses the picture: there LRP (like IG) is far ahead of sensitivity and
#   deconvolution. The reason is the blank background. Captum's epsilon-LRP on a ReLU network is close
#   to gradient x input, so blank regions get no relevance, which is right for "what made up the
#   score". But noise written into a blank region adds new strokes, which can destroy the evidence for
#   the class, and the gradient points exactly at the places where new ink would change the score.
#   On Samek's natural images every region carries content and noise removes it; on digits half the
#   regions are empty and noise adds content. The MoRF verdict therefore depends on the substrate,
#   and the scaled-down setting does not test the paper's claim on the ground it was made.
# * **Every method beats random on deletion.** Holds for all eight maps; Grad-CAM and the absolute
#   gradient are the weakest.
# * **Ties.** Maps with many exact zeros (IG, LRP and Grad-CAM on blank pixels) are ordered among
#   their ties by position (the shared metric's stable sort); this matters for insertion, where
#   revealing blank pixels changes the blurred image, and not for deletion.
# * **Changes after the first run.** The first smoke run had the same checks, thresholds and sizes,
#   and the same verdicts. Afterwards we dropped an unchecked aside (insertion from a blank image) and
#   added the unchecked zero-region MoRF aside to explain the LRP result, and, before the first full
#   run, set the full profile's network width to 8 channels like smoke's (16 was planned), for run
#   time. The first smoke runs were also
#   slow because the runner gives torch two threads unless `MKL_NUM_THREADS=1` is set as well as
#   `OMP_NUM_THREADS=1`.

# %%
run.finish()
