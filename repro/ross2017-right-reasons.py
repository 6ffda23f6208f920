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
# # Right for the right reasons: penalising input gradients on a decoy
#
# Reproduction, scaled down, of the Decoy MNIST experiment of Ross, Hughes & Doshi-Velez (2017),
# *Right for the Right Reasons: Training Differentiable Models by Constraining their Explanations*
# (IJCAI 2017, arXiv:1703.03717; code: github.com/dtak/rrr).
#
# ## The claims
#
# Our catalog (`catalog/papers/ross2017-right-reasons.yaml`) states these claims of the paper:
#
# 1. **A decoy fools a plain network (Section 3.2).** In Decoy MNIST every training digit carries a
#    4x4 gray swatch in a random corner whose shade is a function of the label (`255 - 25y`); in the
#    test set the shade is random. A two-hidden-layer MLP (50 and 30 ReLU units) trained on it
#    reaches 99.6% training accuracy but only **55%** test accuracy, whereas the same network
#    trained and tested on ordinary MNIST reaches **96%** test accuracy
#    (check `decoy-collapse`).
# 2. **The annotation penalty fixes it (Figure 9; Appendix A).** Adding to the cross-entropy the
#    term `lambda1 * ||A * d/dx sum_k log p(k|x)||^2`, with the annotation mask `A` marking the
#    swatch, brings test accuracy on the randomised swatches back to that of the model trained
#    without decoys. Figure 9 shows this graphically; the official repository's cross-validation log
#    (`data/decoy_mnist_crossval_props.txt`, the paper's `lambda1 = 1000`) records **0.960** test
#    accuracy, against **0.555** with a negligible penalty (check `rrr-recovers`).
# 3. **The explanations show why (Figure 9).** The input gradients of the unconstrained model
#    light up the swatch; with the penalty they move onto the digit's strokes. The paper shows this
#    qualitatively (check `swatch-gradients`).
#
# The full objective (Section 2.1) is cross-entropy `+ lambda1 * right-reasons + lambda2 * ||theta||^2`,
# with `lambda2 = 1e-4`; `lambda1 = 1000` in most experiments, chosen so that the right-answers and
# right-reasons terms have comparable magnitude (Appendix A). The official code sums the loss over
# each batch of 256 and penalises the gradient of the summed log-probabilities.
#
# ## Setup
#
# * **Data**: scikit-learn's 1,797 8x8 digits, pixel values in [0, 1], split per seed into
#   train / validation / test (60 / 15 / 25%, stratified).
# * **Decoys** (`interpcat.repro.data.add_corner_decoys`): a 2x2 swatch in a random corner, shade
#   `1 - y/10`, i.e. the paper's `255 - 25y` rescaled; the annotation mask `A` is 1 on the swatch.
#   Training and *validation* images get label-coded shades (the training distribution); test images
#   get shades from uniformly random labels, as in the paper.
# * **Network**: the paper's MLP, 64 -> 50 -> 30 -> 10 with ReLU, Adam (learning rate 1e-3),
#   batches of 64, trained to a near-zero training loss. Our loss averages over the batch, so the
#   penalty is averaged too (this keeps `lambda1` on the scale of the official code, whose two terms
#   are both sums), and `lambda2 = 1e-4` becomes Adam weight decay `2 * lambda2 / batch size`.
# * **Models**, per seed: *plain* (decoy data, no penalty), *RRR* (decoy data, penalty on `A`),
#   *no-decoy* (the same network trained and tested on clean digits, the paper's baseline).
# * **Penalty** (`interpcat.repro.rrr`): the gradient of `sum_k log p(k|x)` with respect to the
#   input, taken with `create_graph=True` so that it can be trained through (double backprop).
# * **Choosing `lambda1`** (before anything touches the test set). The paper's value does not
#   carry over: our images have 64 pixels, not 784, and our loss is a batch mean. Validation
#   accuracy alone cannot choose it, because on the training distribution the decoy is *helpful*:
#   the less a model uses it, the lower its validation accuracy (the official cross-validation log
#   shows exactly this). We therefore combine validation accuracy with the explanation loss, using
#   only what a practitioner has, the annotations: for each `lambda1` on a log grid we train on the
#   training split and measure, on the validation split, (a) accuracy and (b) the share of the
#   squared input-gradient energy that falls inside `A`. Among the values whose share is at most
#   **1%** (the swatch covers 6.25% of the pixels, so 1% means the explanation essentially ignores
#   it) we take the one with the best validation accuracy, the smaller value on ties; if none
#   qualifies, the one with the smallest share. This is done on the first seed's split; every seed
#   then uses that `lambda1`. As a cross-check we also print the paper's heuristic, the ratio of the
#   weighted penalty to the cross-entropy at the end of training.
# * **Explanations measured** with Captum: `Saliency` (absolute input gradient) and
#   `InputXGradient` of the predicted class's log-probability, on the test images; the score is the
#   share of absolute attribution inside the swatch (`interpcat.repro.rrr.masked_share`).
#
# What differs from the paper: 8x8 digits and 1,078 training images instead of 28x28 MNIST with
# 60,000; a 2x2 swatch (6.25% of the image) instead of 4x4 (2%); PyTorch and Adam defaults instead
# of autograd; `lambda1` re-chosen by the rule above; several seeds averaged.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from captum.attr import InputXGradient, Saliency
from torch import nn

