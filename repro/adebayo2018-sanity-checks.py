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
# so it has to memorise them, and compares its maps with those of the model trained on the true labels.
# A method whose maps hardly change under either test cannot be telling us what the model learned.
#
# ## The claims
#
# Our catalog statements (`catalog/papers/adebayo2018-sanity-checks.yaml`), with what the paper reports:
#
# 1. **gradient-model-randomization**: gradient (saliency) maps change substantially once the top
#    layers of a trained network are re-initialised. *Paper:* Figure 2 (Inception v3 on ImageNet,
#    17 blocks re-initialised from the logits down, one "Junco" bird image) shows the gradient map
#    losing its resemblance to the trained model's map as soon as the logits are re-initialised;
#    Figure 4 plots Spearman rank correlation (with and without absolute values), SSIM and HOG
#    similarity along the cascade, and the gradient curves fall early and stay low.
# 2. **integrated-gradients-model-randomization**: Integrated Gradients maps also change under the
#    cascade. *Paper:* Figures 2 and 4, same setting, with correlations reported both with and
#    without absolute values.
# 3. **guided-backprop-model-invariance** (check `guided-backprop-top-layer-invariance`): Guided
#    Backprop maps stay nearly the same when the top layers are re-initialised. *Paper:* Figures 2
#    and 4; Guided Backprop and Guided Grad-CAM stay visually and quantitatively similar to the
#    trained model's maps across the upper blocks. (The
#    authors' later errata, in an updated arXiv version and the code README, adds that Guided
#    Backprop is not *completely* invariant: re-initialising the lowest layers does distort its maps.)
# 4. **guided-backprop-fails-model-randomization**: Guided Backprop fails the test where the gradient
#    passes: its maps stay far more similar to the trained model's than gradient maps do.
# 5. **input-product-structure**: maps that multiply by the input (Gradient ⊙ Input, Integrated
#    Gradients) inherit the input's structure, so their absolute-value views can look alike across
#    models whose gradients differ; the paper therefore shows signed (diverging) views and
#    correlations beside absolute ones. Our check measures the sharpest form of this on digits.
# 6. **random-label-fit**: a network can be trained on permuted labels to high training accuracy,
#    with test accuracy at chance (the precondition of the data test). *Paper:* CNNs and MLPs on
#    MNIST and Fashion-MNIST; the official training script trains random-label models longer
#    (100 epochs instead of 50) because they need it.
# 7. **gradient-data-randomization**: gradient maps of the random-label model differ from those of
#    the true-label model. *Paper:* Figure 5 (MNIST / Fashion-MNIST CNN and MLP; example maps and
#    bar charts of rank correlation with and without absolute values).
# 8. **guided-backprop-data-randomization**: Guided Backprop maps of the random-label model remain
#    similar to those of the true-label model. *Paper:* Figure 5, same setting.
# 9. **guided-backprop-fails-data-randomization**: under the data test too, Guided Backprop's maps
#    stay much more similar than the gradient's.
#
# The paper gives these results as curves, example grids and bar charts, not as tables of numbers;
# we state its findings as the figures show them and derive our thresholds from that contrast
# (maps of gradient-type methods decorrelate, Guided Backprop's stay correlated), with the
# tolerance reasoning written out below.
#
# ## Setup: the scaled-down analog
#
# * **Data**: scikit-learn's 1,797 handwritten digits (8x8, values in [0, 1]), a stratified 70/30
#   split; the paper's MNIST experiments are the closest counterpart (28x28 digits, black background).
# * **Model**: `interpcat.repro.nets.SmallCNN`: two 3x3 convolutions (16 and 32 channels) with ReLU,
#   a 2x2 max-pool, a 64-unit fully connected layer and the logits: four trainable layers. This is
#   a smaller sibling of the paper's MNIST CNN (two 5x5 convolutions, max-pools, a 1024-unit layer).
# * **Cascading randomization**: `interpcat.repro.randomization.cascading_randomization` returns
#   copies with the top k layers re-initialised (k = 0..4, logits first, in the order of
#   `trainable_layers`), each from the layer's own default initialiser: the distribution it started
#   training from, as the paper re-initialises with the model's initialiser.
# * **Data randomization**: the same CNN trained on a permutation of the training labels until it
#   reaches 95% training accuracy (`fit_until`), so it must memorise.
# * **Methods** (Captum): Gradient (`Saliency`, signed), SmoothGrad (`NoiseTunnel` over the gradient,
#   noise 0.15 of the input range, the same noise draws for every model), Input x Gradient,
#   Integrated Gradients (zero baseline) and Guided Backprop. Each map explains the true class of a
#   correctly classified test image, the same class for every model compared.
# * **Similarity**: Spearman rank correlation (`interpcat.metrics.spearman_rank_correlation`),
#   with absolute values and signed, as the paper reports both; averaged over explained images and seeds.
#
# **The zero-pixel problem.** About half of the pixels of a digit are exactly zero. Input x
# Gradient and Integrated Gradients with a zero baseline are *exactly* zero there, in every model,
# trained or random. With absolute values these pixels tie at the bottom of both rankings, and a
# block of shared ties makes Spearman's rho large whatever the maps do elsewhere: with a fraction z of
# tied pixels and a correlation r on the rest, the raw rho is about
# (z(1-z)/4 + r(1-z)^3/12) / (z(1-z)/4 + (1-z)^3/12), i.e. about 0.86 + 0.14 r for z = 0.5.
# So we compute every correlation twice: over all pixels (*raw*, the naive number) and over the
# pixels where the input is non-zero (*restricted*, `where=` in `spearman_rank_correlation`). The
# checks use the restricted numbers for every method, so all methods are compared on the same
# pixels; the raw numbers are printed beside them, and one check measures the inflation itself.
# (MNIST has the same black background, so the paper's MNIST correlations for these two methods
# would be subject to the same effect unless it was handled.)
#
# **What differs from the paper**: no ImageNet or Inception v3 (no pretrained weights can be
# loaded here), a 4-layer network instead of 17 Inception blocks, 8x8 instead of 28x28 or 299x299
# images, no Grad-CAM / Guided Grad-CAM (an 8x8 image leaves Grad-CAM almost no spatial resolution),
# and no SSIM / HOG metrics: the rank correlation is the metric the claims rest on.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from captum.attr import GuidedBackprop, InputXGradient, IntegratedGradients, NoiseTunnel, Saliency

