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
# | | Paper | This notebook |
# |---|---|---|
# | Data, model | ImageNet (224 px), ResNet50 and VGG16; Samek: SUN397, ILSVRC2012, MIT Places on Caffe networks | scikit-learn's 8x8 digits, `SmallCNN` (two 3x3 convolutions, 8 and 16 channels), 3 networks (smoke) or 5 (full) |
# | RISE masks | 7x7 grid, p = 0.5, bilinear upsampling with random shift, 4,000-8,000 masks | 4x4 grid (2-pixel cells, a stroke's width), same generation, 1,000 (smoke) or 3,000 (full) masks |
# | Compared maps | Grad-CAM, sliding window, LIME (Table 1); Samek: sensitivity, deconvolution, LRP | the same families from Captum, plus integrated gradients and a random ordering |
# | Deletion | pixels set to zero, most important first | the same, one pixel per step (0 is the digits' blank background) |
# | Insertion | pixels revealed on a blurred copy (the start carries little class evidence) | revealed on a Gaussian blur with sigma 3 px, strong enough that the start sits near chance (a precondition checks it) |
# | Samek MoRF | regions replaced by uniform noise; LRP with epsilon = 100 and alpha-beta rules | 2x2 regions (16) replaced by uniform noise; Captum's default epsilon-LRP (close to LRP-0) |
# | Statistic | mean AUC over 2,000 images | mean AUC over the explained test images, per network; the checks take one ratio per network and a 95 % t-interval over networks |
#
# **Claims tested** (records `catalog/papers/petsiuk2018-rise.yaml` and
# `catalog/papers/samek2017-evaluating-visualization.yaml`): RISE has the lowest deletion and the
# highest insertion score of Table 1's methods (Grad-CAM, sliding window, LIME); RISE, though
# black-box, matches or exceeds white-box maps (gradient, integrated gradients, LRP, Grad-CAM) on
# both metrics; under MoRF region perturbation LRP beats sensitivity and deconvolution (Samek). The
# pointing game and Samek's network assessment are not attempted. Every check, its role
# (primary, precondition, control), unit and threshold, with the reason tied to the paper's
# numbers, is in those records; the summary at the top of the executed notebook shows the outcomes.
#
# **Setup details.** Maps are computed for the first test images of a stratified 75/25 split, for
# the class the model predicts; the score is that class's softmax probability. RISE
# (`interpcat.methods.rise`) draws its masks once per network from a seeded generator and shares them
# across images, as in the authors' code. The other maps: `Saliency` (absolute gradient of the logit,
# Samek's "sensitivity"), `IntegratedGradients` (zero baseline, 50 steps), `LRP` (Captum's epsilon
# rules), `Occlusion` (2x2 zero window, stride 1, on the probability: the sliding window),
# `LayerGradCam` on the last convolution (positive part, already 8x8), `Deconvolution` (absolute
# value), `Lime` (16 superpixels of 2x2 pixels, zero baseline; on a subset of images because it is
# slow) and a random map. AUCs are trapezoidal with the x axis on [0, 1]; AOPC is the mean drop of
# the score over the 17 points of the MoRF curve. Maps with many exact zeros (IG, LRP, Grad-CAM on
# blank pixels) are ordered among their ties by position (the shared metric's stable sort).

# %%
import warnings

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

from interpcat.methods.rise import rise_attribution, rise_masks
from interpcat.metrics import aopc, deletion_curve, insertion_curve, morf_curve, normalized_auc
from interpcat.repro import Reproduction
from interpcat.repro.data import digit_images, split_indices, to_split
from interpcat.repro.nets import SmallCNN
from interpcat.repro.plots import heatmap_grid, line_plot
from interpcat.repro.training import accuracy, fit, predict

run = Reproduction(paper="petsiuk2018-rise", seed=0)
cfg = run.pick(
    smoke=dict(seeds=[0, 1, 2], epochs=20, n_examples=60, n_masks=1000, n_lime=20, lime_samples=100),
    full=dict(seeds=[0, 1, 2, 3, 4], epochs=40, n_examples=200, n_masks=3000, n_lime=60, lime_samples=300),
)
device = run.device
# Captum's Deconvolution warns on every call that it hooks the ReLUs; harmless here.
warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU activations")
WIDTH = 8  # SmallCNN channels (8 and 16): small enough for thousands of RISE queries per image
GRID, KEEP = 4, 0.5  # RISE mask grid (cells of 2 pixels on 8x8) and keep probability
STEPS = 64  # deletion / insertion: one pixel per step
BLUR_SIGMA = 3.0  # insertion substrate: Gaussian blur, in pixels
REGION = 2  # MoRF region side (16 regions of 2x2)
METHODS = ["RISE", "Saliency", "IG", "LRP", "Occlusion", "Grad-CAM", "Deconvnet", "Random"]