from interpcat.repro import Reproduction
from interpcat.repro.data import add_corner_decoys, digit_images, split_indices, to_split
from interpcat.repro.plots import heatmap_grid, line_plot
from interpcat.repro.rrr import log_prob_input_gradients, masked_share, right_reasons_penalty, rrr_extra_loss
from interpcat.repro.training import accuracy, fit, predict

run = Reproduction(paper="ross2017-right-reasons", seed=0)
cfg = run.pick(
    smoke=dict(epochs=60, seeds=[0, 1], lambdas=[1.0, 10.0, 100.0, 1000.0]),
    full=dict(epochs=150, seeds=[0, 1, 2, 3, 4], lambdas=[0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0]),
)
device = run.device
BATCH = 64
LR = 1e-3
LAMBDA2 = 1e-4  # the paper's weight on ||theta||^2 (per summed batch loss)
WEIGHT_DECAY = 2 * LAMBDA2 / BATCH  # the same term for a batch-mean loss, as Adam weight decay
MAX_SHARE = 0.01  # lambda1 rule: at most 1% of the validation gradient energy inside the annotation
SWATCH_AREA = 4 / 64  # the swatch's share of the pixels

# %% [markdown]
# ## Expectations
#
# Stated before any model is trained; thresholds from the paper's numbers.
#
# * `decoy-collapse`: the paper's plain MLP falls to 55% on randomised swatches, 41 points below the
#   96% of the no-decoy model. Our digits are easier for an MLP than MNIST and the network is
#   trained on far fewer images, so we allow a collapse about half as deep: the plain model's test
#   accuracy on randomised swatches (mean over seeds) **at most 0.75**.
# * `rrr-recovers`: in the paper the penalised model ends level with the no-decoy model (0.960 in
#   the official log against 96% on plain MNIST). We measure the gap, no-decoy test accuracy minus
#   RRR test accuracy on randomised swatches (means over seeds), and expect it **at most 0.05**:
#   about twice the sampling noise of a 450-image test set (standard error near 1 point per seed),
#   plus the cost of a penalty that also mutes whatever digit evidence sits in the corners.
# * `swatch-gradients`: the paper shows the plain model's gradients on the swatch and the RRR
#   model's on the digit. We read "much of the mass" as at least 20% of the absolute saliency more
#   inside the swatch for the plain model than for the RRR model (more than three times the
#   swatch's 6.25% share of the pixels): the difference of the mean Saliency shares **at least 0.2**.

# %%
check_collapse = run.expect(
    claim="decoy-collapse",
    description="plain MLP trained on decoy digits: test accuracy with randomised swatch shades (mean over seeds)",
    at_most=0.75,
)
check_recovers = run.expect(
    claim="rrr-recovers",
    description=(
        "no-decoy MLP test accuracy (clean digits) minus RRR MLP test accuracy (randomised swatches), means over seeds"
    ),
    at_most=0.05,
)
check_gradients = run.expect(
    claim="swatch-gradients",
    description=(
        "share of |Saliency| (predicted-class log-probability) inside the swatch on test images: "
        "plain model minus RRR model, means over seeds"
    ),
    at_least=0.2,
)

# %% [markdown]
# ## Run
#
# Data for one seed: the split, the decoys and the masks.

# %%
images, labels = digit_images()