from interpcat.repro import Reproduction
from interpcat.repro.data import Split, digit_images, split_indices, to_split
from interpcat.repro.nets import SmallCNN, trainable_layers
from interpcat.repro.plots import heatmap_grid, line_plot
from interpcat.repro.randomization import cascading_randomization, fit_until, map_similarity, permuted_labels
from interpcat.repro.training import accuracy, fit, predict

plt.rcParams["figure.dpi"] = 80
# The networks and batches here are tiny: extra CPU threads only add synchronisation overhead, and
# on a shared, busy machine they can slow a run many times over. (No effect on a GPU.)
torch.set_num_threads(1)
warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require gradients")
warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU activations")

run = Reproduction(paper="adebayo2018-sanity-checks", seed=0)
cfg = run.pick(
    smoke=dict(
        seeds=[0], n_train=600, n_explain=32, epochs=25, max_random_label_epochs=400, ig_steps=16, sg_samples=10
    ),
    full=dict(
        seeds=[0, 1, 2], n_train=None, n_explain=200, epochs=40, max_random_label_epochs=800, ig_steps=32, sg_samples=25
    ),
)
device = run.device
LR = 3e-3
MEMORISED = 0.95  # train random-label models until this training accuracy (or the epoch cap)
METHODS = ["Gradient", "SmoothGrad", "Input x Gradient", "Integrated Gradients", "Guided Backprop"]
VARIANTS = ["abs_nonzero", "signed_nonzero", "abs_raw", "signed_raw"]
print(cfg)