images, labels = digit_images()
run.data("scikit-learn digits", size=len(images), resolution="8x8")
train_idx, test_idx = split_indices(labels, (0.75, 0.25), seed=run.seed)
train = to_split(images[train_idx], labels[train_idx])
test = to_split(images[test_idx], labels[test_idx])
print(f"train {len(train)} images, test {len(test)} images")
print(f"share of blank (zero) pixels in the test digits: {float((test.X == 0).float().mean()):.2f}")


# %%
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
    """Captum LIME on 16 superpixels of 2x2 pixels (zero baseline), one image at a time."""
    superpixels = torch.arange(16).reshape(4, 4).repeat_interleave(2, 0).repeat_interleave(2, 1)
    mask = superpixels[None, None].to(X.device)
    lime = Lime(lambda b: torch.softmax(model(b), 1))
    return torch.cat(
        [
            lime.attribute(
                X[i : i + 1],
                target=target[i : i + 1],
                feature_mask=mask,
                baselines=0,
                n_samples=cfg.lime_samples,
                perturbations_per_eval=50,
            ).detach()
            for i in range(len(X))
        ]
    )


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


def mean_scores(crv: dict) -> dict:
    """Per method, the mean over images of the deletion and insertion AUCs and the two AOPCs."""
    area = {"del": normalized_auc, "ins": normalized_auc, "morf": aopc, "morf0": aopc}
    return {name: {k: float(np.mean([f(c) for c in d[k]])) for k, f in area.items()} for name, d in crv.items()}


# %% [markdown]
# ## Run
#
# Per network: train, compute every map for the explained images, then every curve; keep the mean
# scores per method (the unit of every check is one network).

# %%
nets = []
for seed in cfg.seeds:
    torch.manual_seed(seed)
    model = SmallCNN(n_classes=10, width=WIDTH)
    fit(model, train, epochs=cfg.epochs, lr=2e-3, seed=seed, device=device, desc=f"SmallCNN seed {seed}")
    model.eval()
    X = test.X[: cfg.n_examples].to(device)
    target = predict(model, X).argmax(1).to(device)
    maps = attribution_maps(model, X, target, seed)
    crv = curves(model, X, target, maps, seed)
    Xl, tl = X[: cfg.n_lime], target[: cfg.n_lime]
    lime_crv = curves(model, Xl, tl, {"LIME": lime_maps(model, Xl, tl), "RISE": maps["RISE"][: cfg.n_lime]}, seed)
    with torch.no_grad():
        p_x = torch.softmax(model(X), 1).gather(1, target[:, None]).mean()
        p_blur = torch.softmax(model(gaussian_blur(X, BLUR_SIGMA)), 1).gather(1, target[:, None]).mean()
    nets.append(
        dict(
            seed=seed,
            acc=accuracy(model, test),
            p_x=float(p_x),
            p_blur=float(p_blur),
            X=X,
            target=target,
            maps=maps,
            curves=crv,
            mean=mean_scores(crv),
            lime=mean_scores(lime_crv),
        )
    )
    print(
        f"seed {seed}: test accuracy {nets[-1]['acc']:.3f}; mean probability of the explained class: "
        f"image {float(p_x):.3f}, blurred insertion start {float(p_blur):.3f}"
    )

# %% [markdown]
# ## Results per method
#
# Mean over networks of each network's mean score, with the range over networks. Deletion AUC:
# lower is better; insertion AUC and AOPC: higher is better. `AOPC` replaces regions with uniform
# noise (the paper's perturbation), `AOPC (0)` with zeros (the control variant).

# %%
KINDS = [("del", "deletion"), ("ins", "insertion"), ("morf", "AOPC"), ("morf0", "AOPC (0)")]


def over_nets(name: str, kind: str, key: str = "mean") -> np.ndarray:
    return np.array([r[key][name][kind] for r in nets])


print(f"{'method':10s}" + "".join(f"{label:>22s}" for _, label in KINDS))
for name in METHODS:
    cells = []
    for kind, _ in KINDS:
        v = over_nets(name, kind)
        cells.append(f"{v.mean():.3f} [{v.min():.3f}, {v.max():.3f}]")
    print(f"{name:10s}" + "".join(f"{c:>22s}" for c in cells))