def make_data(seed: int) -> dict:
    train_idx, val_idx, test_idx = split_indices(labels, (0.6, 0.15, 0.25), seed=seed)
    rng = np.random.default_rng(1000 + seed)
    x_tr, m_tr = add_corner_decoys(images[train_idx], labels[train_idx], rng)
    x_va, m_va = add_corner_decoys(images[val_idx], labels[val_idx], rng)
    random_shades = rng.integers(0, 10, size=len(test_idx))
    x_te, m_te = add_corner_decoys(images[test_idx], labels[test_idx], rng, shade_labels=random_shades)
    return dict(
        train=to_split(x_tr, labels[train_idx], m_tr),
        val=to_split(x_va, labels[val_idx], m_va),
        test=to_split(x_te, labels[test_idx], m_te),
        clean_train=to_split(images[train_idx], labels[train_idx]),
        clean_test=to_split(images[test_idx], labels[test_idx]),
        shade_matches=float(np.mean(random_shades == labels[test_idx])),
        mismatched=torch.as_tensor(random_shades != labels[test_idx]),
    )


def make_mlp() -> nn.Module:
    """The paper's network: two hidden ReLU layers of 50 and 30 units."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 50), nn.ReLU(), nn.Linear(50, 30), nn.ReLU(), nn.Linear(30, 10))


def train(split, seed: int, lam: float = 0.0, desc: str = "") -> tuple[nn.Module, object]:
    torch.manual_seed(seed)
    model = make_mlp()
    history = fit(
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
    return model.cpu().eval(), history


def validation_report(model: nn.Module, split) -> tuple[float, float, float, float]:
    """Accuracy, share of squared gradient energy in the mask, mean CE and unweighted penalty."""
    grads = log_prob_input_gradients(model, split.X)
    share = float(masked_share(grads, split.mask, power=2).mean())
    with torch.no_grad():
        ce = float(nn.functional.cross_entropy(model(split.X), split.y))
    penalty = float(right_reasons_penalty(model, split.X, split.mask, create_graph=False))
    return accuracy(model, split), share, ce, penalty


data0 = make_data(cfg.seeds[0])
print(
    f"seed {cfg.seeds[0]}: train {len(data0['train'])}, validation {len(data0['val'])}, test {len(data0['test'])} images; "
    f"random test shades that happen to match the label: {data0['shade_matches']:.3f}"
)

# %% [markdown]
# Choosing `lambda1` on the first seed's validation split (the rule in the Setup). The plain model
# (`lambda1 = 0`) is trained here too, for reference.

# %%
sweep = {}
for lam in [0.0, *cfg.lambdas]:
    model, history = train(data0["train"], cfg.seeds[0], lam, desc=f"lambda1={lam:g}")
    acc, share, ce, penalty = validation_report(model, data0["val"])
    sweep[lam] = dict(model=model, acc=acc, share=share, ce=ce, penalty=penalty, history=history)
    ratio = lam * penalty / ce if lam > 0 else float("nan")
    print(
        f"lambda1 {lam:>8g}: validation accuracy {acc:.3f}, gradient energy in swatch {share:.4f}, "
        f"CE {ce:.3f}, penalty {penalty:.2e}, lambda1*penalty/CE {ratio:.3g}"
    )

qualifying = [lam for lam in cfg.lambdas if sweep[lam]["share"] <= MAX_SHARE]
if qualifying:
    best_acc = max(sweep[lam]["acc"] for lam in qualifying)
    LAMBDA1 = min(lam for lam in qualifying if sweep[lam]["acc"] == best_acc)
else:
    LAMBDA1 = min(cfg.lambdas, key=lambda lam: sweep[lam]["share"])
print(f"\nchosen lambda1 = {LAMBDA1:g} (qualifying values: {[f'{q:g}' for q in qualifying]})")

# %% [markdown]
# Train the three models for every seed with the chosen `lambda1` (the first seed's plain and RRR
# models come from the sweep) and evaluate them.

# %%
SALIENCY_METHODS = {"Saliency": Saliency, "InputXGradient": InputXGradient}


def swatch_shares(model: nn.Module, split) -> dict[str, float]:
    """Mean share of |attribution| inside the swatch, per Captum method, for the predicted class."""
    scorer = nn.Sequential(model, nn.LogSoftmax(dim=1)).eval()
    target = predict(model, split.X).argmax(1)
    out = {}
    for name, method in SALIENCY_METHODS.items():
        attr = method(scorer).attribute(split.X.clone().requires_grad_(True), target=target).detach()
        out[name] = float(masked_share(attr, split.mask).mean())
    return out


rows = []
models = {}
for seed in cfg.seeds:
    data = data0 if seed == cfg.seeds[0] else make_data(seed)
    if seed == cfg.seeds[0]:
        plain, rrr = sweep[0.0]["model"], sweep[LAMBDA1]["model"]
    else:
        plain, _ = train(data["train"], seed, desc=f"plain seed {seed}")
        rrr, _ = train(data["train"], seed, LAMBDA1, desc=f"rrr seed {seed}")
    no_decoy, _ = train(data["clean_train"], seed, desc=f"no-decoy seed {seed}")
    models[seed] = dict(plain=plain, rrr=rrr, no_decoy=no_decoy, data=data)
    row = dict(
        seed=seed,
        plain_train=accuracy(plain, data["train"]),
        plain_test=accuracy(plain, data["test"]),
        plain_test_mismatched=float(
            (predict(plain, data["test"].X).argmax(1) == data["test"].y)[data["mismatched"]].float().mean()
        ),
        plain_clean=accuracy(plain, data["clean_test"]),
        rrr_train=accuracy(rrr, data["train"]),
        rrr_test=accuracy(rrr, data["test"]),
        rrr_clean=accuracy(rrr, data["clean_test"]),
        no_decoy_train=accuracy(no_decoy, data["clean_train"]),
        no_decoy_clean=accuracy(no_decoy, data["clean_test"]),
        no_decoy_test=accuracy(no_decoy, data["test"]),
    )
    for name, model in (("plain", plain), ("rrr", rrr)):
        for method, share in swatch_shares(model, data["test"]).items():
            row[f"{name}_{method}"] = share
    rows.append(row)
    print(
        f"seed {seed}: plain train {row['plain_train']:.3f} / random-swatch test {row['plain_test']:.3f} / "
        f"clean test {row['plain_clean']:.3f}; RRR train {row['rrr_train']:.3f} / random-swatch test "
        f"{row['rrr_test']:.3f} / clean test {row['rrr_clean']:.3f}; no-decoy train {row['no_decoy_train']:.3f} / "
        f"clean test {row['no_decoy_clean']:.3f} / random-swatch test {row['no_decoy_test']:.3f}"
    )
    print(
        f"         swatch share of |Saliency|: plain {row['plain_Saliency']:.3f}, RRR {row['rrr_Saliency']:.3f}; "
        f"of |InputXGradient|: plain {row['plain_InputXGradient']:.3f}, RRR {row['rrr_InputXGradient']:.3f}"
    )

mean = {key: float(np.mean([r[key] for r in rows])) for key in rows[0] if key != "seed"}
sd = {key: float(np.std([r[key] for r in rows])) for key in rows[0] if key != "seed"}
print(f"\nmeans over {len(rows)} seeds (standard deviation):")
for key in mean:
    print(f"  {key:24s} {mean[key]:.3f} ({sd[key]:.3f})")
print(f"  (the swatch covers {SWATCH_AREA:.4f} of the pixels)")

# %% [markdown]
# ## Plots
#
# Training images (label-coded swatch) with their annotation masks, and test images (random swatch).

# %%
d = models[cfg.seeds[0]]["data"]
fig, axes = plt.subplots(3, 6, figsize=(8, 4.2), dpi=80)
for c in range(6):
    for r, (name, img, cmap) in enumerate(
        [
            ("train", d["train"].X[c], "gray_r"),
            ("mask A", d["train"].mask[c], "gray_r"),
            ("test", d["test"].X[c], "gray_r"),
        ]
    ):
        ax = axes[r][c]
        ax.imshow(img[0], cmap=cmap, vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        if c == 0:
            ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    axes[0][c].set_title(f"label {int(d['train'].y[c])}", fontsize=9)
    axes[2][c].set_xlabel(f"label {int(d['test'].y[c])}", fontsize=9)
fig.tight_layout()
plt.show()

# %% [markdown]
# The `lambda1` sweep on the validation split (first seed): accuracy on the training distribution
# and the share of gradient energy inside the swatch; the dashed line is the 1% rule.

# %%
lams = cfg.lambdas
fig = line_plot(
    lams,
    {
        "validation accuracy": [sweep[lam]["acc"] for lam in lams],
        "gradient energy in swatch": [sweep[lam]["share"] for lam in lams],
    },
    xlabel="lambda1",
    ylabel="value",
    title=f"choosing lambda1 (chosen: {LAMBDA1:g})",
    logx=True,
)
ax = fig.axes[0]
ax.axhline(MAX_SHARE, color="k", ls="--", lw=1)
ax.axhline(sweep[0.0]["acc"], color="C0", ls=":", lw=1, label="plain, validation accuracy")
ax.axhline(sweep[0.0]["share"], color="C1", ls=":", lw=1, label="plain, gradient energy in swatch")
ax.legend(fontsize=7)
fig.set_dpi(80)
plt.show()

# %% [markdown]
# Test accuracy of the three models (means over seeds, with the standard deviation as error bars).

# %%
labels_bar = [
    "plain\nrandom swatch",
    "RRR\nrandom swatch",
    "no-decoy\nclean",
    "plain\nclean",
    "RRR\nclean",
    "no-decoy\nrandom swatch",
]
keys = ["plain_test", "rrr_test", "no_decoy_clean", "plain_clean", "rrr_clean", "no_decoy_test"]
fig, ax = plt.subplots(figsize=(7, 3.2), dpi=80)
ax.bar(
    range(len(keys)), [mean[k] for k in keys], yerr=[sd[k] for k in keys], color=["C3", "C2", "C0", "C3", "C2", "C0"]
)
ax.set_xticks(range(len(keys)), labels_bar, fontsize=8)
ax.axhline(0.55, color="C3", ls=":", lw=1, label="paper: plain (0.55)")
ax.axhline(0.96, color="C0", ls=":", lw=1, label="paper: no-decoy (0.96)")
ax.set_ylim(0, 1.05)
ax.set_ylabel("test accuracy")
ax.legend(fontsize=7, loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# Explanations of the predicted class on test images with random swatches: Captum `Saliency` and
# `InputXGradient` for the plain and the RRR model (first seed).

# %%
m = models[cfg.seeds[0]]
Xs = m["data"]["test"].X[:6]
maps, names = [list(Xs)], ["input"]
for name in ("plain", "rrr"):
    scorer = nn.Sequential(m[name], nn.LogSoftmax(dim=1)).eval()
    target = predict(m[name], Xs).argmax(1)
    for method_name, method in SALIENCY_METHODS.items():
        maps.append(list(method(scorer).attribute(Xs.clone().requires_grad_(True), target=target).detach()))
        names.append(f"{name} {method_name}")
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
# ## Checks

# %%
check_collapse.measure(
    mean["plain_test"],
    note=f"{len(rows)} seeds; per seed {[round(r['plain_test'], 3) for r in rows]}; plain train {mean['plain_train']:.3f}",
)
check_recovers.measure(
    mean["no_decoy_clean"] - mean["rrr_test"],
    note=(
        f"lambda1={LAMBDA1:g}; no-decoy {mean['no_decoy_clean']:.3f}, RRR {mean['rrr_test']:.3f}, "
        f"plain {mean['plain_test']:.3f} (means over {len(rows)} seeds)"
    ),
)
check_gradients.measure(
    mean["plain_Saliency"] - mean["rrr_Saliency"],
    note=(
        f"Saliency share in swatch: plain {mean['plain_Saliency']:.3f}, RRR {mean['rrr_Saliency']:.3f}; "
        f"InputXGradient: plain {mean['plain_InputXGradient']:.3f}, RRR {mean['rrr_InputXGradient']:.3f}"
    ),
)

# %% [markdown]
# ## Discussion
#
# The printed tables and the verdicts above carry the measured numbers; this section says how to
# read them.
#
# * **The collapse** (`decoy-collapse`) depends on how attractive the decoy is compared with the
#   digit. In Decoy MNIST the swatch is a cleaner signal than the handwriting, and the paper's MLP
#   leans on it for many images. On 8x8 digits both signals are easy; how far the plain model falls
#   shows how much it leaned on the swatch. Its training accuracy, its accuracy on the test images
#   whose random shade disagrees with the label (`plain_test_mismatched`), its accuracy on clean
#   test digits (no swatch at all, a shade it never saw) and the swatch share of its saliency
#   (printed above) tell how far it learned the digit as well.
# * **Gradients and reliance.** The plain model's drop in accuracy and the swatch share of its
#   gradient are two different measurements of reliance and need not agree in size: a model can
#   change many decisions with the swatch while the swatch holds a modest share of the absolute
#   gradient, since four pixels compete with the sixty that carry the digit. Where the two
#   disagree, the accuracy drop is the behavioural evidence and the gradient share the weaker one.
# * **The recovery** (`rrr-recovers`) compares the penalised model on randomised swatches with a
#   model that never saw a swatch, on clean digits, as the paper does. A penalty that zeroes the
#   gradient on the corners cannot use the few strokes that reach them, which may cost a little.
# * **The explanations** (`swatch-gradients`): the share of absolute saliency inside the swatch is
#   a direct, quantitative version of the paper's Figure 9. The penalty acts on the gradient of the
#   summed log-probabilities, whereas Saliency and InputXGradient explain one class; the RRR shares
#   show whether suppressing one transfers to the other.
# * **`lambda1`** was chosen from validation accuracy and the explanation loss alone. The printed
#   ratio of the weighted penalty to the cross-entropy lets one compare the choice with the paper's
#   "comparable magnitude" heuristic; the sweep plot shows how sensitive the choice is.

# %%
run.finish()