# %% [markdown]
# ## Expectations
#
# Stated before any model is trained. All correlations are means over explained test images (and
# over seeds in the full profile) of Spearman's rho between a method's map from the trained model
# and its map from the modified model; "restricted" means over the pixels where the input is non-zero.
#
# * **Gradient, full cascade** (`gradient-model-randomization`): the paper's gradient curves drop
#   to low similarity once the top layers are re-initialised and stay there; with every layer
#   re-initialised, maps of two unrelated networks should share little beyond coarse layout. We
#   expect the restricted absolute-value rho **below 0.3**, leaving room for some shared
#   structure from the convolutional geometry (padding, receptive fields) that any two 3x3-conv
#   nets have on an 8x8 grid.
# * **Integrated Gradients, full cascade** (`integrated-gradients-model-randomization`): IG is
#   input x (path-averaged gradient). Even on non-zero pixels its absolute value carries the
#   input's intensity, a factor both models share; the signed map does not (the sign comes from
#   the gradient). We therefore test the **signed** restricted rho, expecting it **below 0.3** as
#   for the gradient, and print the absolute-value one beside it.
# * **Guided Backprop, top two layers re-initialised** (`guided-backprop-top-layer-invariance`):
#   the paper shows Guided Backprop essentially unchanged while only upper blocks are re-initialised.
#   Re-initialising our two fully connected layers (convolutions intact) is that regime: we expect
#   the restricted absolute-value rho to stay **at least 0.5**, a loose bar for "similar" that
#   still allows for the errata's partial sensitivity.
# * **Guided Backprop vs gradient, full cascade** (`guided-backprop-fails-model-randomization`):
#   the paper's headline ordering. Even with all layers re-initialised (where, per the errata,
#   Guided Backprop does change somewhat), its restricted absolute-value rho should exceed the
#   gradient's by **more than 0.2**.
# * **Zero-pixel ties** (`input-product-structure`): for IG's absolute-value map after the full
#   cascade, the formula above with about half the pixels tied predicts the raw rho to exceed the
#   restricted rho by about 0.86 (1 - r); for any restricted r up to 0.75 that is over 0.2. We
#   expect raw minus restricted **at least 0.2**.
# * **Memorisation** (`random-label-fit`): the paper's random-label models fit their training labels;
#   we train until 95% and expect the lowest training accuracy over seeds **at least 0.9**
#   (the epoch cap leaves it a margin to fall short of 95%).
# * **Gradient, data test** (`gradient-data-randomization`): the paper shows gradient maps of the
#   random-label model unlike the true model's; we expect the restricted absolute-value rho
#   **below 0.3**, the same bar as for the model test.
# * **Guided Backprop, data test** (`guided-backprop-data-randomization`): the paper shows them
#   still similar; we expect the restricted absolute-value rho **at least 0.5**.
# * **Guided Backprop vs gradient, data test** (`guided-backprop-fails-data-randomization`): we
#   expect Guided Backprop's rho to exceed the gradient's by **more than 0.2**.

# %%
exp_grad = run.expect(
    claim="gradient-model-randomization",
    description="Gradient maps, all 4 layers re-initialised: mean |map| Spearman rho vs trained model, non-zero input pixels",
    less_than=0.3,
)
exp_ig = run.expect(
    claim="integrated-gradients-model-randomization",
    description="Integrated Gradients, all 4 layers re-initialised: mean signed Spearman rho vs trained model, non-zero input pixels",
    less_than=0.3,
)
exp_gbp_top = run.expect(
    claim="guided-backprop-top-layer-invariance",
    description="Guided Backprop, top 2 (fully connected) layers re-initialised: mean |map| Spearman rho, non-zero input pixels",
    at_least=0.5,
)
exp_gbp_gap = run.expect(
    claim="guided-backprop-fails-model-randomization",
    description="All 4 layers re-initialised: Guided Backprop's mean |map| rho minus the gradient's (non-zero input pixels)",
    greater_than=0.2,
)
exp_ties = run.expect(
    claim="input-product-structure",
    description="IG |map| rho after full cascade: all pixels minus non-zero-input pixels (inflation by tied zeros)",
    at_least=0.2,
)
exp_fit = run.expect(
    claim="random-label-fit",
    description="Training accuracy on permuted labels (lowest over seeds)",
    at_least=0.9,
)
exp_grad_data = run.expect(
    claim="gradient-data-randomization",
    description="Gradient maps, random-label vs true-label model: mean |map| Spearman rho, non-zero input pixels",
    less_than=0.3,
)
exp_gbp_data = run.expect(
    claim="guided-backprop-data-randomization",
    description="Guided Backprop, random-label vs true-label model: mean |map| Spearman rho, non-zero input pixels",
    at_least=0.5,
)
exp_gbp_data_gap = run.expect(
    claim="guided-backprop-fails-data-randomization",
    description="Data test: Guided Backprop's mean |map| rho minus the gradient's (non-zero input pixels)",
    greater_than=0.2,
)