print(f"\nLIME subset ({cfg.n_lime} images per network):")
for name in ("LIME", "RISE"):
    print(
        f"  {name:5s} deletion {over_nets(name, 'del', 'lime').mean():.3f}, insertion {over_nets(name, 'ins', 'lime').mean():.3f}"
    )

# %% [markdown]
# ## Plots
#
# Example maps for the first network (input in the top row; signed maps in red/blue).

# %%
first = nets[0]
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
# Mean deletion and insertion curves and mean MoRF curves (noise, and zeros), all images of all networks.

# %%
frac = [i / STEPS for i in range(STEPS + 1)]
regions = list(range(64 // REGION**2 + 1))
for kind, label, xs, xlabel in (
    ("del", "deletion (zero substrate)", frac, "fraction of pixels changed"),
    ("ins", f"insertion (blurred substrate, sigma {BLUR_SIGMA:g} px)", frac, "fraction of pixels changed"),
    ("morf", "MoRF, regions replaced by uniform noise", regions, "regions perturbed, most relevant first"),
    ("morf0", "MoRF, regions set to zero (control variant)", regions, "regions perturbed, most relevant first"),
):
    series = {name: torch.cat([r["curves"][name][kind] for r in nets]).mean(0).tolist() for name in METHODS}
    fig = line_plot(xs, series, xlabel=xlabel, ylabel="class probability", title=label)
    if kind in ("del", "ins"):
        for line in fig.axes[0].lines:
            line.set_marker("")
    fig.set_dpi(80)
    plt.show()

# %% [markdown]
# ## Checks
#
# One value per network: a ratio of that network's mean scores (RISE over the other map, or the
# reference over random for the preconditions).

# %%
per_net = {f"seed {r['seed']}": r for r in nets}


def ratio(a: str, b: str, kind: str, key: str = "mean") -> dict:
    return {k: r[key][a][kind] / r[key][b][kind] for k, r in per_net.items()}


run.measure("model-trained", {k: r["acc"] for k, r in per_net.items()})
run.measure("deletion-separates-reference", ratio("Random", "Occlusion", "del"))
run.measure("insertion-start-near-chance", {k: r["p_blur"] for k, r in per_net.items()})
run.measure("insertion-separates-reference", ratio("Occlusion", "Random", "ins"))
run.measure("morf-separates-reference", ratio("Occlusion", "Random", "morf"))

# Table 1: RISE beats each baseline (deletion ratio low, insertion ratio high)
run.measure("rise-deletion-beats-gradcam", ratio("RISE", "Grad-CAM", "del"))
run.measure("rise-deletion-beats-occlusion", ratio("RISE", "Occlusion", "del"))
run.measure(
    "rise-deletion-beats-lime", ratio("RISE", "LIME", "del", key="lime"), note=f"{cfg.n_lime} images per network"
)
run.measure("rise-insertion-beats-gradcam", ratio("RISE", "Grad-CAM", "ins"))
run.measure("rise-insertion-beats-occlusion", ratio("RISE", "Occlusion", "ins"))
run.measure(
    "rise-insertion-beats-lime", ratio("RISE", "LIME", "ins", key="lime"), note=f"{cfg.n_lime} images per network"
)

# black box vs white box: RISE matches or exceeds each white-box map on both metrics
run.measure("rise-deletion-vs-gradient", ratio("RISE", "Saliency", "del"))
run.measure("rise-insertion-vs-gradient", ratio("RISE", "Saliency", "ins"))
run.measure("rise-deletion-vs-ig", ratio("RISE", "IG", "del"))
run.measure("rise-insertion-vs-ig", ratio("RISE", "IG", "ins"))
run.measure("rise-deletion-vs-lrp", ratio("RISE", "LRP", "del"))
run.measure("rise-insertion-vs-lrp", ratio("RISE", "LRP", "ins"))
run.measure("rise-deletion-vs-gradcam", ratio("RISE", "Grad-CAM", "del"))
run.measure("rise-insertion-vs-gradcam", ratio("RISE", "Grad-CAM", "ins"))

# Samek: LRP orders regions better than sensitivity and deconvolution (noise fill; zero fill as control)
run.measure("lrp-aopc-above-gradient", ratio("LRP", "Saliency", "morf"))
run.measure("lrp-aopc-above-deconvnet", ratio("LRP", "Deconvnet", "morf"))
run.measure("lrp-aopc-above-gradient-zero-fill", ratio("LRP", "Saliency", "morf0"))
run.measure("lrp-aopc-above-deconvnet-zero-fill", ratio("LRP", "Deconvnet", "morf0"))

# controls: everything beats random
run.measure("rise-deletion-vs-random", ratio("RISE", "Random", "del"))
run.measure("rise-insertion-vs-random", ratio("RISE", "Random", "ins"))
worst = {k: max(r["mean"][m]["del"] / r["mean"]["Random"]["del"] for m in METHODS[:-1]) for k, r in per_net.items()}
worst_name = {
    k: max(METHODS[:-1], key=lambda m, r=r: r["mean"][m]["del"] / r["mean"]["Random"]["del"])
    for k, r in per_net.items()
}
run.measure(
    "all-methods-beat-random-deletion",
    worst,
    note="worst map per network: " + ", ".join(f"{k}: {v}" for k, v in worst_name.items()),
)

# %% [markdown]
# ## Discussion
#
# The summary at the top gives each check's outcome and interval; this section says how to read them.
#
# * **Why occlusion is hard to beat here.** With 64 pixels, a 2x2 occlusion window at stride 1 is
#   nearly an exhaustive perturbation analysis of exactly the change the deletion metric makes,
#   while RISE's smooth 2-pixel masks spread importance onto blank pixels next to the strokes. On
#   ImageNet the sliding window is coarse and Grad-CAM is a 7x7 or 14x14 map upsampled to 224 px,
#   so a fine black-box map has room to win. If RISE loses to occlusion here, that is a genuine
#   result at this scale rather than an artefact; whether it carries over to ImageNet is not tested.
# * **Grad-CAM is weak on these digits.** At the last convolution it is already 8x8, and for some
#   images its positive part is empty, which leaves the ordering to the position tie-break. A win of
#   RISE over Grad-CAM is therefore the easiest of the Table 1 comparisons.
# * **White-box maps with the input in them.** IG with a zero baseline and Captum's epsilon-LRP both
#   carry the input as a factor, so blank pixels get exactly zero weight, which is what
#   zero-substrate deletion rewards. The plain absolute gradient does not, and half of
#   each digit is blank. "RISE matches the white-box maps" therefore depends on which white-box map:
#   the claim is checked against all four, and a partial verdict means RISE matched some and not others.
# * **Insertion.** The blur is strong enough that the start sits near chance (a precondition checks
#   it), so insertion AUCs have the room they have on ImageNet. If that precondition fails, the
#   insertion comparisons say nothing, whatever the ratios.
# * **Samek's MoRF on digits.** Uniform noise written into a blank region adds strokes rather than
#   removing content, and the gradient points at exactly the places where new ink changes the score.
#   The precondition asks whether the noise-fill AOPC separates occlusion from a random ordering at
#   all; where it does not, the LRP claims are untested here, not refuted. The zero-fill controls show
#   what happens when removal means "no ink", but they are not the paper's perturbation and never decide.
# * **Changes after the first run (of the old design).** The first smoke run had the same checks,
#   thresholds and sizes as its committed successor. Afterwards we dropped an unchecked aside
#   (insertion from a blank image), added the zero-region MoRF aside, and before the first full run
#   set the full network width to 8 channels like smoke's (16 was planned), for run time.
# * **Changes for the verdict design (issue 11, after the review).** Each Table 1 comparison is now one
#   check per baseline (LIME included) under rule all; the white-box claim is checked against the
#   gradient, IG, LRP and Grad-CAM on deletion and insertion, with a "matches" bar (not worse than
#   Table 1's smallest winning margin); preconditions (model trained, metric separates occlusion from
#   random, insertion start near chance) were added; every check takes one value per network, and
#   the networks grew to 3 in smoke and 5 in full (was 1 and 3), with 60 explained images per network
#   in smoke (was 100) to keep its run time. The insertion blur was raised from sigma 1 px to 3 px:
#   sigma 1 gave the explained class 0.60-0.66 at the start. Sigma was chosen by a probe of the start
#   probability alone on two networks (sigma 1.5: about 0.30, 2: about 0.19, 3: about 0.12, blank image:
#   0.10), before any insertion AUC was computed under it. LIME is now run one image at a time.
#   The first smoke run of this design had these checks, thresholds and sizes; nothing was changed
#   after it.

# %%
run.finish()