# %% [markdown]
# ## Run
#
# Data, then per seed: train the model on the true labels, choose correctly classified test
# images to explain, run the cascade, train a random-label model and (as a reference the paper
# does not show) a second true-label model from another initialisation.

# %%
images, labels = digit_images()
train_idx, test_idx = split_indices(labels, (0.7, 0.3), seed=0)
if cfg.n_train is not None:
    train_idx = np.sort(np.random.default_rng(0).permutation(train_idx)[: cfg.n_train])
train = to_split(images[train_idx], labels[train_idx])
test = to_split(images[test_idx], labels[test_idx])
zero_share = float((images[test_idx] == 0).mean())
print(f"train {len(train)}, test {len(test)}; share of exactly-zero pixels in test images: {zero_share:.3f}")


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


layer_names = [name for name, _ in trainable_layers(SmallCNN())]
steps = ["trained", *layer_names]
print("cascade order (re-initialised from the top):", layer_names)

cascade_sim = []  # per seed: list over cascade steps of {method: {variant: rho}}
data_sim, twin_sim, fit_stats = [], [], []
keep_for_plots = {}
for seed in cfg.seeds:
    torch.manual_seed(seed)
    model = SmallCNN()
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

    rand_model = SmallCNN()
    shuffled = Split(train.X, permuted_labels(train.y, seed=1000 + seed))
    n_epochs, acc_memorised = fit_until(
        rand_model,
        shuffled,
        target_accuracy=MEMORISED,
        max_epochs=cfg.max_random_label_epochs,
        lr=LR,
        seed=seed,
        device=device,
        desc="random labels",
    )
    acc_rand_test = accuracy(rand_model, test)
    rand_maps = all_maps(rand_model, x, target)
    sim_rand, nan_rand = mean_similarity(cascade_maps[0], rand_maps, x)
    data_sim.append(sim_rand)

    torch.manual_seed(500 + seed)
    twin = SmallCNN()
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
# ## Checks

# %%
full = len(steps) - 1  # every layer re-initialised
top2 = 2  # logits and the fully connected layer re-initialised


def spread(values: np.ndarray) -> str:
    return f"seeds: {', '.join(f'{v:.3f}' for v in values)}"


grad_full = curve["Gradient"]["abs_nonzero"][:, full]
exp_grad.measure(
    grad_full.mean(), note=f"{spread(grad_full)}; all pixels: {curve['Gradient']['abs_raw'][:, full].mean():.3f}"
)

ig_full = curve["Integrated Gradients"]["signed_nonzero"][:, full]
exp_ig.measure(
    ig_full.mean(),
    note=(
        f"{spread(ig_full)}; |map| non-zero pixels: {curve['Integrated Gradients']['abs_nonzero'][:, full].mean():.3f}; "
        f"|map| all pixels: {curve['Integrated Gradients']['abs_raw'][:, full].mean():.3f}"
    ),
)

gbp_top = curve["Guided Backprop"]["abs_nonzero"][:, top2]
exp_gbp_top.measure(
    gbp_top.mean(),
    note=f"{spread(gbp_top)}; after all 4 layers: {curve['Guided Backprop']['abs_nonzero'][:, full].mean():.3f}",
)

gap = curve["Guided Backprop"]["abs_nonzero"][:, full] - grad_full
exp_gbp_gap.measure(gap.mean(), note=spread(gap))

ties = curve["Integrated Gradients"]["abs_raw"][:, full] - curve["Integrated Gradients"]["abs_nonzero"][:, full]
ixg_ties = curve["Input x Gradient"]["abs_raw"][:, full] - curve["Input x Gradient"]["abs_nonzero"][:, full]
exp_ties.measure(ties.mean(), note=f"{spread(ties)}; Input x Gradient: {ixg_ties.mean():.3f}")

memorised = np.array([s["rand_train"] for s in fit_stats])
rand_test = np.array([s["rand_test"] for s in fit_stats])
exp_fit.measure(memorised.min(), note=f"{spread(memorised)}; test accuracy on true labels, {spread(rand_test)}")

grad_data = over_seeds(data_sim, "Gradient", "abs_nonzero")
exp_grad_data.measure(
    grad_data.mean(),
    note=f"{spread(grad_data)}; 2nd true-label model: {over_seeds(twin_sim, 'Gradient', 'abs_nonzero').mean():.3f}",
)

gbp_data = over_seeds(data_sim, "Guided Backprop", "abs_nonzero")
exp_gbp_data.measure(
    gbp_data.mean(),
    note=f"{spread(gbp_data)}; 2nd true-label model: {over_seeds(twin_sim, 'Guided Backprop', 'abs_nonzero').mean():.3f}",
)

data_gap = gbp_data - grad_data
_ = exp_gbp_data_gap.measure(data_gap.mean(), note=spread(data_gap))

# %% [markdown]
# ## Discussion
#
# *Markdown states no measured numbers; the printed tables and check lines above carry them (both
# profiles give the same verdicts).*
#
# **Model randomization: reproduced.** The split of the paper's Figures 2 and 4 survives on a
# 4-layer CNN for 8x8 digits. Gradient and SmoothGrad maps lose almost all rank agreement with the
# trained model's maps as soon as the logits alone are re-initialised, as the paper's gradient
# curves do. Integrated Gradients and Input x Gradient do the same in their signed maps. Guided
# Backprop stays well correlated while only the two fully connected layers are re-initialised and
# then drifts down as the convolutions are re-initialised. That matches the authors' errata (not
# completely invariant; the lowest layers matter); on a 4-layer network those "lowest layers" are
# half of the model. Even fully re-initialised, its maps stay far more similar to the trained
# model's than the gradient's do.
#
# **The zero-pixel ties: the naive number is mostly background.** Computed over all pixels, the
# absolute-value correlation of Input x Gradient and Integrated Gradients stays close to the
# value the tie formula predicts at *every* step of the cascade, including the fully random model:
# it measures the shared black background, not the maps. A sanity check run naively on digits
# (or on MNIST) would call both methods "insensitive to the model" for a reason that has nothing
# to do with the model. Restricting to non-zero pixels removes the ties but not the shared input
# *intensity* within the stroke, so the restricted absolute-value correlation of these two
# methods still sits at a moderate, flat level along the cascade. Only the signed correlation
# shows that their gradient factor has changed. This is the quantitative form of the paper's
# advice to look at diverging as well as absolute-value views. It is also why our IG check is
# signed. Had we tested IG's absolute-value correlation, even restricted, it would have been
# above our 0.3 bar, and we would have wrongly filed IG next to Guided Backprop.
#
# **Data randomization: partly reproduced.** The random-label CNN memorises its permuted labels
# and stays at chance on the test set. Its gradient and SmoothGrad maps have essentially no rank
# agreement with the true-label model's, as in the paper. Guided Backprop keeps clearly more
# agreement than the gradient (the ordering check holds), but its restricted absolute-value
# correlation falls short of the 0.5 we expected, so the absolute claim, that its maps "remain
# similar", is recorded as **not reproduced** here. Its signed correlation is higher than its
# absolute-value one, so the sign pattern survives better than the ranking of magnitudes. Possible
# reasons, none tested here: (i) unlike the model cascade, the random-label model's convolutions
# are *trained* (to memorise), and with only two convolutions on 8x8 inputs, Guided Backprop's
# map is shaped by those filters more than on a deep network with large images; (ii) we explain
# the true class for both models, while the paper's MNIST code may explain another output;
# (iii) the paper reports the comparison as bar charts and example maps without a threshold, and
# our 0.5 bar for "similar" is our own reading.
#
# **The reference model.** The second true-label model (another initialisation, same data) is
# not in the paper. It shows how much two *equally good* models' maps agree. For the gradient,
# that agreement is only moderate, so part of any drop under randomization is ordinary
# run-to-run variation. The random-label model nevertheless falls far below the twin. For Guided
# Backprop, the twin agrees more than the random-label model does: its maps do carry some
# information about what the model learned, just less than the gradient's.
#
# **Limits.** One dataset, one small architecture, a handful of seeds; Spearman rho only (no SSIM
# or HOG); no Grad-CAM or Guided Grad-CAM; the cascade has 4 steps instead of 17. Later work
# (e.g. Yona and Greenfeld 2021, Binder et al. 2022) argues that the tests can be confounded by the
# task and by how re-initialisation preserves activation scales; this notebook does not address that.

# %%
run.finish()
